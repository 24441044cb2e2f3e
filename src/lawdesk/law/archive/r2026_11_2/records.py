"""Replay of decisions stored under this archived rule set."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from lawdesk.law.archive.r2026_11_2.config import DeploymentConfig
from lawdesk.law.archive.r2026_11_2.decision import Decision
from lawdesk.law.archive.r2026_11_2.engine import decide
from lawdesk.law.archive.r2026_11_2.facts import parse_facts
from lawdesk.law.archive.r2026_11_2.override import apply_override


def replay(record: dict[str, Any]) -> Decision:
    """Decide the recorded facts again with this rule set, re-applying the recorded overrides."""
    now = datetime.fromisoformat(record["decided_at"]) if record.get("decided_at") else None
    config = DeploymentConfig.model_validate(record["config"])
    decision = decide(parse_facts(record["facts"]), config=config, now=now)
    for item in record["decision"].get("overrides", []):
        decision = apply_override(
            decision,
            category=item["category"],
            outcome=item["outcome"],
            reason=item["reason"],
            reviewer=item["reviewer"],
            now=datetime.fromisoformat(item["at"]),
        )
    return decision
