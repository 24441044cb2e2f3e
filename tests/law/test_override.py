"""Reviewer overrides: written reason, recorded reviewer, policy field limits kept."""

from __future__ import annotations

import pytest

from lawdesk.law.config import DEFAULT_CONFIG
from lawdesk.law.engine import decide
from lawdesk.law.override import OverrideError, apply_override
from lawdesk.law.vocabulary import DataCategory, Outcome
from tests.law.conftest import NOW, make_facts

REASON = "The order was validated by the juge des libertés; copy attached to the case."


def _decision(**changes):
    return decide(make_facts(**changes), config=DEFAULT_CONFIG, now=NOW)


def test_override_records_reason_reviewer_and_previous_outcome() -> None:
    decision = _decision(user_named_as_suspect=False)
    assert decision.outcome("subscriber") is Outcome.NEEDS_FURTHER_PROCESS
    changed = apply_override(decision, category="subscriber", outcome="allowed", reason=REASON,
                             reviewer="reviewer@platform.example", now=NOW)
    result = changed.categories[DataCategory.SUBSCRIBER]
    assert result.outcome is Outcome.ALLOWED
    assert result.override is not None
    assert result.override.previous_outcome is Outcome.NEEDS_FURTHER_PROCESS
    assert result.override.reviewer == "reviewer@platform.example"
    assert result.reasons[0].rule == "review.reviewer_override"
    assert REASON in result.reasons[0].explanation
    # The policy's field limit still binds.
    assert result.fields == ("phone_number",)
    assert changed.to_dict()["overrides"][0]["reason"] == REASON
    # The original decision is untouched.
    assert decision.outcome("subscriber") is Outcome.NEEDS_FURTHER_PROCESS
    assert decision.overrides == ()


def test_override_needs_a_written_reason() -> None:
    with pytest.raises(OverrideError, match="reason"):
        apply_override(_decision(), category="subscriber", outcome="not_allowed", reason=" ok ",
                       reviewer="r", now=NOW)


def test_override_needs_a_reviewer_and_aware_time() -> None:
    with pytest.raises(OverrideError, match="reviewer"):
        apply_override(_decision(), category="subscriber", outcome="not_allowed", reason=REASON,
                       reviewer=" ", now=NOW)
    with pytest.raises(OverrideError, match="now"):
        apply_override(_decision(), category="subscriber", outcome="not_allowed", reason=REASON,
                       reviewer="r", now=NOW.replace(tzinfo=None))


def test_override_only_for_categories_asked() -> None:
    with pytest.raises(OverrideError, match="category"):
        apply_override(_decision(), category="content", outcome="allowed", reason=REASON,
                       reviewer="r", now=NOW)


def test_not_held_cannot_be_overridden() -> None:
    decision = _decision(categories=["content"], secret_chat_content=True,
                         issuer_role="investigating_judge")
    with pytest.raises(OverrideError, match="not_held"):
        apply_override(decision, category="content", outcome="allowed", reason=REASON,
                       reviewer="r", now=NOW)


def test_override_to_same_outcome_is_refused() -> None:
    with pytest.raises(OverrideError, match="already"):
        apply_override(_decision(), category="subscriber", outcome="allowed", reason=REASON,
                       reviewer="r", now=NOW)


def test_overrides_accumulate() -> None:
    decision = _decision(categories=["subscriber", "identification"])
    once = apply_override(decision, category="subscriber", outcome="not_allowed", reason=REASON,
                          reviewer="a", now=NOW)
    twice = apply_override(once, category="identification", outcome="not_allowed",
                           reason=REASON, reviewer="b", now=NOW)
    assert [o.reviewer for o in twice.overrides] == ["a", "b"]
    assert twice.categories[DataCategory.SUBSCRIBER].fields is None
