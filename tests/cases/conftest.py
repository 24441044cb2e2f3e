"""Fixtures for case tests: a valid request payload and a real PDF upload."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lawdesk.cases.services import Upload

PDF_BYTES = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
             b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
             b"trailer << /Root 1 0 R >>\n%%EOF\n")


def pdf(name: str = "requisition.pdf", content: bytes = PDF_BYTES) -> Upload:
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


@pytest.fixture
def agency(make_agency):
    return make_agency(name="Parquet de Paris J3", kind="prosecutor", country="FR",
                       domain="justice.example")


@pytest.fixture
def officer(agency, make_officer):
    return make_officer(agency)


@pytest.fixture
def reviewer(make_staff):
    return make_staff("reviewer", email="reviewer@platform.example")


@pytest.fixture
def approver(make_staff):
    return make_staff("approver", email="approver@platform.example")


@pytest.fixture
def submit(officer, now):
    from lawdesk.cases.services import submit_request

    def go(actor=None, at=None, uploads=None, **overrides):
        return submit_request(actor=actor or officer, now=at or now, payload=payload(**overrides),
                              uploads=[pdf()] if uploads is None else uploads)

    return go
