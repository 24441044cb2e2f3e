"""Desk actions: one permission table, and every refused four-eyes attempt on the record."""

from __future__ import annotations

import pytest

from lawdesk.audit.models import Event
from lawdesk.cases import disclosure, services
from lawdesk.cases.models import Message, Status
from lawdesk.core.clock import utcnow
from lawdesk.core.errors import DomainError, PermissionDenied


def _proposed(case, proposer, now):
    services.start_review(case=case, actor=proposer, now=now)
    return disclosure.propose_disclosure(case=case, actor=proposer, now=now,
                                         categories=["subscriber"],
                                         target_ids=[t.pk for t in case.targets.all()],
                                         legal_basis="EPOC by a prosecutor, Art. 4(1) e-Evidence")


@pytest.mark.django_db
def test_refused_four_eyes_attempts_are_audited_and_listed_on_the_desk(
        client, submit, reviewer, approver, make_staff):
    """A reviewer approving, an approver before the call-back, a proposer approving their own
    proposal: each is refused, and each refusal survives the refused transaction's rollback."""
    now = utcnow()  # the desk lists the last 7 days
    production = submit(at=now)
    proposal = _proposed(production, reviewer, now)
    with pytest.raises(PermissionDenied):
        disclosure.approve_proposal(proposal=proposal, actor=reviewer, now=now)

    other_approver = make_staff("approver", email="approver2@platform.example")
    emergency = submit(at=now, kind="emergency_disclosure", uploads=[],
                       emergency_threat="A child agreed to meet the suspect tonight.")
    urgent = _proposed(emergency, approver, now)
    with pytest.raises(PermissionDenied, match="Four eyes"):
        disclosure.approve_proposal(proposal=urgent, actor=approver, now=now)
    with pytest.raises(DomainError, match="call-back"):
        disclosure.approve_proposal(proposal=urgent, actor=other_approver, now=now)

    refused = Event.objects.filter(action="cases:disclosure:four_eyes_refused").order_by("seq")
    seen = [(e.actor["email"], e.params["number"], e.params["attempted"]) for e in refused]
    assert seen == [(reviewer.email, production.number, "approve"),
                    (approver.email, emergency.number, "approve"),
                    (other_approver.email, emergency.number, "approve")]
    reasons = [e.params["reason"] for e in refused]
    assert reasons[1] == "proposer approving their own proposal"
    assert reasons[2] == "approval before the emergency call-back"
    # Nothing of the refused approvals was kept.
    emergency.refresh_from_db()
    production.refresh_from_db()
    assert emergency.status == production.status == Status.IN_REVIEW

    client.force_login(make_staff("intake"))
    desk = client.get("/desk/").content.decode().lower()
    assert "refused attempts in the last 7 days: 3" in desk
    assert "approval before the emergency call-back" in desk
    assert "proposer approving their own proposal" in desk


@pytest.mark.django_db
def test_the_auditor_reads_the_case_but_cannot_write_on_it(client, submit, make_staff):
    case = submit()
    auditor = make_staff("auditor")
    client.force_login(auditor)
    assert client.get(f"/desk/cases/{case.pk}/").status_code == 200
    response = client.post(f"/desk/cases/{case.pk}/", {"action": "note", "n-body": "I was here"})
    assert response.status_code == 403
    assert "Your role does not allow this action" in response.content.decode()
    assert not Message.objects.filter(case=case).exists()
    event = Event.objects.get(action="cases:case:action_refused")
    assert event.actor["email"] == auditor.email and event.params["attempted"] == "note"
