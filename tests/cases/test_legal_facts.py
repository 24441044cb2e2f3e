"""The legal facts of issue 13 at intake: stored, fed to the rule engine, refused field by field."""

from __future__ import annotations

import pytest
from django.http import QueryDict

from lawdesk.cases import analysis, disclosure, intake, submission
from lawdesk.cases.forms import payload_from_post
from lawdesk.cases.models import Case
from lawdesk.law.decision import CategoryResult


def _rules(result: CategoryResult) -> list[str]:
    return [r.rule for r in result.reasons]


def test_a_journalists_data_goes_to_counsel_not_to_the_officer(submit):
    case = submit(protected_status="journalist")
    assert case.law_facts == {"protected_status": "journalist"}
    assert case.law_record["facts"]["protected_status"] == "journalist"
    subscriber = case.legal.categories["subscriber"]
    assert subscriber.outcome == "needs_further_process"
    assert "eevidence.annex3.immunities_or_press_freedom" in _rules(subscriber)
    assert case.legal.has_duty("counsel_review")
    assert case.receipt["legal_facts"] == {"protected_status": "journalist"}


def test_unknown_online_fact_asks_and_known_allows(submit):
    # A judge's EPOC for content, child sexual abuse punishable by 2 years.
    base = {"issuer_role": "investigating_judge", "categories": ["content"],
            "max_sentence_years": 2}
    unknown = submit(**base)
    # The law's view (the default platform policy never discloses content anyway).
    content = unknown.legal.categories["content"]
    assert content.law_outcome == "needs_further_process"
    assert "eevidence.art5_4_b.online_unknown" in _rules(content)
    online = submit(**base, offence_committed_online=True)
    assert online.legal.categories["content"].law_outcome == "allowed"
    offline = submit(**base, offence_committed_online=False)
    assert offline.legal.categories["content"].law_outcome == "not_allowed"


def test_emergency_facts_reach_the_engine(submit, reviewer, now):
    case = submit(kind="emergency_disclosure", emergency_kind="critical_infrastructure",
                  ex_post_validation="pending",
                  emergency_threat="Attack planned on the regional power grid control room.",
                  uploads=[])
    assert case.law_facts == {"emergency_kind": "critical_infrastructure",
                              "ex_post_validation": "pending"}
    disclosure.confirm_callback(case=case, actor=reviewer, now=now, person="Lt. Marc Colin",
                             supervisor="Commissaire Laurent")
    case = analysis.rerun_legal_analysis(case=Case.objects.get(pk=case.pk), actor=reviewer, now=now)
    assert case.law_record["facts"]["callback_result"] == "confirmed"


@pytest.mark.parametrize(("overrides", "field"), [
    ({"emergency_kind": "critical_infrastructure"}, "emergency_kind"),
    ({"ex_post_validation": "refused"}, "ex_post_validation"),
    ({"enforcing_authority_ground": "ne_bis_in_idem"}, "enforcing_authority_ground"),
    ({"user_location": "UK"}, "user_location"),
    ({"protected_status": "priest"}, "protected_status"),
    ({"offence_committed_online": "maybe"}, "offence_committed_online"),
    ({"user_notice_not_before": "soon"}, "user_notice_not_before"),
    ({"data_held_by": "moon"}, "data_held_by"),
])
def test_bad_legal_facts_are_refused_field_by_field(submit, overrides, field):
    with pytest.raises(intake.IntakeRefused) as refused:
        submit(**overrides)
    assert field in refused.value.errors, refused.value.errors
    assert Case.objects.count() == 0


def test_a_french_ground_from_a_german_agency_is_a_field_error(make_agency, make_officer, now):
    from tests.factories import payload, pdf

    agency = make_agency(name="LKA Berlin", kind="police", country="DE", domain="lka.example")
    officer = make_officer(agency)
    with pytest.raises(intake.IntakeRefused) as refused:
        submission.submit_request(actor=officer, now=now, payload=payload(missing_person_search=True),
                                  uploads=[pdf()])
    assert "French" in refused.value.errors["missing_person_search"][0]
    assert Case.objects.count() == 0


def test_the_portal_form_posts_the_legal_facts():
    post = QueryDict(mutable=True)
    post.update({"kind": "production", "proceedings": "non_criminal",
                 "offence_committed_online": "no", "protected_status": "lawyer",
                 "user_notice_not_before": "2027-01-01", "user_location": "fr",
                 "enforcing_authority_notified": "on",
                 "enforcing_authority_ground": "double_criminality",
                 "data_held_by": "eu_establishment"})
    payload = payload_from_post(post)
    assert payload["criminal_proceedings"] is False
    assert payload["offence_committed_online"] is False
    assert payload["protected_status"] == "lawyer"
    assert payload["enforcing_authority_notified"] is True
    assert payload["user_location"] == "fr"
    assert payload["data_held_by"] == "eu_establishment"
    untouched = payload_from_post(QueryDict("kind=production&offence_committed_online="))
    assert "offence_committed_online" not in untouched
    assert "criminal_proceedings" not in untouched


def test_data_held_by_the_eu_establishment_reaches_the_engine(submit):
    case = submit(data_held_by="eu_establishment", user_location="fr")
    assert case.law_facts == {"data_held_by": "eu_establishment", "user_location": "FR"}
    assert case.law_record["facts"]["data_held_by"] == "eu_establishment"


_FACTS = {"authority_country": "FR", "authority_kind": "prosecutor", "issuer_role": "prosecutor",
          "instrument": "epoc", "offence_category": "fraud", "max_sentence_months": 60,
          "user_named_as_suspect": True, "received_at": "2026-11-02T09:00:00Z",
          "categories": ["subscriber"]}


@pytest.mark.parametrize("changes", [
    {"authority_country": "UK"}, {"authority_country": "XX"},
    {"establishment": {"eu_member_state": "CH"}},
    {"categories": ["content", "content"]}, {"categories": []},
    {"instrument": "epoc_pr", "request_kind": "production"},
    {"request_kind": "preservation"},
    {"nondisclosure_until": "2027-01-01"},
    {"emergency_kind": "critical_infrastructure"},
    {"enforcing_authority_ground": "ne_bis_in_idem"},
    {"authority_country": "DE", "victim_own_device": True},
])
def test_the_engines_messages_about_facts_are_said_in_french(changes):
    """Every model check of the rule engine an officer can meet at intake has its French: the
    engine's English (hashed into the rule set) is matched, never shown to a French officer."""
    from django.utils import translation

    from lawdesk.law.facts import FactsError, parse_facts

    with pytest.raises(FactsError) as refused:
        parse_facts({**_FACTS, **changes})
    fallback = "L'analyse juridique ne peut accepter cette valeur"
    with translation.override("fr"):
        said = [analysis.facts_message(message) for _field, message in refused.value.errors]
    assert said and not any(s.startswith(fallback) for s in said), (refused.value.errors, said)


def test_a_french_officer_reads_the_engines_refusal_in_french(make_agency, make_officer, now):
    from django.utils import translation

    from tests.factories import payload, pdf

    agency = make_agency(name="LKA Berlin", kind="police", country="DE", domain="lka.example")
    officer = make_officer(agency)
    with translation.override("fr"), pytest.raises(intake.IntakeRefused) as refused:
        submission.submit_request(actor=officer, now=now, payload=payload(victim_own_device=True),
                                  uploads=[pdf()])
    assert refused.value.errors["victim_own_device"] == [
        "Motif de réquisition français (CPP, art. 60-1-2) : votre autorité n'est pas française."]
    assert analysis.facts_message("something the engine never said") == (
        "The legal analysis cannot accept this value; check it against the order.")
