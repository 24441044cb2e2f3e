"""Reviewer overrides: the desk changes one category's outcome with a written reason."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from types import MappingProxyType

from lawdesk.law.archive.r2026_11_2.decision import CategoryResult, Decision, Override, Reason
from lawdesk.law.archive.r2026_11_2.vocabulary import DataCategory, Outcome

OVERRIDE_RULE_ID = "review.reviewer_override"
MIN_REASON_LENGTH = 10  # a written reason, not "ok"


class OverrideError(ValueError):
    """The override is not acceptable (no reason, unknown category, data not held …)."""


def apply_override(
    decision: Decision,
    *,
    category: DataCategory | str,
    outcome: Outcome | str,
    reason: str,
    reviewer: str,
    now: datetime,
) -> Decision:
    """Return a new decision with ``category`` set to ``outcome``, recording reason and reviewer."""
    category = DataCategory(category)
    outcome = Outcome(outcome)
    reason = reason.strip()
    if len(reason) < MIN_REASON_LENGTH:
        raise OverrideError(
            f"reason: an override needs a written reason of at least {MIN_REASON_LENGTH} characters"
        )
    if not reviewer.strip():
        raise OverrideError("reviewer: an override must name the reviewer")
    if now.tzinfo is None:
        raise OverrideError("now: must be timezone-aware")
    if category not in decision.categories:
        raise OverrideError(f"category: {category.value} was not asked for in this request")
    current = decision.categories[category]
    if outcome is Outcome.NOT_HELD or current.outcome is Outcome.NOT_HELD:
        # Whether the platform holds data is a fact, not a judgement: correct the facts instead.
        raise OverrideError("outcome: not_held reflects what the platform holds; correct the facts instead")
    if outcome is current.outcome:
        raise OverrideError(f"outcome: {category.value} is already {outcome.value}")
    record = Override(
        category=category,
        previous_outcome=current.outcome,
        outcome=outcome,
        reason=reason,
        reviewer=reviewer.strip(),
        at=now,
    )
    cited = Reason(
        rule=OVERRIDE_RULE_ID,
        regime="review",
        article="reviewer decision",
        explanation=f"{record.reviewer} changed {current.outcome.value} to {outcome.value}: {reason}",
    )
    updated: CategoryResult = replace(
        current,
        outcome=outcome,
        reasons=(cited, *current.reasons),
        # The policy's field limit still binds an allowed category; other outcomes carry none.
        fields=current.policy_fields if outcome is Outcome.ALLOWED else None,
        process=current.process if outcome is Outcome.NEEDS_FURTHER_PROCESS else None,
        override=record,
    )
    categories = dict(decision.categories)
    categories[category] = updated
    return replace(
        decision,
        categories=MappingProxyType(categories),
        overrides=(*decision.overrides, record),
    )
