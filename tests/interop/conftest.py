"""Fixtures for the HI-1 channel: an agency with a registered endpoint and a client that posts
through the (configured) TLS-terminating proxy."""

from __future__ import annotations

import hashlib

import pytest

from tests.interop.messages import SENDER

FINGERPRINT = hashlib.sha256(b"the French e-Evidence system's client certificate").hexdigest()
PROXY = "127.0.0.7"


@pytest.fixture(autouse=True)
def hi1_settings(settings):
    settings.LAWDESK_HI1_IDENTITY = "IE:msgr-lawdesk"
    settings.LAWDESK_HI1_PROXIES = [PROXY, "10.9.0.0/24"]
    settings.LAWDESK_HI1_CERT_HEADER = "X-Client-Cert-SHA256"
    return settings


@pytest.fixture
def agency(make_agency):
    return make_agency(name="Parquet de Paris J3", kind="prosecutor", country="FR",
                       domain="justice.example")


@pytest.fixture
def officer(agency, make_officer):
    """The agency's liaison officer for the HI-1 channel."""
    return make_officer(agency)


@pytest.fixture
def register_endpoint(admin_user, second_admin, now):
    from lawdesk.accounts.services import approve_anchor_change
    from lawdesk.interop import services

    def register(agency, officer_user, *, sender=SENDER, fingerprint=FINGERPRINT):
        change = services.propose_endpoint(
            actor=admin_user, now=now, agency=agency, officer=officer_user.officer,
            country_code=sender[0], unique_identifier=sender[1], fingerprint=fingerprint,
            evidence="Certificate handed over at the onboarding meeting")
        approve_anchor_change(actor=second_admin, now=now, change=change)
        from lawdesk.interop.models import Endpoint

        return Endpoint.objects.get(fingerprint=fingerprint, revoked_at__isnull=True)

    return register


@pytest.fixture
def endpoint(register_endpoint, officer):
    return register_endpoint(officer.officer.agency, officer)


@pytest.fixture
def post(client):
    def send(data: bytes, *, fingerprint: str | None = FINGERPRINT, remote: str = PROXY,
             content_type: str = "application/xml"):
        extra = {"REMOTE_ADDR": remote}
        if fingerprint is not None:
            extra["HTTP_X_CLIENT_CERT_SHA256"] = fingerprint
        return client.post("/hi1/", data=data, content_type=content_type, **extra)

    return send
