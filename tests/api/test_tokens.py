"""API tokens: shown once, stored hashed, stopped by revocation or by the officer's suspension."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest

from lawdesk.api import tokens
from lawdesk.api.models import ApiToken
from lawdesk.audit.models import Event
from lawdesk.core.errors import DomainError, PermissionDenied
from tests.factories import ApiClient, login

pytestmark = pytest.mark.django_db


def _failures() -> list[dict]:
    return [e.params for e in Event.objects.filter(action="api:auth:failed").order_by("seq")]


def test_token_is_returned_once_and_only_its_hash_is_stored(officer, now):
    token, plaintext = tokens.create_token(officer_user=officer, name="RMS connector", now=now)
    assert re.fullmatch(r"ld_[0-9a-f]{8}_[A-Za-z0-9_-]{43}", plaintext)
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.token_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    assert plaintext.split("_", 2)[2] not in str(stored.__dict__)
    assert stored.prefix == plaintext[:11]
    event = Event.objects.get(action="api:token:created")
    assert event.params["prefix"] == stored.prefix
    assert plaintext not in str(event.params)
    assert tokens.authenticate(plaintext, now=now) == officer


def test_token_needs_a_name_and_an_active_officer(officer, agency, make_officer, now):
    with pytest.raises(DomainError) as err:
        tokens.create_token(officer_user=officer, name="  ", now=now)
    assert err.value.field == "name"
    pending = make_officer(agency, approve=False)
    with pytest.raises(PermissionDenied):
        tokens.create_token(officer_user=pending, name="x", now=now)


def test_last_used_is_written_at_most_once_a_minute(officer, now):
    token, plaintext = tokens.create_token(officer_user=officer, name="x", now=now)
    tokens.authenticate(plaintext, now=now)
    tokens.authenticate(plaintext, now=now + timedelta(seconds=30))
    token.refresh_from_db()
    assert token.last_used_at == now
    tokens.authenticate(plaintext, now=now + timedelta(seconds=61))
    token.refresh_from_db()
    assert token.last_used_at == now + timedelta(seconds=61)


def test_no_token_is_401_problem_and_audited(anon):
    response = anon.get("/api/v1/requests")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"].startswith("Bearer")
    body = response.json()
    assert body["code"] == "unauthenticated"
    assert body["type"] == "https://lawdesk.example/problems/unauthenticated"
    assert _failures()[-1] == {"reason": "missing", "prefix": None}


def test_malformed_and_unknown_tokens_are_401_and_audited_with_prefix_only(officer, now):
    assert ApiClient("not-a-token").get("/api/v1/requests").status_code == 401
    fake = "ld_0123abcd_" + "A" * 43
    response = ApiClient(fake).get("/api/v1/requests")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
    failures = _failures()
    assert failures[-2] == {"reason": "malformed", "prefix": None}
    assert failures[-1] == {"reason": "unknown_token", "prefix": "ld_0123abcd"}
    assert "A" * 43 not in str(list(Event.objects.values_list("params", flat=True)))


def test_revoked_token_is_refused_and_audited(officer, now, token):
    assert ApiClient(token).get("/api/v1/requests").status_code == 200
    row = ApiToken.objects.get()
    tokens.revoke_token(token=row, actor=officer, now=now)
    assert Event.objects.filter(action="api:token:revoked", target_id=str(row.pk)).exists()
    response = ApiClient(token).get("/api/v1/requests")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
    assert _failures()[-1] == {"reason": "revoked", "prefix": row.prefix,
                               "officer": officer.email}


def test_only_the_owner_or_an_admin_revokes(officer, agency, make_officer, admin_user, now, token):
    row = ApiToken.objects.get()
    colleague = make_officer(agency)
    with pytest.raises(PermissionDenied):
        tokens.revoke_token(token=row, actor=colleague, now=now)
    assert tokens.revoke_token(token=row, actor=admin_user, now=now).revoked_at == now


def test_token_of_suspended_officer_stops_working_at_once(officer, admin_user, now, token):
    from lawdesk.accounts.services import decide_officer

    decide_officer(actor=admin_user, now=now, officer=officer.officer, status="suspended",
                   reason="left the unit")
    response = ApiClient(token).get("/api/v1/requests")
    assert response.status_code == 401
    assert _failures()[-1]["reason"] == "officer_not_active"


def test_token_of_suspended_agency_stops_working(officer, agency, admin_user, now, token):
    from lawdesk.accounts.services import set_agency_status

    set_agency_status(actor=admin_user, now=now, agency=agency, status="suspended",
                      reason="compromised mailbox")
    assert ApiClient(token).get("/api/v1/requests").status_code == 401
    assert _failures()[-1]["reason"] == "officer_not_active"


def test_a_signed_in_session_is_not_accepted_by_the_api(officer, client):
    login(client, officer)
    assert client.get("/portal/").status_code == 200
    response = client.get("/api/v1/requests")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_a_flood_of_bad_tokens_is_throttled_and_audited_once(officer, token, settings):
    settings.LAWDESK_API_AUTH_FAILURES_PER_MINUTE = 3
    bad = ApiClient("ld_0123abcd_" + "B" * 43)
    statuses = [bad.get("/api/v1/requests").status_code for _ in range(6)]
    assert statuses == [401, 401, 401, 429, 429, 429]
    throttled = bad.get("/api/v1/requests")
    assert throttled["Content-Type"] == "application/problem+json"
    assert throttled.json()["code"] == "too_many_requests"
    assert 0 < int(throttled["Retry-After"]) <= 60
    assert len(_failures()) == 3
    assert Event.objects.filter(action="api:auth:throttled").count() == 1
    # A valid token from the same address keeps working.
    assert ApiClient(token).get("/api/v1/requests").status_code == 200


def test_portal_helpers_list_and_fetch_only_ones_own_tokens(officer, agency, make_officer, now):
    from django.http import Http404

    mine, _ = tokens.create_token(officer_user=officer, name="mine", now=now)
    colleague = make_officer(agency)
    theirs, _ = tokens.create_token(officer_user=colleague, name="theirs", now=now)
    assert list(tokens.tokens_for(officer)) == [mine]
    assert tokens.get_token_for(officer, mine.pk) == mine
    for bad in (theirs.pk, "x", 10**9):
        with pytest.raises(Http404):
            tokens.get_token_for(officer, bad)


def test_officer_creates_and_revokes_a_token_in_the_portal(client, make_agency, make_officer):
    from lawdesk.api.models import ApiToken
    from tests.factories import login

    user = make_officer(make_agency())
    login(client, user)
    page = client.post("/portal/tokens/", {"action": "create", "name": "case system"})
    html = page.content.decode()
    token = ApiToken.objects.get(officer=user.officer)
    assert token.prefix in html and "shown only this once" in html
    again = client.get("/portal/tokens/").content.decode()
    assert "shown only this once" not in again
    client.post("/portal/tokens/", {"action": "revoke", "token": token.pk})
    token.refresh_from_db()
    assert token.revoked_at is not None


# --- Expiry and renewal (issue 11, item 14) ------------------------------------------------

def test_a_token_expires_after_90_days_by_default_and_the_period_is_configurable(
        officer, now, settings):
    token, plaintext = tokens.create_token(officer_user=officer, name="x", now=now)
    assert token.expires_at == now + timedelta(days=90)
    assert tokens.authenticate(plaintext, now=now + timedelta(days=90) - timedelta(seconds=1)) \
        == officer
    assert tokens.authenticate(plaintext, now=now + timedelta(days=90)) is None
    assert _failures()[-1] == {"reason": "expired", "prefix": token.prefix,
                               "officer": officer.email}
    settings.LAWDESK_API_TOKEN_DAYS = 30
    short, _ = tokens.create_token(officer_user=officer, name="y", now=now)
    assert short.expires_at == now + timedelta(days=30)


def test_an_expired_token_gets_a_401_problem_saying_it_expired(officer):
    from lawdesk.core.clock import utcnow

    _, plaintext = tokens.create_token(officer_user=officer, name="old",
                                       now=utcnow() - timedelta(days=91))
    response = ApiClient(plaintext).get("/api/v1/requests")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "token_expired"
    assert "expired" in body["detail"] and "renew" in body["detail"]
    assert 'error="invalid_token"' in response["WWW-Authenticate"]
    assert "expired" in response["WWW-Authenticate"]


def test_the_owner_renews_a_token_audited_and_no_one_else_can(officer, agency, make_officer,
                                                                admin_user, now):
    token, plaintext = tokens.create_token(officer_user=officer, name="x", now=now)
    later = now + timedelta(days=100)  # expired: its owner may still renew it
    assert tokens.authenticate(plaintext, now=later) is None
    colleague = make_officer(agency)
    for other in (colleague, admin_user):
        with pytest.raises(PermissionDenied):
            tokens.renew_token(token=token, actor=other, now=later)
    renewed = tokens.renew_token(token=token, actor=officer, now=later)
    assert renewed.expires_at == later + timedelta(days=90)
    assert tokens.authenticate(plaintext, now=later) == officer
    event = Event.objects.get(action="api:token:renewed")
    assert event.actor_id == officer.pk
    assert event.params["prefix"] == token.prefix
    assert event.params["expired_at"] == (now + timedelta(days=90)).isoformat()
    assert event.params["expires_at"] == (later + timedelta(days=90)).isoformat()
    tokens.revoke_token(token=token, actor=officer, now=later)
    with pytest.raises(DomainError):
        tokens.renew_token(token=token, actor=officer, now=later)


def test_the_tokens_page_shows_expiry_and_last_use_and_renews(client, make_agency, make_officer):
    from lawdesk.core.clock import utcnow

    user = make_officer(make_agency())
    login(client, user)
    old, old_plain = tokens.create_token(officer_user=user, name="old system",
                                         now=utcnow() - timedelta(days=95))
    fresh, fresh_plain = tokens.create_token(officer_user=user, name="new system", now=utcnow())
    assert ApiClient(fresh_plain).get("/api/v1/requests").status_code == 200
    html = client.get("/portal/tokens/").content.decode()
    fresh.refresh_from_db()
    assert fresh.last_used_at is not None
    assert "Expires" in html and "Last used" in html
    # Times are shown in the officer's zone (their agency's country), with the zone named.
    from zoneinfo import ZoneInfo

    from lawdesk.core.locale import zone_of

    zone = zone_of(user)
    assert f"{fresh.expires_at.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M} {zone}" in html
    assert f"{fresh.last_used_at.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M} {zone}" in html
    assert "expired" in html  # the old one says so
    client.post("/portal/tokens/", {"action": "renew", "token": old.pk})
    old.refresh_from_db()
    assert old.expires_at > utcnow() + timedelta(days=89)
    assert ApiClient(old_plain).get("/api/v1/requests").status_code == 200
    assert f"{old.expires_at:%Y-%m-%d}" in client.get("/portal/tokens/").content.decode()
    assert Event.objects.filter(action="api:token:renewed", target_id=str(old.pk)).exists()
