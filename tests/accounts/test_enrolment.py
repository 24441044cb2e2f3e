"""A new user's first second factor: stable secret, recovery codes shown, other sessions ended."""

from __future__ import annotations

import re

import pyotp
import pytest
from django.test import Client

from lawdesk.audit.models import Event
from tests.factories import login
from tests.support import fresh_totp_code

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery 9"
ACTIVATE = "/accounts/2fa/totp/activate/"


def _password_only(client: Client, user) -> None:
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"


def _secret_on_page(client: Client) -> str:
    page = client.get(ACTIVATE)
    assert page.status_code == 200
    found = re.search(r'id="authenticator_secret"[^>]*value="([A-Z2-7]+)"', page.content.decode())
    assert found, "the activation page shows the secret to type in"
    return found.group(1)


def _lazy_request(client: Client):
    """A request carrying ``client``'s session, its user the lazy object Django's middleware
    makes — exactly what allauth passes to its signals."""
    from django.conf import settings
    from django.contrib.auth.middleware import AuthenticationMiddleware
    from django.contrib.messages.middleware import MessageMiddleware
    from django.contrib.sessions.middleware import SessionMiddleware
    from django.test import RequestFactory

    request = RequestFactory().get("/accounts/2fa/totp/activate/")
    request.COOKIES[settings.SESSION_COOKIE_NAME] = client.cookies[settings.SESSION_COOKIE_NAME].value
    for middleware in (SessionMiddleware, AuthenticationMiddleware, MessageMiddleware):
        middleware(lambda r: None).process_request(request)
    return request


def test_enrolment_signal_with_the_lazy_request_user_ends_other_sessions(
        client, make_agency, make_officer):
    from allauth.mfa.models import Authenticator
    from allauth.mfa.signals import authenticator_added
    from allauth.mfa.totp.internal.auth import TOTP
    from django.utils.functional import SimpleLazyObject

    user = make_officer(make_agency(), approve=False, totp=False)
    other = Client()
    _password_only(other, user)          # e.g. a forgotten session on another computer
    _password_only(client, user)
    request = _lazy_request(client)
    assert isinstance(request.user, SimpleLazyObject)
    totp = TOTP.activate(user, pyotp.random_base32()).instance

    # What allauth does once the enrolment has committed.
    authenticator_added.send(sender=Authenticator, request=request, user=request.user,
                             authenticator=totp)

    user.refresh_from_db()
    assert user.security_version == 1
    assert Event.objects.filter(action="accounts:mfa:enrolled", actor_id=user.pk).exists()
    assert other.get("/portal/pending/")["Location"].startswith("/accounts/login/")
    assert [str(m) for m in request._messages] == [
        "Every other session of your account has been signed out: your second factor changed."]


def test_removing_a_factor_ends_other_sessions_instead_of_failing(client, make_agency, make_officer):
    user = make_officer(make_agency())
    other = Client()
    other.force_login(user)              # a session on another computer
    assert other.get("/portal/").status_code == 200
    login(client, user)
    assert client.post("/accounts/reauthenticate/", {"password": PASSWORD}).status_code == 302

    response = client.post("/accounts/2fa/totp/deactivate/")

    assert response.status_code == 302, response.content.decode()[:3000]
    assert response["Location"] == "/accounts/2fa/"
    assert Event.objects.filter(action="accounts:mfa:removed", actor_id=user.pk).exists()
    assert other.get("/portal/")["Location"].startswith("/accounts/login/")


def test_activation_page_keeps_its_secret_across_visits_and_favicon_fetches(
        client, make_agency, make_officer):
    user = make_officer(make_agency(), approve=False, totp=False)
    _password_only(client, user)
    first = _secret_on_page(client)
    icon = client.get("/favicon.ico")
    assert _secret_on_page(client) == first

    response = client.post(ACTIVATE, {"code": fresh_totp_code(first, margin=3)})
    assert response.status_code == 302, "the code of the secret first shown is accepted"
    assert icon.status_code == 200


def test_favicon_is_a_real_icon_for_everyone(client, make_agency, make_officer):
    anonymous = client.get("/favicon.ico")
    assert anonymous.status_code == 200
    assert anonymous["Content-Type"] == "image/x-icon"
    icon = b"".join(anonymous.streaming_content)
    assert icon[:4] == b"\x00\x00\x01\x00"  # the ICO header
    user = make_officer(make_agency(), approve=False, totp=False)
    _password_only(client, user)
    assert client.get("/favicon.ico").status_code == 200  # no detour to enrolment
    assert 'rel="icon"' in client.get(ACTIVATE).content.decode()
