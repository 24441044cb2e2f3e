"""POST /api/v1/requests: the receipt, and field errors as problem details."""

from __future__ import annotations

import json

import pytest

from lawdesk.audit.hashing import canonical_sha256
from lawdesk.audit.models import Event
from lawdesk.cases.models import Case
from tests.factories import PDF_BYTES, payload

pytestmark = pytest.mark.django_db


def _fields(response) -> dict[str, str]:
    assert response["Content-Type"] == "application/problem+json", response.content
    body = response.json()
    assert set(body) == {"type", "title", "status", "detail", "code", "errors"}
    assert body["status"] == response.status_code
    return {e["field"]: e["message"] for e in body["errors"]}


def test_submission_with_a_token_gets_201_and_the_receipt(api, officer):
    response = api.submit()
    assert response.status_code == 201, response.content
    body = response.json()
    case = Case.objects.get(pk=body["id"])
    assert response["Location"] == f"/api/v1/requests/{case.pk}"
    assert case.channel == "api" and case.officer.user == officer
    assert body["case_number"] == case.number
    assert body["status"] == "received"
    assert body["received_at"] == case.receipt["received_at"]
    assert body["deadline_at"] == case.deadline_at.isoformat()
    assert "Art. 10" in body["deadline_basis"]
    assert body["receipt_sha256"] == case.receipt_sha256 == canonical_sha256(body["receipt"])
    assert body["receipt"]["attachments"][0]["name"] == "requisition.pdf"
    event = Event.objects.get(action="cases:case:received", target_id=str(case.pk))
    assert event.actor_id == officer.pk and event.params["channel"] == "api"


def test_request_part_may_be_a_json_file_part(api):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = api.client.post("/api/v1/requests", headers=api.headers, data={
        "request": SimpleUploadedFile("request.json", json.dumps(payload()).encode(),
                                      "application/json"),
        "attachments": [SimpleUploadedFile("a.pdf", PDF_BYTES, "application/pdf")]})
    assert response.status_code == 201, response.content


def test_missing_instrument_is_a_field_error(api):
    response = api.submit(files=[])
    assert response.status_code == 422
    assert "attachments" in _fields(response)
    assert response.json()["code"] == "invalid_request"
    assert Case.objects.count() == 0
    assert Event.objects.filter(action="cases:intake:refused").exists()


def test_emergency_without_threat_is_a_field_error(api):
    response = api.submit(kind="emergency_disclosure", instrument_type="emergency_request",
                          emergency_threat="urgent")
    assert response.status_code == 422
    assert "emergency_threat" in _fields(response)


def test_target_that_does_not_parse_names_the_target(api):
    response = api.submit(targets=[{"identifier": "+33 6 12 34 56 78"},
                                   {"identifier": "not a phone ☎ or user"}])
    assert response.status_code == 422
    assert "targets.1.identifier" in _fields(response)


def test_window_too_long_is_a_field_error(api):
    response = api.submit(window_start="2024-01-01T00:00:00Z", window_end="2026-01-01T00:00:00Z")
    assert response.status_code == 422
    assert "window_end" in _fields(response)


def test_non_pdf_attachment_is_a_field_error(api):
    response = api.submit(files=[("requisition.pdf", b"MZ\x90\x00 not a pdf")])
    assert response.status_code == 422
    assert "not a PDF" in _fields(response)["attachments"]
    assert Case.objects.count() == 0


def test_schema_errors_name_the_field(api):
    response = api.submit(payload(kind="subpoena_please", instrument_date="yesterday",
                                  unexpected=1))
    assert response.status_code == 422
    fields = _fields(response)
    assert {"kind", "instrument_date", "unexpected"} <= set(fields)


@pytest.mark.parametrize("raw", ["{not json", "[1, 2]", ""])
def test_request_part_that_is_not_a_json_object(api, raw):
    response = api.client.post("/api/v1/requests", data={"request": raw}, headers=api.headers)
    assert response.status_code == 422
    assert "request" in _fields(response)
    assert Event.objects.filter(action="api:request:refused").exists()


def test_missing_request_part_and_unknown_parts(api):
    response = api.client.post("/api/v1/requests", data={"attachment": "x"}, headers=api.headers)
    assert response.status_code == 422
    assert {"attachment", "request"} & set(_fields(response))


def test_json_body_is_unsupported_media_type(api):
    response = api.post_json("/api/v1/requests", payload())
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


def test_oversized_body_is_413_before_it_is_read(api, settings):
    settings.LAWDESK_API_MAX_BODY_BYTES = 1000
    response = api.submit(files=[("big.pdf", PDF_BYTES + b"0" * 5000)])
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    assert Case.objects.count() == 0


def test_unicode_digit_identifier_is_a_field_error(api):
    response = api.submit(targets=[{"identifier": "³"}])
    assert response.status_code == 422
    assert "targets.0.identifier" in _fields(response)


def test_nul_characters_are_field_errors_not_database_errors(api):
    response = api.submit(issuer_name="Anne\x00Roussel", targets=[{"identifier": "@a\x00b"}])
    assert response.status_code == 422
    assert {"issuer_name", "targets.0.identifier"} <= set(_fields(response))


def test_legal_facts_are_accepted_and_shown_back(api):
    response = api.submit(protected_status="unknown", offence_committed_online=True,
                          user_location="FR")
    assert response.status_code == 201, response.content
    case = Case.objects.get(pk=response.json()["id"])
    assert case.legal.outcome("subscriber") == "needs_further_process"
    detail = api.client.get(f"/api/v1/requests/{case.pk}", headers=api.headers).json()
    assert detail["legal_facts"] == {"protected_status": "unknown",
                                     "offence_committed_online": True, "user_location": "FR"}


def test_an_emergency_kind_on_a_production_order_names_the_field(api):
    response = api.submit(emergency_kind="threat_to_life_or_physical_integrity")
    assert response.status_code == 422
    assert "Only for an emergency request" in _fields(response)["emergency_kind"]
