"""Stored decisions: what the cases app keeps so a decision can be reproduced and checked."""

from __future__ import annotations

from collections.abc import Callable
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


def _archived(version: object) -> tuple[Callable[..., Any], Callable[..., Any]] | None:
    """(replay, apply_override) of the archived rule set that decided under ``version``, if any."""
    # reason: start-up time: an archived rule set loads only to replay a decision it made
    from lawdesk.law.archive.r2026_11_1 import override as r2026_11_1_override
    from lawdesk.law.archive.r2026_11_1 import records as r2026_11_1_records
    from lawdesk.law.archive.r2026_11_1.version import VERSION as V2026_11_1
    from lawdesk.law.archive.r2026_11_2 import override as r2026_11_2_override
    from lawdesk.law.archive.r2026_11_2 import records as r2026_11_2_records
    from lawdesk.law.archive.r2026_11_2.version import VERSION as V2026_11_2

    archived: dict[str, tuple[Callable[..., Any], Callable[..., Any]]] = {
        V2026_11_1: (r2026_11_1_records.replay, r2026_11_1_override.apply_override),
        V2026_11_2: (r2026_11_2_records.replay, r2026_11_2_override.apply_override),
    }
    return archived.get(str(version))


def replay(record: dict[str, Any]) -> Any:
    """Decide the recorded facts again under the rule set that recorded them, re-applying overrides.

    A record of the current rule set replays on the current code; a record of an archived
    rule set (``lawdesk.law.archive``) replays on that frozen code, so a stored decision is
    reproduced exactly, and can still receive reviewer overrides, after the rules change.
    Any other version raises RulesetMismatch.
    """
    if record.get("ruleset_version") != ruleset_version():
        old = _archived(record.get("ruleset_version"))
        if old is None:
            raise RulesetMismatch(
                f"recorded with {record.get('ruleset_version')}, running {ruleset_version()}"
            )
        return old[0](record)
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


def override_record(
    record: dict[str, Any],
    *,
    category: str,
    outcome: str,
    reason: str,
    reviewer: str,
    now: datetime,
) -> dict[str, Any]:
    """Replay ``record`` under its own rule set and apply a reviewer override there.

    Returns the new decision as JSON. Raises OverrideError (a ValueError) for an unacceptable
    override and RulesetMismatch for a version neither current nor archived.
    """
    decision = replay(record)
    old = None if record.get("ruleset_version") == ruleset_version() else _archived(
        record.get("ruleset_version")
    )
    apply = old[1] if old is not None else apply_override
    updated = apply(
        decision, category=category, outcome=outcome, reason=reason, reviewer=reviewer, now=now
    )
    result: dict[str, Any] = updated.to_dict()
    return result
