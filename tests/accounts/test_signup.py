"""Officer sign-up: only from verified domains of active agencies; every refusal is audited."""

from __future__ import annotations

import pytest
from django.core import mail

from lawdesk.accounts.models import Officer, User
from lawdesk.audit.models import Event

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "Tr0mbone-quietly-9"


def _form(agency, email, **overrides):
    data = {
        "full_name": "Camille Petit",
        "email": email,
        "agency": str(agency.pk),
        "title": "Brigadier",
        "supervisor_name": "Chef Durand",
        "supervisor_email": f"durand@{agency.verified_domains()[0]}",
        "password1": GOOD_PASSWORD,
        "password2": GOOD_PASSWORD,
    }
    data.update(overrides)
    return data


def _rejections():
    return list(Event.objects.filter(action="accounts:signup:rejected").order_by("seq"))


def test_signup_from_verified_domain_creates_pending_officer_and_sends_verification(client, make_agency):
    agency = make_agency(domain="police.example")
    response = client.post("/accounts/signup/", _form(agency, "camille.petit@police.example"))
    assert response.status_code == 302
    officer = Officer.objects.get(user__email="camille.petit@police.example")
    assert officer.status == Officer.Status.PENDING
    assert officer.agency == agency
    assert officer.user.full_name == "Camille Petit"
    assert len(mail.outbox) == 1 and "camille.petit@police.example" in mail.outbox[0].to
    assert Event.objects.filter(action="accounts:officer:signed_up", target_id=str(officer.pk)).exists()


@pytest.mark.parametrize("email", [
    "camille@po1ice.example",          # look-alike: digit one for l
    "camille@pоlice.example",          # Cyrillic o (U+043E)
    "camille@paris.police.example",    # a subdomain that nobody verified
    "camille@police.example.evil.example",
    "camille@gmail.example",
])
def test_signup_from_unverified_domain_is_refused_on_the_email_field(client, make_agency, email):
    agency = make_agency(domain="police.example")
    users_before = User.objects.count()
    response = client.post("/accounts/signup/", _form(agency, email))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "email" in errors
    assert "not a verified e-mail domain" in errors["email"][0] or "valid email" in errors["email"][0].lower()
    assert User.objects.count() == users_before
    assert not mail.outbox
    rejected = _rejections()[-1]
    assert rejected.params["email"] == email
    assert "email" in rejected.params["errors"]


def test_duplicate_email_is_refused_clearly(client, make_agency, make_officer):
    agency = make_agency(domain="police.example")
    make_officer(agency, local="dup")
    response = client.post("/accounts/signup/", _form(agency, "dup@police.example"))
    assert response.status_code == 200
    assert "already registered" in str(response.context["form"].errors["email"])
    assert User.objects.filter(email="dup@police.example").count() == 1
    assert _rejections()


def test_weak_password_is_refused(client, make_agency):
    agency = make_agency(domain="police.example")
    response = client.post("/accounts/signup/", _form(agency, "a@police.example",
                                                       password1="password1", password2="password1"))
    assert response.status_code == 200
    assert "password1" in response.context["form"].errors
    assert not User.objects.filter(email="a@police.example").exists()
    assert "password1" in _rejections()[-1].params["errors"]
    assert "password1" not in str(_rejections()[-1].params.get("email"))


def test_suspended_agency_does_not_accept_signups(client, make_agency):
    agency = make_agency(domain="police.example", status="suspended")
    response = client.post("/accounts/signup/", _form(agency, "a@police.example"))
    assert response.status_code == 200
    assert "not accepting sign-ups" in str(response.context["form"].errors["agency"])
    assert not User.objects.filter(email="a@police.example").exists()
    assert _rejections()


def test_supervisor_must_be_on_agency_domain(client, make_agency):
    agency = make_agency(domain="police.example")
    response = client.post("/accounts/signup/", _form(agency, "a@police.example",
                                                       supervisor_email="boss@elsewhere.example"))
    assert "supervisor_email" in response.context["form"].errors
    assert not User.objects.filter(email="a@police.example").exists()


def test_failed_signup_audit_never_contains_the_password(client, make_agency):
    agency = make_agency(domain="police.example")
    client.post("/accounts/signup/", _form(agency, "x@bad.example", password1="Sekr1t-Pa55-word",
                                           password2="Sekr1t-Pa55-word"))
    assert "Sekr1t" not in str(_rejections()[-1].params)
