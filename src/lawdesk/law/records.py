"""Stored decisions: what the cases app keeps so a decision can be reproduced and checked."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from lawdesk.law.config import DeploymentConfig
from lawdesk.law.decision import Decision
from lawdesk.law.engine import decide
from lawdesk.law.facts import Facts, parse_facts
from lawdesk.law.override import apply_override
from lawdesk.law.version import ruleset_version

RECORD_FORMAT = 1


class RulesetMismatch(RuntimeError):
    """The record was decided by another ruleset version; replay it on that version's code."""


def decision_record(
    facts: Facts, decision: Decision, *, config: DeploymentConfig, now: datetime | None
) -> dict[str, Any]:
    """Everything needed to reproduce ``decision``: facts, configuration, time, version, result."""
    return {
        "format": RECORD_FORMAT,
        "ruleset_version": decision.ruleset_version,
        "decided_at": now.isoformat() if now is not None else None,
        "facts": facts.model_dump(mode="json", exclude_defaults=True),
        "config": config.model_dump(mode="json"),
        "decision": decision.to_dict(),
    }


def replay(record: dict[str, Any]) -> Decision:
    """Decide the recorded facts again with the recorded configuration, re-applying overrides."""
    if record.get("ruleset_version") != ruleset_version():
        raise RulesetMismatch(f"recorded with {record.get('ruleset_version')}, running {ruleset_version()}")
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


def verify_record(record: dict[str, Any]) -> bool:
    """Whether replaying the record gives exactly the stored decision."""
    return replay(record).to_dict() == record["decision"]
