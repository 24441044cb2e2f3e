"""Approving an officer: the supervisor confirms first, the admin gives a reason, the officer
is told by e-mail — each step audited."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail

from lawdesk.accounts import services
from lawdesk.accounts.models import Officer
from lawdesk.audit.models import Event
from tests.factories import login

pytestmark = pytest.mark.django_db
PASSWORD = "Tr0mbone-quietly-9"


def _events(action: str, officer: Officer) -> list[Event]:
    return list(Event.objects.filter(action=action, target_id=str(officer.pk)).order_by("seq"))


@pytest.fixture
def pending(make_agency, make_officer):
    """An officer who verified the address, waiting for approval."""
    return make_officer(make_agency(domain="police.example"), approve=False).officer


@pytest.fixture
def desk(client, admin_user):
    login(client, admin_user)
    return client


def _link(message) -> str:
    found = re.search(r"https?://[^/\s]+(/supervisor/[^\s]+/)", message.body)
    assert found, message.body
    return found.group(1)


def test_verified_sign_up_asks_the_supervisor_who_confirms_through_the_signed_link(
        client, make_agency, django_capture_on_commit_callbacks):
    agency = make_agency(domain="police.example")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/signup/", {
            "full_name": "Camille Petit", "email": "camille@police.example", "agency": agency.pk,
            "title": "Brigadier", "supervisor_name": "Chef Durand",
            "supervisor_email": "durand@police.example", "password1": PASSWORD,
            "password2": PASSWORD})
    officer = Officer.objects.get(user__email="camille@police.example")
    assert [m.to for m in mail.outbox] == [["camille@police.example"]]  # not the supervisor yet
    confirm = re.search(r"/accounts/confirm-email/[^\s]+/", mail.outbox[0].body).group(0)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(confirm)
    to_supervisor = [m for m in mail.outbox if m.to == ["durand@police.example"]]
    assert len(to_supervisor) == 1
    assert "Camille Petit" in to_supervisor[0].subject
    assert _events("accounts:officer:supervisor_asked", officer)

    link = _link(to_supervisor[0])
    page = client.get(link)  # a mail scanner's GET changes nothing
    assert page.status_code == 200
    assert "Camille Petit" in page.content.decode() and "camille@police.example" in page.content.decode()
    officer.refresh_from_db()
    assert officer.supervisor_answer == ""

    client.post(link, {"answer": "confirm"})
    officer.refresh_from_db()
    assert officer.supervisor_answer == Officer.SupervisorAnswer.CONFIRMED
    event = _events("accounts:officer:supervisor_confirmed", officer)[-1]
    assert event.params["supervisor_email"] == "durand@police.example"
    assert "You confirmed this officer" in client.get(link).content.decode()
    # The answer is final: a second POST changes nothing.
    client.post(link, {"answer": "decline"})
    officer.refresh_from_db()
    assert officer.supervisor_answer == Officer.SupervisorAnswer.CONFIRMED


def test_tampered_and_replaced_links_are_refused(client, pending, admin_user, now,
                                                 django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.ask_supervisor(officer=pending, now=now)
    first = _link(mail.outbox[-1])
    tampered = first[:-6] + ("A" if first[-6] != "A" else "B") + first[-5:]
    response = client.get(tampered)
    assert response.status_code == 400 and "not valid" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.ask_supervisor(officer=pending, now=now + timedelta(days=2), actor=admin_user)
    response = client.post(first, {"answer": "confirm"})
    assert response.status_code == 400 and "replaced by a newer one" in response.content.decode()
    pending.refresh_from_db()
    assert pending.supervisor_answer == ""
    assert client.get(_link(mail.outbox[-1])).status_code == 200


def test_officer_is_not_approvable_before_the_supervisor_confirms(desk, pending):
    page = desk.get(f"/desk/officers/{pending.pk}/").content.decode()
    assert "has not confirmed this officer yet" in page
    assert re.search(r'<button name="decision" value="approve"[^>]*disabled', page)

    response = desk.post(f"/desk/officers/{pending.pk}/",
                         {"decision": "approve", "reason": "Called the unit back"})

    assert response.status_code == 200
    assert "has not confirmed this officer yet" in str(response.context["form"].non_field_errors())
    pending.refresh_from_db()
    assert pending.status == Officer.Status.PENDING
    assert not _events("accounts:officer:approved", pending)


def test_a_declined_officer_cannot_be_approved(desk, pending, now):
    services.answer_for_supervisor(officer=pending, confirmed=False, now=now)
    assert "declined" in desk.get(f"/desk/officers/{pending.pk}/").content.decode()
    response = desk.post(f"/desk/officers/{pending.pk}/",
                         {"decision": "approve", "reason": "Called the unit back"})
    assert "has declined this officer" in str(response.context["form"].non_field_errors())
    assert _events("accounts:officer:supervisor_declined", pending)


def test_approval_without_a_reason_is_refused_on_the_reason_field(desk, pending, now):
    services.answer_for_supervisor(officer=pending, confirmed=True, now=now)

    response = desk.post(f"/desk/officers/{pending.pk}/", {"decision": "approve", "reason": "  "})

    assert response.status_code == 200
    assert "Give the reason for the approval" in response.context["form"].errors["reason"][0]
    pending.refresh_from_db()
    assert pending.status == Officer.Status.PENDING
    assert not _events("accounts:officer:approved", pending)


def test_approval_is_audited_with_its_reason_and_mails_the_officer(
        desk, pending, now, django_capture_on_commit_callbacks):
    services.answer_for_supervisor(officer=pending, confirmed=True, now=now)
    reason = "Supervisor confirmed; called OFMIN on its registered number"

    with django_capture_on_commit_callbacks(execute=True):
        response = desk.post(f"/desk/officers/{pending.pk}/",
                             {"decision": "approve", "reason": reason}, follow=True)

    assert "an e-mail tells them so" in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == Officer.Status.ACTIVE and pending.decision_reason == reason
    event = _events("accounts:officer:approved", pending)[-1]
    assert event.params["reason"] == reason and event.params["supervisor_confirmed_at"]
    sent = [m for m in mail.outbox if m.to == [pending.user.email]]
    assert len(sent) == 1 and "approved" in sent[0].subject
    assert "http://testserver/accounts/login/" in sent[0].body
