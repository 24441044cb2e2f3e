"""Property: whatever staff and requesters do, no case loses its deadline or leaves the queue
while it is open, and the clock is paused exactly while a clarification is awaited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lawdesk.cases import conversation, disclosure, flows, legal_clock, preservation, services
from lawdesk.cases.models import Case, Status
from lawdesk.cases.selectors import desk_queue
from lawdesk.core.errors import DomainError

ACTIONS = ["review", "ask", "answer", "propose", "approve", "refuse", "withdraw", "escalate",
           "extend", "release"]
KINDS = ["production", "emergency_disclosure", "preservation"]


@pytest.mark.django_db
@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(kind=st.sampled_from(KINDS),
       steps=st.lists(st.tuples(st.sampled_from(ACTIONS), st.integers(0, 72 * 3600)),
                      max_size=12))
def test_no_case_without_deadline_or_out_of_queue(submit, officer, reviewer, approver, now,
                                                  kind, steps):
    extra = {"emergency_threat": "Threat to life announced for tomorrow at dawn.",
             "uploads": []} if kind == "emergency_disclosure" else {}
    if kind == "preservation":
        extra = {"instrument_type": "epoc_pr", "categories": ["subscriber"]}
    case = submit(kind=kind, **extra)
    t = now
    for action, gap in steps:
        t = t + timedelta(seconds=gap)
        try:
            case = Case.objects.get(pk=case.pk)
            if action == "review":
                services.start_review(case=case, actor=reviewer, now=t)
            elif action == "ask":
                conversation.ask_clarification(case=case, actor=reviewer, now=t,
                                               question="Which account exactly is meant?")
            elif action == "answer":
                conversation.answer_clarification(case=case, actor=officer, now=t,
                                                  answer="The one with the phone number.")
            elif action == "propose":
                disclosure.propose_disclosure(case=case, actor=reviewer, now=t,
                                              categories=["subscriber"],
                                              target_ids=[x.pk for x in case.targets.all()],
                                              legal_basis="Art. 4(1) e-Evidence Regulation")
            elif action == "approve":
                proposal = case.proposals.filter(decided_at__isnull=True).first()
                if proposal:
                    if case.needs_callback:
                        disclosure.confirm_callback(case=case, actor=reviewer, now=t,
                                                 person="Duty officer", supervisor="Chief")
                    disclosure.approve_proposal(proposal=proposal, actor=approver, now=t)
            elif action == "refuse":
                services.refuse(case=case, actor=reviewer, now=t, ground="de_facto_impossibility",
                                text="Data not held.")
            elif action == "withdraw":
                services.withdraw(case=case, actor=officer, now=t, reason="no longer needed")
            elif action == "extend":
                preservation.extend_preservation(case=case, actor=reviewer, now=t, reason="asked")
            elif action == "release":
                preservation.release_preservation(case=case, actor=reviewer, now=t, reason="revoked")
            else:
                services.escalate(now=t)
        except DomainError:
            pass  # an illegal step for the current state: refused, nothing changed
        case = Case.objects.get(pk=case.pk)
        assert case.deadline_at is not None and case.deadline_rule
        assert (case.paused_at is not None) == (case.status == Status.AWAITING_CLARIFICATION)
        in_queue = desk_queue().filter(pk=case.pk).exists()
        assert in_queue == flows.is_open(case.status)
        assert legal_clock.urgency(case, t) in {"done", "paused", "on_time", "due_soon", "overdue"}
        if flows.is_open(case.status) and case.paused_at is None and case.status not in flows.ANSWERED:
            assert legal_clock.urgency(case, t) != "done"
