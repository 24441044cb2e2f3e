"""The facts format, its errors, the deployment config and the ``lawdesk law`` commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lawdesk.law.cli import app
from lawdesk.law.config import load_config
from lawdesk.law.deadlines import days, due_at, hours
from lawdesk.law.facts import FactsError, parse_facts, parse_facts_json
from lawdesk.law.vocabulary import EU_MEMBER_STATES, ISO_3166_ALPHA2, RequestKind
from tests.law.conftest import EPOC_FR, NOW

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "law" / "examples"


def _errors(data: dict) -> dict[str, str]:
    with pytest.raises(FactsError) as info:
        parse_facts(data)
    return dict(info.value.errors)


def test_country_lists() -> None:
    assert len(ISO_3166_ALPHA2) == 249
    assert len(EU_MEMBER_STATES) == 27
    assert EU_MEMBER_STATES <= ISO_3166_ALPHA2


def test_lowercase_country_is_normalised() -> None:
    assert parse_facts({**EPOC_FR, "authority_country": "fr"}).authority_country == "FR"


def test_uk_is_rejected_with_a_hint() -> None:
    assert "use 'GB'" in _errors({**EPOC_FR, "authority_country": "UK"})["authority_country"]


def test_unknown_field_is_named() -> None:
    assert "unknown field" in _errors({**EPOC_FR, "categorys": ["subscriber"]})["categorys"]


def test_bad_enum_value_is_named() -> None:
    assert "instrument" in _errors({**EPOC_FR, "instrument": "fax"})


def test_missing_categories_is_named() -> None:
    assert "categories" in _errors({**EPOC_FR, "categories": []})


def test_duplicate_categories_is_named() -> None:
    assert "categories" in _errors({**EPOC_FR, "categories": ["content", "content"]})


def test_request_kind_must_match_instrument() -> None:
    assert "request_kind" in _errors({**EPOC_FR, "instrument": "epoc_pr",
                                      "request_kind": "production"})


def test_naive_received_at_is_rejected() -> None:
    assert "received_at" in _errors({**EPOC_FR, "received_at": "2026-11-02T09:00:00"})


def test_establishment_must_be_a_member_state() -> None:
    errors = _errors({**EPOC_FR, "establishment": {"eu_member_state": "CH"}})
    assert any(k.startswith("establishment") for k in errors)


def test_request_kind_is_derived_from_the_instrument() -> None:
    facts = parse_facts({**EPOC_FR, "instrument": "epoc_pr"})
    assert facts.kind is RequestKind.PRESERVATION


def test_bad_json_is_reported() -> None:
    with pytest.raises(FactsError, match="not valid JSON"):
        parse_facts_json("{")
    with pytest.raises(FactsError, match="JSON object"):
        parse_facts_json("[]")


def test_config_from_toml(tmp_path: Path) -> None:
    path = tmp_path / "law.toml"
    path.write_text(
        '[establishment]\neu_member_state = "FR"\nus_entity = false\n'
        '[deadlines]\ndsa_without_undue_delay = { hours = 24 }\n'
        '[policy]\nrequire_named_suspect = false\n'
        '[policy.disclose]\nsubscriber = ["phone_number", "email"]\n'
    )
    config = load_config(path)
    assert config.establishment.eu_member_state == "FR"
    assert config.deadline("dsa_without_undue_delay") == hours(24)
    assert config.deadline("fr_requisition") == days(10)
    assert not config.policy.require_named_suspect


def test_config_rejects_unknown_deadline_and_fields() -> None:
    with pytest.raises(ValueError, match="unknown deadline"):
        load_config({"deadlines": {"tco": {"hours": 2}}})
    with pytest.raises(ValueError, match="unknown subscriber fields"):
        load_config({"policy": {"disclose": {"subscriber": ["password"]}}})
    with pytest.raises(ValueError, match="list the fields"):
        load_config({"policy": {"disclose": {"subscriber": []}}})
    with pytest.raises(ValueError, match="has no field list"):
        load_config({"policy": {"disclose": {"content": ["text"]}}})


def test_due_at_adds_the_period() -> None:
    assert due_at(NOW, hours(8)) - NOW == hours(8).as_timedelta()
    with pytest.raises(ValueError):
        due_at(NOW.replace(tzinfo=None), days(1))


def test_cli_check_prints_the_decision(tmp_path: Path) -> None:
    path = tmp_path / "request.json"
    path.write_text(json.dumps({**EPOC_FR, "categories": ["subscriber", "content"]}))
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["categories"]["subscriber"]["outcome"] == "allowed"
    assert out["categories"]["subscriber"]["fields"] == ["phone_number"]
    reason = out["categories"]["content"]["reasons"][0]
    assert set(reason) == {"rule", "regime", "article", "explanation"}
    assert out["deadline"]["days"] == 10
    assert {"rule", "article"} <= set(out["deadline"])
    assert all({"duty", "article"} <= set(d) for d in out["duties"])
    assert out["ruleset_version"]


def test_cli_check_names_the_bad_field(tmp_path: Path) -> None:
    path = tmp_path / "request.json"
    path.write_text(json.dumps({**EPOC_FR, "authority_country": "XX", "emergncy": True}))
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 2
    assert "authority_country" in result.stderr
    assert "emergncy: unknown field" in result.stderr


def test_cli_check_rejects_bad_json_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "request.json"
    path.write_text("{not json")
    assert runner.invoke(app, ["check", str(path)]).exit_code == 2
    missing = runner.invoke(app, ["check", str(tmp_path / "nope.json")])
    assert missing.exit_code == 2
    assert "cannot read" in missing.stderr


def test_cli_check_with_config(tmp_path: Path) -> None:
    request = tmp_path / "request.json"
    request.write_text(json.dumps({**EPOC_FR, "categories": ["content"], "issuer_role": "judge"}))
    config = tmp_path / "law.toml"
    config.write_text('[policy.disclose]\ncontent = "all"\n')
    result = runner.invoke(app, ["check", str(request), "--config", str(config)])
    assert result.exit_code == 0, result.output
    content = json.loads(result.stdout)["categories"]["content"]
    assert (content["outcome"], content["fields"]) == ("allowed", None)
    config.write_text("[policy]\nnonsense = 1\n")
    bad = runner.invoke(app, ["check", str(request), "--config", str(config)])
    assert bad.exit_code == 2
    assert "nonsense" in bad.stderr


def test_cli_docs_check(tmp_path: Path) -> None:
    # `lawdesk law docs` is registered by lawdesk.cli (the French pages cite through core)
    from lawdesk.cli import app as lawdesk_app

    docs = ["law", "docs", "--out", str(tmp_path)]
    assert runner.invoke(lawdesk_app, [*docs, "--check"]).exit_code == 2
    assert runner.invoke(lawdesk_app, docs).exit_code == 0
    assert (tmp_path / "fr" / "index.md").exists()
    assert runner.invoke(lawdesk_app, [*docs, "--check"]).exit_code == 0
    (tmp_path / "fr" / "fr.md").write_text("edited by hand\n", encoding="utf-8")
    result = runner.invoke(lawdesk_app, [*docs, "--check"])
    assert result.exit_code == 2 and "fr/fr.md" in result.output


@pytest.mark.parametrize("example", sorted(EXAMPLES.glob("*.json")), ids=lambda p: p.name)
def test_documented_examples_are_valid(example: Path) -> None:
    result = runner.invoke(app, ["check", str(example)])
    assert result.exit_code == 0, result.output


def test_cli_check_requires_received_at_or_now(tmp_path: Path) -> None:
    facts = {k: v for k, v in EPOC_FR.items() if k != "received_at"}
    path = tmp_path / "request.json"
    path.write_text(json.dumps(facts))
    missing = runner.invoke(app, ["check", str(path)])
    assert missing.exit_code == 2
    assert "received_at: required" in missing.stderr
    before = runner.invoke(app, ["check", str(path), "--now", "2026-08-17T23:00:00Z"])
    assert before.exit_code == 0, before.output
    rule = json.loads(before.stdout)["categories"]["subscriber"]["reasons"][0]["rule"]
    assert rule == "eevidence.art34.not_yet_applicable"
    after = runner.invoke(app, ["check", str(path), "--now", "2026-08-18T00:00:00Z"])
    assert json.loads(after.stdout)["categories"]["subscriber"]["outcome"] == "allowed"
    naive = runner.invoke(app, ["check", str(path), "--now", "2026-08-18T00:00:00"])
    assert naive.exit_code == 2
    assert "--now" in naive.stderr


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"emergency_kind": "critical_infrastructure"}, "emergency_kind", "only for an emergency"),
    ({"callback_result": "failed"}, "callback_result", "only for an emergency"),
    ({"ex_post_validation": "refused"}, "ex_post_validation", "only for an emergency"),
    ({"enforcing_authority_ground": "ne_bis_in_idem"}, "enforcing_authority_ground", "notified"),
    ({"authority_country": "DE", "missing_person_search": True}, "missing_person_search",
     "French"),
    ({"authority_country": "DE", "victim_own_device": True}, "victim_own_device", "French"),
    ({"protected_status": "priest"}, "protected_status", ""),
    ({"emergency": True, "emergency_kind": "flood"}, "emergency_kind", ""),
    ({"data_held_by": "moon"}, "data_held_by", ""),
    ({"user_location": "UK"}, "user_location", "use 'GB'"),
    ({"offence_committed_online": "maybe"}, "offence_committed_online", ""),
    ({"user_notice_not_before": "soon"}, "user_notice_not_before", ""),
])
def test_new_facts_are_validated_field_by_field(changes: dict, field: str, words: str) -> None:
    errors = _errors({**EPOC_FR, **changes})
    assert field in errors, errors
    assert words in errors[field]


def test_new_facts_parse() -> None:
    facts = parse_facts({**EPOC_FR, "emergency": True, "emergency_kind": "critical_infrastructure",
                         "callback_result": "confirmed", "ex_post_validation": "pending",
                         "enforcing_authority_notified": True,
                         "enforcing_authority_ground": "double_criminality",
                         "protected_status": "journalist", "data_held_by": "both",
                         "user_location": "fr", "offence_committed_online": None,
                         "user_notice_not_before": "2027-01-01"})
    assert facts.user_location == "FR"
    assert facts.offence_committed_online is None
