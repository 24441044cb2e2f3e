"""Fixtures for the HI-1 channel: an agency with a registered endpoint and a client that posts
through the (configured) TLS-terminating proxy."""

from __future__ import annotations

import hashlib

import pytest

from lawdesk.interop.authority import Receiver
from tests.interop.messages import SENDER
from tests.interop.tlsproxy import make_pki

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


# The authority's own HI-1 server, to which lawdesk's answers go (decision 0023).
@pytest.fixture
def pki(tmp_path):
    return make_pki(tmp_path)


@pytest.fixture
def authority(pki, tmp_path, settings):
    """The authority's HI-1 server (the tool's receiver) and lawdesk's client certificate."""
    cert, key, _ = pki.client("lawdesk-platform")
    settings.LAWDESK_HI1_CLIENT_CERT, settings.LAWDESK_HI1_CLIENT_KEY = str(cert), str(key)
    settings.LAWDESK_HI1_SERVER_CA = str(pki.ca)
    server = Receiver(tmp_path / "inbox", cert=str(pki.server_cert), key=str(pki.server_key),
                      client_ca=str(pki.ca)).start()
    yield server
    server.close()


@pytest.fixture
def answered_endpoint(endpoint, authority):
    from lawdesk.interop.models import Endpoint

    Endpoint.objects.filter(pk=endpoint.pk).update(delivery_url=authority.url)
    endpoint.refresh_from_db()
    return endpoint
