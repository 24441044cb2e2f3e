"""Fixtures for API tests: an officer with a live token, and a client that sends it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from tests.cases.conftest import PDF_BYTES, payload


@pytest.fixture
def agency(make_agency):
    return make_agency(name="Parquet de Paris J3", kind="prosecutor", country="FR",
                       domain="justice.example")


@pytest.fixture
def officer(agency, make_officer):
    return make_officer(agency)


@pytest.fixture
def token(officer, now) -> str:
    from lawdesk.api.tokens import create_token

    _, plaintext = create_token(officer_user=officer, name="case system", now=now)
    return plaintext


class ApiClient:
    """A Django test client that sends the bearer token (or none)."""

    def __init__(self, token: str | None) -> None:
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


@pytest.fixture
def api(token) -> ApiClient:
    return ApiClient(token)


@pytest.fixture
def anon() -> ApiClient:
    return ApiClient(None)
