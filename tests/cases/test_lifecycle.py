"""The case lifecycle: intake, review, clarification clock, four eyes, refusal, withdrawal."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lawdesk.audit.models import Event
from lawdesk.cases import analysis, conversation, disclosure, intake, services, submission
from lawdesk.cases.models import Case, Status
from lawdesk.core.errors import DomainError, InvalidTransition, PermissionDenied
from tests.factories import payload, pdf

pytestmark = pytest.mark.django_db


def test_accepted_request_gets_number_receipt_deadline_and_audit(submit, now):
    case = submit()
    assert case.number == f"LD-2026-{case.pk:06d}"
    assert case.status == Status.RECEIVED
    assert case.deadline_at == now + timedelta(days=10)
    assert "Art. 10" in case.deadline_article
    assert len(case.receipt_sha256) == 64
    assert case.receipt["attachments"][0]["sha256"] == case.attachments.get().sha256
    assert [t.value for t in case.targets.all()] == ["+33612345678", "night_owl"]
    assert case.legal.outcome("subscriber")
    assert case.ruleset_version
    assert "first_time_requester" in case.flags
    assert Event.objects.filter(action="cases:case:received", target_id=str(case.pk)).exists()


def test_emergency_deadline_is_eight_hours(submit, now):
    case = submit(kind="emergency_disclosure", instrument_type="emergency_request",
                  emergency_threat="A child is being groomed and a meeting is planned tonight.",
                  uploads=[])
    assert case.deadline_at == now + timedelta(hours=8)
    assert case.needs_callback


@pytest.mark.parametrize(("overrides", "field"), [
    ({"instrument_reference": ""}, "instrument_reference"),
    ({"kind": "emergency_disclosure", "instrument_type": "emergency_request",
      "emergency_threat": ""}, "emergency_threat"),
    ({"targets": [{"identifier": "+33 6"}]}, "targets.0.identifier"),
    ({"window_start": "2024-01-01T00:00:00Z", "window_end": "2026-01-01T00:00:00Z"}, "window_end"),
    ({"categories": []}, "categories"),
])
def test_bad_input_is_refused_field_by_field_and_nothing_is_saved(submit, overrides, field):
    with pytest.raises(intake.IntakeRefused) as refused:
        submit(**overrides)
    assert field in refused.value.errors
    assert Case.objects.count() == 0
    assert Event.objects.filter(action="cases:intake:refused").exists()


def test_missing_pdf_and_non_pdf_are_refused(submit):
    with pytest.raises(intake.IntakeRefused) as refused:
        submit(uploads=[])
    assert "attachments" in refused.value.errors
    with pytest.raises(intake.IntakeRefused) as refused:
        submit(uploads=[pdf("order.pdf", b"PK\x03\x04 this is a zip file")])
    assert "not a PDF" in refused.value.errors["attachments"][0]
    assert Case.objects.count() == 0


def test_suspended_officer_cannot_submit(submit, officer, admin_user, now):
    from lawdesk.accounts.services import decide_officer

    decide_officer(actor=admin_user, now=now, officer=officer.officer, status="suspended",
                   reason="left")
    officer.refresh_from_db()
    with pytest.raises(PermissionDenied):
        submission.submit_request(actor=type(officer).objects.get(pk=officer.pk), now=now,
                                  payload=payload(), uploads=[pdf()])
    assert Case.objects.count() == 0
    assert Event.objects.filter(action="cases:intake:refused").exists()


def test_clarification_pauses_and_resumes_the_clock(submit, reviewer, officer, now):
    case = submit()
    case = services.start_review(case=case, actor=reviewer, now=now + timedelta(days=1))
    case = conversation.ask_clarification(case=case, actor=reviewer, now=now + timedelta(days=2),
                                          question="Please send the validated order for the phone.")
    assert case.status == Status.AWAITING_CLARIFICATION
    assert case.paused_remaining == timedelta(days=8)
    case = conversation.answer_clarification(case=case, actor=officer, now=now + timedelta(days=5),
                                             answer="Attached to the file; validated on 1 Nov.")
    assert case.status == Status.IN_REVIEW
    assert case.deadline_at == now + timedelta(days=13)
    assert case.paused_at is None


def test_four_eyes_one_person_cannot_propose_and_approve(submit, reviewer, approver, now):
    case = submit()
    services.start_review(case=case, actor=reviewer, now=now)
    proposal = disclosure.propose_disclosure(
        case=case, actor=approver, now=now, categories=["identification"],
        target_ids=[t.pk for t in case.targets.all()], legal_basis="EPOC by a prosecutor, Art. 4(1)")
    with pytest.raises(PermissionDenied, match="Four eyes"):
        disclosure.approve_proposal(proposal=proposal, actor=approver, now=now)
    case.refresh_from_db()
    assert case.status == Status.IN_REVIEW
    assert Event.objects.filter(action="cases:disclosure:four_eyes_refused").exists()


def test_partial_approval_narrows_scope(submit, reviewer, approver, now):
    case = submit()
    services.start_review(case=case, actor=reviewer, now=now)
    first = case.targets.order_by("position").first()
    proposal = disclosure.propose_disclosure(case=case, actor=reviewer, now=now,
                                             categories=["identification"], target_ids=[first.pk],
                                             legal_basis="EPOC by a prosecutor, Art. 4(1)")
    assert proposal.partial
    case = disclosure.approve_proposal(proposal=proposal, actor=approver, now=now)
    assert case.status == Status.PARTIALLY_APPROVED
    assert [t.approved for t in case.targets.order_by("position")] == [True, False]


def test_emergency_cannot_be_approved_before_callback(submit, reviewer, approver, make_staff, now):
    case = submit(kind="emergency_disclosure", instrument_type="epoc",
                  emergency_threat="Explicit threat to kill a named person tomorrow morning.",
                  uploads=[])
    services.start_review(case=case, actor=reviewer, now=now)
    proposal = disclosure.propose_disclosure(
        case=case, actor=reviewer, now=now, categories=["subscriber"],
        target_ids=[t.pk for t in case.targets.all()], legal_basis="Emergency, Art. 3(18)")
    with pytest.raises(DomainError, match="call-back"):
        disclosure.approve_proposal(proposal=proposal, actor=approver, now=now)
    disclosure.confirm_callback(case=case, actor=reviewer, now=now, person="Lt. Marc Colin",
                             supervisor="Commissaire Laurent")
    case = disclosure.approve_proposal(proposal=proposal, actor=approver, now=now)
    assert case.status in (Status.APPROVED, Status.PARTIALLY_APPROVED)
    assert case.callback_number == case.agency.callback_phone


def test_refusal_needs_a_listed_ground(submit, reviewer, now):
    case = submit()
    services.start_review(case=case, actor=reviewer, now=now)
    with pytest.raises(DomainError):
        services.refuse(case=case, actor=reviewer, now=now, ground="because", text="")
    with pytest.raises(DomainError, match="other"):
        services.refuse(case=case, actor=reviewer, now=now, ground="other", text="")
    case = services.refuse(case=case, actor=reviewer, now=now, ground="de_facto_impossibility",
                           text="Secret chats are end-to-end encrypted.")
    assert case.status == Status.REFUSED and case.closed_at == now


def test_officer_withdraws_and_illegal_transitions_raise(submit, officer, reviewer, now):
    case = submit()
    case = services.withdraw(case=case, actor=officer, now=now, reason="Suspect identified")
    assert case.status == Status.WITHDRAWN
    with pytest.raises(InvalidTransition):
        services.start_review(case=case, actor=reviewer, now=now)


def test_officer_of_another_agency_cannot_withdraw(submit, make_agency, make_officer, now):
    case = submit()
    other = make_officer(make_agency(name="Elsewhere"))
    with pytest.raises(PermissionDenied):
        services.withdraw(case=case, actor=other, now=now, reason="not mine")


def test_escalation_marks_due_soon_and_overdue(submit, now):
    case = submit()
    assert services.escalate(now=now + timedelta(days=8)) == {"due_soon": 1}
    case.refresh_from_db()
    assert case.urgency == "due_soon"
    assert services.escalate(now=now + timedelta(days=11)) == {"overdue": 1}
    assert services.escalate(now=now + timedelta(days=11)) == {}


def test_preservation_is_preserved_on_receipt_for_sixty_days(submit, now):
    case = submit(kind="preservation", instrument_type="epoc_pr", categories=["subscriber"])
    assert case.status == Status.PRESERVED
    assert case.deadline_at == now + timedelta(days=60)
    assert Event.objects.filter(action="cases:preservation:instructed").exists()


def test_reviewer_override_needs_reason_is_audited_and_unlocks_the_proposal(
        submit, reviewer, approver, now):
    case = submit(categories=["subscriber", "traffic"])
    assert case.legal.outcome("traffic") != "allowed"
    services.start_review(case=case, actor=reviewer, now=now)
    with pytest.raises(DomainError):
        analysis.override_category(case=case, actor=reviewer, now=now, category="traffic",
                                    outcome="allowed", reason="ok")
    with pytest.raises(DomainError, match="not allow"):
        disclosure.propose_disclosure(case=case, actor=reviewer, now=now, categories=["traffic"],
                                      target_ids=[t.pk for t in case.targets.all()],
                                      legal_basis="Investigating judge's order attached")
    case = analysis.override_category(
        case=case, actor=reviewer, now=now, category="traffic", outcome="allowed",
        reason="The order was validated by the investigating judge on 2 Nov (annex 2).")
    assert case.legal.outcome("traffic") == "allowed"
    assert case.legal.overrides[0].reason.startswith("The order was validated")
    event = Event.objects.get(action="cases:law:overridden")
    assert event.params["from"] != "allowed" and event.params["to"] == "allowed"
    proposal = disclosure.propose_disclosure(
        case=case, actor=reviewer, now=now, categories=["traffic"],
        target_ids=[t.pk for t in case.targets.all()], legal_basis="Judge-validated order")
    assert proposal.categories == ["traffic"]
    from lawdesk.law.replay import verify_record

    assert verify_record(case.law_record)


def test_collection_delivery_and_close_are_idempotent_and_audited(submit, reviewer, approver, now):
    case = submit()
    services.start_review(case=case, actor=reviewer, now=now)
    proposal = disclosure.propose_disclosure(case=case, actor=reviewer, now=now,
                                             categories=["subscriber", "identification"],
                                             target_ids=[t.pk for t in case.targets.all()],
                                             legal_basis="EPOC by a prosecutor, Art. 4(1)")
    disclosure.approve_proposal(proposal=proposal, actor=approver, now=now)
    services.start_collection(case=case, now=now)
    services.start_collection(case=case, now=now)
    case = services.mark_delivered(case=case, now=now, accounts_affected=2)
    services.mark_delivered(case=case, now=now, accounts_affected=2)
    case = services.close_case(case=case, actor=reviewer, now=now)
    assert case.status == Status.CLOSED and case.outcome == "fulfilled"
    assert Event.objects.filter(action="cases:case:delivered").count() == 1
    assert Event.objects.filter(action="cases:case:collection_started").count() == 1


def test_nul_characters_are_a_field_error_not_a_crash(submit):
    with pytest.raises(intake.IntakeRefused) as refused:
        submit(authority_file_number="J3\x00-118")
    assert "authority_file_number" in refused.value.errors
    assert Case.objects.count() == 0


def test_requester_cannot_answer_when_no_question_is_open(submit, officer, now):
    case = submit()
    with pytest.raises(DomainError, match="no open question"):
        conversation.answer_clarification(case=case, actor=officer, now=now, answer="pushing it")
    case.refresh_from_db()
    assert case.status == Status.RECEIVED


def test_refused_requester_action_is_audited(submit, make_agency, make_officer, now):
    case = submit()
    other = make_officer(make_agency(name="Somewhere else"))
    with pytest.raises(PermissionDenied):
        conversation.answer_clarification(case=case, actor=other, now=now, answer="hello")
    assert Event.objects.filter(action="cases:case:requester_refused",
                                target_id=str(case.pk)).exists()


def test_requester_gets_status_notices_without_any_data(submit, reviewer, now,
                                                        django_capture_on_commit_callbacks):
    from django.core import mail

    with django_capture_on_commit_callbacks(execute=True):
        case = submit()
        services.start_review(case=case, actor=reviewer, now=now)
        conversation.ask_clarification(case=case, actor=reviewer, now=now,
                                       question="Which of the two accounts is the suspect's?")
    subjects = [m.subject for m in mail.outbox]
    assert any("request received" in s for s in subjects)
    assert any("question about your request" in s for s in subjects)
    for message in mail.outbox:
        assert case.number in message.subject
        assert "+33612345678" not in message.body and "night_owl" not in message.body
        assert "Which of the two accounts" not in message.body  # read it in the portal
