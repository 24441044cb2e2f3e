"""Login needs a second factor; suspended officers and agencies are refused; failures audited."""

from __future__ import annotations

import pytest

from lawdesk.accounts import services
from lawdesk.audit.models import Event
from tests.factories import login, totp_secret
from tests.support import fresh_totp_code

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery 9"


def test_officer_login_with_code_reaches_dashboard(client, make_agency, make_officer):
    user = make_officer(make_agency(name="OFMIN"))
    response = login(client, user)
    assert response.status_code == 302
    page = client.get("/", follow=True)
    assert page.request["PATH_INFO"] == "/portal/"
    assert "No requests yet" in page.content.decode()
    assert Event.objects.filter(action="accounts:login:succeeded", actor_id=user.pk).exists()


def test_password_alone_does_not_log_in_when_totp_enrolled(client, make_agency, make_officer):
    user = make_officer(make_agency())
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response["Location"].startswith("/accounts/2fa/authenticate")
    assert client.get("/portal/").status_code == 302  # still anonymous: back to login
    assert client.get("/portal/")["Location"].startswith("/accounts/login/")


def test_wrong_totp_code_is_refused_and_audited(client, make_agency, make_officer):
    user = make_officer(make_agency())
    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    response = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert response.status_code == 200
    assert "Incorrect code" in response.content.decode()
    assert Event.objects.filter(action="accounts:mfa:failed", actor_id=user.pk).exists()
    assert client.get("/portal/").status_code == 302


def test_replayed_totp_code_is_refused(client, make_agency, make_officer):
    user = make_officer(make_agency())
    code = fresh_totp_code(totp_secret(user), margin=3)
    login(client, user, code=code)
    client.post("/accounts/logout/")
    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    response = client.post("/accounts/2fa/authenticate/", {"code": code})
    assert response.status_code == 200
    assert "Incorrect code" in response.content.decode()


def test_user_without_second_factor_is_sent_to_enrolment(client, make_agency, make_officer):
    user = make_officer(make_agency(), totp=False)
    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    for path in ("/", "/portal/", "/desk/", f"/portal/agency/{user.officer.agency_id}/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"] == "/accounts/2fa/totp/activate/"
    assert client.get("/accounts/2fa/totp/activate/").status_code == 200


def test_staff_without_second_factor_is_sent_to_enrolment(client, make_staff):
    user = make_staff("reviewer", totp=False)
    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert client.get("/desk/")["Location"] == "/accounts/2fa/totp/activate/"


def test_pending_officer_waits_for_approval(client, make_agency, make_officer):
    user = make_officer(make_agency(), approve=False)
    login(client, user)
    response = client.get("/portal/")
    assert response.status_code == 302 and response["Location"] == "/portal/pending/"
    assert "awaiting approval" in client.get("/portal/pending/").content.decode()


def test_suspended_officer_cannot_log_in(client, make_agency, make_officer, admin_user, now):
    user = make_officer(make_agency())
    services.decide_officer(actor=admin_user, now=now, officer=user.officer, status="suspended",
                            reason="left the unit")
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 200
    assert "suspended" in response.content.decode()
    assert Event.objects.filter(action="accounts:login:refused", actor_id=user.pk).exists()


def test_officer_of_suspended_agency_cannot_log_in(client, make_agency, make_officer, admin_user, now):
    agency = make_agency(name="Compromised unit")
    user = make_officer(agency)
    services.set_agency_status(actor=admin_user, now=now, agency=agency, status="suspended",
                               reason="mailbox compromised")
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 200
    assert "Compromised unit is suspended" in response.content.decode()


def test_repeated_failures_lock_the_account_out(client, make_agency, make_officer):
    user = make_officer(make_agency())
    for _ in range(5):
        response = client.post("/accounts/login/", {"login": user.email, "password": "wrong password"})
        assert "not correct" in response.content.decode()
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code in (200, 429)
    assert "Too many failed login attempts" in response.content.decode()
    assert Event.objects.filter(action="accounts:login:failed").count() >= 5
