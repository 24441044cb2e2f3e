"""Stored decisions are reproducible from facts, configuration and ruleset version."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lawdesk.law.config import DEFAULT_CONFIG, DeploymentConfig, PlatformPolicy, load_config
from lawdesk.law.decision import Decision
from lawdesk.law.engine import decide
from lawdesk.law.facts import Facts
from lawdesk.law.override import apply_override
from lawdesk.law.replay import (
    RulesetMismatch,
    decision_record,
    override_record,
    replay,
    verify_record,
)
from lawdesk.law.vocabulary import DataCategory, Outcome
from tests.law.conftest import NOW, make_facts
from tests.law.strategies import facts, policies


def test_record_round_trips_through_json_with_an_override() -> None:
    f = make_facts(user_named_as_suspect=False)
    decision = apply_override(
        decide(f, now=NOW), category="subscriber", outcome="allowed",
        reason="Suspect status confirmed by the prosecutor's letter of 2 Nov.",
        reviewer="reviewer@platform.example", now=NOW,
    )
    record = json.loads(json.dumps(decision_record(f, decision, config=DEFAULT_CONFIG, now=NOW)))
    assert verify_record(record)
    assert replay(record).to_dict()["overrides"][0]["reviewer"] == "reviewer@platform.example"


def test_record_from_another_ruleset_is_refused() -> None:
    f = make_facts()
    record = decision_record(f, decide(f, now=NOW), config=DEFAULT_CONFIG, now=NOW)
    record["ruleset_version"] = "2020.1.1+000000000000"
    with pytest.raises(RulesetMismatch):
        replay(record)


def test_tampered_record_does_not_verify() -> None:
    f = make_facts()
    record = decision_record(f, decide(f, now=NOW), config=DEFAULT_CONFIG, now=NOW)
    record["decision"]["categories"]["subscriber"]["outcome"] = "not_allowed"
    assert not verify_record(record)


def test_config_dump_loads_back() -> None:
    config = load_config({"deadlines": {"fr_requisition": {"days": 3}},
                          "policy": {"disclose": {"content": "all"}}})
    assert DeploymentConfig.model_validate(config.model_dump(mode="json")) == config


@settings(max_examples=50, deadline=None)
@given(f=facts, policy=policies())
def test_every_decision_replays_identically(f: Facts, policy: PlatformPolicy) -> None:
    config = DeploymentConfig(policy=policy)
    record = json.loads(
        json.dumps(decision_record(f, decide(f, config=config, now=NOW), config=config,
                                   now=NOW))
    )
    assert verify_record(record)


# Decisions recorded by rule set 2026.11.1 (the first release) with the code of that release,
# before the second reading of the rules; the file must never be regenerated.
STORED_2026_11_1 = Path(__file__).parent / "data" / "records-2026.11.1.json"


def _stored() -> list[dict]:
    return json.loads(STORED_2026_11_1.read_text(encoding="utf-8"))


def test_decisions_stored_under_an_earlier_rule_set_replay_under_their_own_version() -> None:
    stored = _stored()
    assert len(stored) >= 90
    for item in stored:
        record = item["record"]
        assert record["ruleset_version"] == "2026.11.1+958dd7192a53"
        assert verify_record(record), item["name"]
        assert replay(record).ruleset_version == record["ruleset_version"]


def test_an_old_decision_can_still_be_overridden_under_its_own_version() -> None:
    record = next(i["record"] for i in _stored() if i["name"] == "override")
    updated = override_record(
        record, category="subscriber", outcome="not_allowed",
        reason="The prosecutor withdrew the suspect designation.", reviewer="approver@platform.example",
        now=NOW,
    )
    assert updated["ruleset_version"] == "2026.11.1+958dd7192a53"
    assert updated["categories"]["subscriber"]["outcome"] == "not_allowed"
    assert [o["outcome"] for o in updated["overrides"]] == ["allowed", "not_allowed"]
    assert verify_record({**record, "decision": updated})


# Decisions recorded by rule set 2026.11.2 with the code of that release (every scenario of the
# table as it stood, and one record already carrying a reviewer override); never regenerated.
STORED_2026_11_2 = Path(__file__).parent / "data" / "records-2026.11.2.json"
V2026_11_2 = "2026.11.2+3cb4d300dd75"


def test_decisions_stored_under_the_second_release_replay_under_their_own_version() -> None:
    stored = json.loads(STORED_2026_11_2.read_text(encoding="utf-8"))
    assert len(stored) >= 200
    for item in stored:
        record = item["record"]
        assert record["ruleset_version"] == V2026_11_2
        assert verify_record(record), item["name"]
        assert replay(record).ruleset_version == V2026_11_2


def test_a_second_release_decision_can_still_be_overridden_under_its_own_version() -> None:
    stored = json.loads(STORED_2026_11_2.read_text(encoding="utf-8"))
    record = next(i["record"] for i in stored if i["name"] == "override")
    assert [o["outcome"] for o in record["decision"]["overrides"]] == ["not_allowed"]
    updated = override_record(
        record, category="subscriber", outcome="allowed",
        reason="The prosecutor confirmed the suspect designation again.",
        reviewer="approver@platform.example", now=NOW,
    )
    assert updated["ruleset_version"] == V2026_11_2
    assert updated["categories"]["subscriber"]["outcome"] == "allowed"
    assert [o["outcome"] for o in updated["overrides"]] == ["not_allowed", "allowed"]
    assert verify_record({**record, "decision": updated})


@settings(max_examples=60, deadline=None)
@given(f=facts, policy=policies(), overrides=st.lists(
    st.tuples(st.sampled_from(list(DataCategory)),
              st.sampled_from([Outcome.ALLOWED, Outcome.NOT_ALLOWED,
                               Outcome.NEEDS_FURTHER_PROCESS])), max_size=3))
def test_a_stored_decision_reads_back_exactly(
    f: Facts, policy: PlatformPolicy, overrides: list[tuple[DataCategory, Outcome]]
) -> None:
    # What the cases app stores (JSON) reads back as the same typed decision: to_dict of
    # from_dict gives the stored form again, key for key, overrides included.
    decision = decide(f, config=DeploymentConfig(policy=policy), now=NOW)
    for category, outcome in overrides:
        if category in decision.categories and decision.outcome(category) not in (
                outcome, Outcome.NOT_HELD):
            decision = apply_override(decision, category=category, outcome=outcome,
                                          reason="Checked with counsel on the file.",
                                          reviewer="reviewer@platform.example", now=NOW)
    stored = json.loads(json.dumps(decision.to_dict()))
    typed = Decision.from_dict(stored)
    assert typed.to_dict() == stored
    assert json.dumps(typed.to_dict(), sort_keys=True) == json.dumps(stored, sort_keys=True)
    assert typed.allowed_categories() == {c for c in decision.categories
                                          if decision.outcome(c) is Outcome.ALLOWED}
    assert typed.duty_set() == {d.duty for d in decision.duties}


def test_decisions_of_earlier_rule_sets_read_back_exactly() -> None:
    earlier = _stored() + json.loads(STORED_2026_11_2.read_text(encoding="utf-8"))
    for item in earlier:
        stored = item["record"]["decision"]
        assert Decision.from_dict(stored).to_dict() == stored, item["name"]
