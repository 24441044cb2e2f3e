"""Invariants of the rule engine, checked over generated facts and policies."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from lawdesk.law.config import DeploymentConfig, PlatformPolicy
from lawdesk.law.decision import PERMISSIVENESS
from lawdesk.law.engine import decide
from lawdesk.law.facts import Facts
from lawdesk.law.registry import all_rules
from lawdesk.law.version import ruleset_version
from lawdesk.law.vocabulary import DataCategory, IssuerRole, Outcome, Regime
from tests.law.conftest import LAW_ONLY, NOW
from tests.law.strategies import facts, policies

RULE_IDS = {rule.id for rule in all_rules()}


def _within(narrow: tuple[str, ...] | None, wide: tuple[str, ...] | None) -> bool:
    if wide is None:
        return True
    return narrow is not None and set(narrow) <= set(wide)


@settings(max_examples=150, deadline=None)
@given(f=facts, policy=policies())
def test_platform_policy_never_widens_what_the_law_allows(f: Facts, policy: PlatformPolicy) -> None:
    law = decide(f, config=LAW_ONLY, now=NOW)
    combined = decide(f, config=DeploymentConfig(policy=policy), now=NOW)
    for category, law_result in law.categories.items():
        result = combined.categories[category]
        if law_result.outcome is Outcome.NOT_HELD:
            assert result.outcome is Outcome.NOT_HELD
            continue
        assert result.outcome is not Outcome.NOT_HELD
        assert PERMISSIVENESS[result.outcome] <= PERMISSIVENESS[law_result.outcome]
        if result.outcome is Outcome.ALLOWED:
            assert _within(result.fields, law_result.fields)


@settings(max_examples=100, deadline=None)
@given(f=facts)
def test_permissive_policy_leaves_the_law_unchanged(f: Facts) -> None:
    decision = decide(f, config=LAW_ONLY, now=NOW)
    for result in decision.categories.values():
        assert result.outcome is result.law_outcome
        assert all(r.regime != Regime.PLATFORM_POLICY.value for r in result.reasons)
    assert "policy.narrows_binding_order" not in {d.reason.rule for d in decision.duties}


@settings(max_examples=150, deadline=None)
@given(f=facts, policy=policies())
def test_every_category_asked_gets_an_outcome_with_a_cited_known_rule(
    f: Facts, policy: PlatformPolicy
) -> None:
    decision = decide(f, config=DeploymentConfig(policy=policy), now=NOW)
    assert set(decision.categories) == set(f.categories)
    for result in decision.categories.values():
        assert result.reasons
        for reason in result.reasons:
            assert reason.rule in RULE_IDS
            assert reason.article and reason.explanation
        if result.outcome is Outcome.NEEDS_FURTHER_PROCESS:
            assert result.process, result.reasons
        if result.outcome is not Outcome.ALLOWED:
            assert result.fields is None
    assert decision.deadline is not None
    assert decision.deadline.duration.amount > 0
    assert decision.ruleset_version == ruleset_version()


@settings(max_examples=100, deadline=None)
@given(f=facts)
def test_not_held_exactly_for_secret_chat_content(f: Facts) -> None:
    decision = decide(f, config=LAW_ONLY, now=NOW)
    for category, result in decision.categories.items():
        expected = category is DataCategory.CONTENT and f.secret_chat_content
        assert (result.outcome is Outcome.NOT_HELD) == expected


@settings(max_examples=100, deadline=None)
@given(f=facts)
def test_no_channel_is_never_a_silent_refusal(f: Facts) -> None:
    decision = decide(f, config=LAW_ONLY, now=NOW)
    if decision.regime is Regime.MLA:
        for result in decision.categories.values():
            assert result.outcome in (Outcome.NEEDS_FURTHER_PROCESS, Outcome.NOT_HELD)


@settings(max_examples=100, deadline=None)
@given(f=facts)
def test_judicial_validation_never_takes_away_what_the_law_allows(f: Facts) -> None:
    # Not full monotonicity: "needs a judge" can hide a later gate (the 3-year threshold),
    # so validation may turn needs_further_process into not_allowed — but never allowed into less.
    validated = f.model_copy(update={"validator_role": IssuerRole.JUDGE})
    before = decide(f, config=LAW_ONLY, now=NOW)
    after = decide(validated, config=LAW_ONLY, now=NOW)
    for category, result in before.categories.items():
        if result.outcome is Outcome.ALLOWED:
            assert after.categories[category].outcome is Outcome.ALLOWED


@settings(max_examples=100, deadline=None)
@given(f=facts, extra=st.integers(1, 240))
def test_a_higher_maximum_sentence_never_makes_the_law_stricter(f: Facts, extra: int) -> None:
    if f.max_sentence_months is None:
        return
    higher = f.model_copy(update={"max_sentence_months": min(1200, f.max_sentence_months + extra)})
    before = decide(f, config=LAW_ONLY, now=NOW)
    after = decide(higher, config=LAW_ONLY, now=NOW)
    for category, result in before.categories.items():
        if result.outcome is Outcome.NOT_HELD:
            continue
        assert (
            PERMISSIVENESS[after.categories[category].outcome] >= PERMISSIVENESS[result.outcome]
        )


@settings(max_examples=100, deadline=None)
@given(f=facts, policy=policies())
def test_decisions_are_deterministic_and_json(f: Facts, policy: PlatformPolicy) -> None:
    config = DeploymentConfig(policy=policy)
    first = decide(f, config=config, now=NOW).to_dict()
    assert first == decide(f, config=config, now=NOW).to_dict()
    text = json.dumps(first)
    assert set(json.loads(text)) == {
        "ruleset_version", "regime", "routing", "categories", "action", "deadline", "duties",
        "overrides",
    }
