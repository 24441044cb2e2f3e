"""The count tables: kept incrementally as cases change, equal to a rebuild from the cases,
and equal to the log's counts for closed cases."""

from __future__ import annotations

from collections import Counter
from contextlib import suppress
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from lawdesk.cases import conversation, disclosure, preservation, services, submission
from lawdesk.cases.models import Case
from lawdesk.core.errors import DomainError
from lawdesk.transparency import counts
from lawdesk.transparency.leaves import decode_leaf
from lawdesk.transparency.models import LogLeaf, QuarterCount
from lawdesk.transparency.report import compute_counts
from tests.factories import payload, pdf

ACTIONS = ["review", "ask", "answer", "propose", "propose_part", "approve", "refuse", "refuse_other",
           "withdraw", "collect", "deliver", "close", "release", "extend", "finish", "finish"]
FINISH = ["review", "propose", "approve", "collect", "deliver", "close"]
KINDS = ["production", "emergency_disclosure", "preservation"]


def _submit(officer, kind, at, nondisclosure):
    extra: dict = {}
    uploads = [pdf()]
    if kind == "emergency_disclosure":
        extra = {"emergency_threat": "Threat to life announced for tomorrow at dawn."}
        uploads = []
    if kind == "preservation":
        extra = {"instrument_type": "epoc_pr", "categories": ["subscriber"]}
    if nondisclosure:
        extra["nondisclosure_order"] = True
        extra["nondisclosure_until"] = "2027-06-30"
    return submission.submit_request(actor=officer, now=at, payload=payload(kind=kind, **extra),
                                     uploads=uploads)


def _step(case, action, t, officer, reviewer, approver, accounts):
    if action == "review":
        services.start_review(case=case, actor=reviewer, now=t)
    elif action == "ask":
        conversation.ask_clarification(case=case, actor=reviewer, now=t, question="Which account exactly?")
    elif action == "answer":
        conversation.answer_clarification(case=case, actor=officer, now=t, answer="The phone number.")
    elif action in ("propose", "propose_part"):
        targets = [x.pk for x in case.targets.all()]
        disclosure.propose_disclosure(case=case, actor=reviewer, now=t,
                                      categories=["subscriber"] if action == "propose_part" else case.categories,
                                      target_ids=targets if action == "propose" else targets[:1],
                                      legal_basis="Art. 4(1) e-Evidence Regulation")
    elif action == "approve":
        proposal = case.proposals.filter(decided_at__isnull=True).first()
        if proposal:
            if case.needs_callback:
                disclosure.confirm_callback(case=case, actor=reviewer, now=t, person="Duty officer",
                                         supervisor="Chief")
            disclosure.approve_proposal(proposal=proposal, actor=approver, now=t)
    elif action == "refuse":
        services.refuse(case=case, actor=reviewer, now=t, ground="de_facto_impossibility", text="Not held.")
    elif action == "refuse_other":
        services.refuse(case=case, actor=reviewer, now=t, ground="other", text="The order is not signed.")
    elif action == "withdraw":
        services.withdraw(case=case, actor=officer, now=t, reason="no longer needed")
    elif action == "collect":
        services.start_collection(case=case, now=t)
    elif action == "deliver":
        if case.status == "collecting":
            services.mark_delivered(case=case, now=t, accounts_affected=accounts)
    elif action == "close":
        if case.status == "delivered":
            services.close_case(case=case, actor=None, now=t)
    elif action == "extend":
        preservation.extend_preservation(case=case, actor=reviewer, now=t, reason="asked")
    elif action == "release":
        preservation.release_preservation(case=case, actor=reviewer, now=t, reason="revoked")


def assert_tables_agree_with_cases_and_log() -> None:
    expected = counts.expected_from_cases()
    assert counts.differences(expected, counts.current_tables()) == []
    # Closed cases: the log's counts equal the count tables, quarter by quarter and country.
    leaves = [decode_leaf(d) for d in LogLeaf.objects.values_list("data", flat=True)]
    for period, country in {(leaf.period, leaf.country) for leaf in leaves}:
        logged = compute_counts(leaves, period=period, country=country)
        table = Counter({m: n for (q, c, d, _v, m), n in expected[0].items()
                         if (q, c, d) == (period, country, "total")})
        assert logged["by_outcome"] == {o: table[o] for o in counts.CLOSED_OUTCOMES if table[o]}
        assert logged["accounts_affected"] == table["accounts_affected"]
    closed = Case.objects.filter(closed_at__isnull=False).count()
    assert len(leaves) == closed


@pytest.mark.django_db
@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(histories=st.lists(
    st.tuples(st.sampled_from(KINDS), st.booleans(), st.booleans(), st.integers(0, 120 * 86400),
              st.lists(st.tuples(st.sampled_from(ACTIONS), st.integers(0, 60 * 86400)), max_size=9),
              st.integers(0, 40)),
    min_size=1, max_size=4))
def test_incremental_counts_equal_the_rebuild(officer, make_agency, make_officer, reviewer, approver,
                                              now, histories):
    officers = [officer, make_officer(make_agency(country="DE"))]
    for kind, german, nondisclosure, start, steps, accounts in histories:
        who = officers[int(german)]
        t = now + timedelta(seconds=start)  # e-Evidence applies: disclosures can be approved
        case = _submit(who, kind, t, nondisclosure)
        for action, gap in steps:
            t = t + timedelta(seconds=gap)
            case = Case.objects.get(pk=case.pk)
            for one in FINISH if action == "finish" else [action]:
                with suppress(DomainError):
                    _step(Case.objects.get(pk=case.pk), one, t, who, reviewer, approver, accounts)
        event(f"outcome {Case.objects.get(pk=case.pk).outcome}")
    assert_tables_agree_with_cases_and_log()


@pytest.mark.django_db
def test_a_closed_case_is_counted_in_its_quarters_and_logged(officer, reviewer, approver, now):
    t = now.replace(month=12, day=30)
    case = _submit(officer, "production", t, False)
    services.start_review(case=case, actor=reviewer, now=t + timedelta(hours=5))
    proposal = disclosure.propose_disclosure(case=case, actor=reviewer, now=t + timedelta(days=1),
                                             categories=case.categories,
                                             target_ids=[x.pk for x in case.targets.all()],
                                             legal_basis="Art. 60-1 CPP requisition")
    disclosure.approve_proposal(proposal=proposal, actor=approver, now=t + timedelta(days=2))
    services.start_collection(case=case, now=t + timedelta(days=3))
    services.mark_delivered(case=case, now=t + timedelta(days=4), accounts_affected=3)
    services.close_case(case=case, actor=None, now=t + timedelta(days=5))

    def n(quarter, measure, dimension="total", value=""):
        row = QuarterCount.objects.filter(quarter=quarter, country="FR", dimension=dimension,
                                          value=value, measure=measure).first()
        return row.n if row else 0

    assert n("2026-Q4", "received") == 1 and n("2026-Q4", "pending") == 0
    assert n("2027-Q1", "fulfilled") == 1 and n("2026-Q4", "fulfilled") == 0
    assert n("2027-Q1", "accounts_affected") == 3
    assert n("2027-Q1", "fulfilled", "category", "identification") == 1
    assert n("2027-Q1", "fulfilled", "instrument", "epoc") == 1
    leaf = decode_leaf(LogLeaf.objects.get(case_ref=case.number).data)
    assert (leaf.period, leaf.country, leaf.kind, leaf.outcome, leaf.accounts_affected) == \
        ("2027-Q1", "FR", "production", "fulfilled", 3)
    assert_tables_agree_with_cases_and_log()


@pytest.mark.django_db
def test_the_rebuild_repairs_and_reports_a_drifted_table(submit, reviewer, now):
    case = submit(at=now)
    services.start_review(case=case, actor=reviewer, now=now)
    services.refuse(case=case, actor=reviewer, now=now + timedelta(hours=1), ground="other",
                    text="The order is not signed.")
    assert counts.rebuild() == []
    QuarterCount.objects.filter(dimension="total", measure="refused").update(n=5)
    problems = counts.rebuild(write=False)
    assert problems == ["2026-Q4 FR total refused: table 5, cases 1"]
    assert counts.rebuild() == problems
    assert counts.rebuild() == []
