"""Builders shared by the tests of every package: a request payload, a real PDF upload,
signing in through the real flow, an API client. Fixtures live in ``tests/conftest.py``; a test
module imports helpers from here, never from another package's conftest."""

from __future__ import annotations

import base64
import json
import os
from typing import TYPE_CHECKING, Any

from tests.support import fresh_totp_code

if TYPE_CHECKING:  # the root conftest imports this module before Django is set up
    from lawdesk.cases.attachments import Upload

PDF_BYTES = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
             b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
             b"trailer << /Root 1 0 R >>\n%%EOF\n")


def pdf(name: str = "requisition.pdf", content: bytes = PDF_BYTES) -> Upload:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from lawdesk.cases.attachments import Upload

    return Upload(name=name, content=SimpleUploadedFile(name, content, "application/pdf"))


def payload(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "production",
        "instrument_type": "epoc",
        "instrument_reference": "EPOC-2026-0042",
        "instrument_date": "2026-10-30",
        "issuer_name": "Anne Roussel",
        "issuer_role": "prosecutor",
        "authority_file_number": "PARQUET-J3-2026-118",
        "offence_category": "child_sexual_abuse",
        "offence_description": "Distribution of child sexual abuse material in a public channel.",
        "max_sentence_years": 10,
        "user_named_as_suspect": True,
        "categories": ["subscriber", "identification"],
        "targets": [{"identifier": "+33 6 12 34 56 78"}, {"identifier": "@night_owl"}],
        "window_start": "2026-09-01T00:00:00Z",
        "window_end": "2026-10-01T00:00:00Z",
    }
    data.update(overrides)
    return data


def enrol_totp(user) -> str:
    """Enrol a TOTP authenticator for ``user`` and return its secret."""
    from allauth.mfa.totp.internal.auth import TOTP

    secret = base64.b32encode(os.urandom(20)).decode()
    TOTP.activate(user, secret)
    user._test_totp_secret = secret
    return secret


def totp_secret(user) -> str:
    from lawdesk.demo.seed import totp_secret as secret_of

    return secret_of(user)


def login(client, user, *, password: str = "correct horse battery 9", code: str | None = None):
    """Sign in through the real allauth flow: password, then the TOTP code."""
    response = client.post("/accounts/login/", {"login": user.email, "password": password})
    assert response.status_code == 302, response.content[:2000]
    if response["Location"].startswith("/accounts/2fa/authenticate"):
        chosen = code is not None
        code = code or fresh_totp_code(totp_secret(user), margin=3)
        response = client.post("/accounts/2fa/authenticate/", {"code": code})
        # A code the test did not choose must sign in: a refusal here is a broken test set-up,
        # and should not surface later as a puzzling 302 to the sign-in page.
        assert chosen or response.status_code == 302, response.content[:2000]
    return response


class ApiClient:
    """A Django test client that sends the bearer token (or none)."""

    def __init__(self, token: str | None) -> None:
        from django.test import Client

        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path: str, **kw: Any):
        return self.client.get(path, headers={**self.headers, **kw.pop("headers", {})}, **kw)

    def post_json(self, path: str, body: Any, **kw: Any):
        return self.client.post(path, data=json.dumps(body), content_type="application/json",
                                headers={**self.headers, **kw.pop("headers", {})}, **kw)

    def submit(self, body: dict[str, Any] | None = None, files: list[tuple[str, bytes]] | None = None,
               **overrides: Any):
        from django.core.files.uploadedfile import SimpleUploadedFile

        data: dict[str, Any] = {"request": json.dumps(body if body is not None else payload(**overrides))}
        if files is None:
            files = [("requisition.pdf", PDF_BYTES)]
        if files:
            data["attachments"] = [SimpleUploadedFile(n, c, "application/pdf") for n, c in files]
        return self.client.post("/api/v1/requests", data=data, headers=self.headers)


# The synthetic platform's public demo channel (removal orders name its messages).
CHANNEL = 700_000_003


def content_url(message: Any) -> str:
    """The public link of a message of the demo channel."""
    return f"https://msgr.example/demo_channel/{message.message_id}"
