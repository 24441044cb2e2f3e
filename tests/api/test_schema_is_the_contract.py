"""The OpenAPI document is the contract (issue 11, item 13): for each value below, the
document's schema accepts it exactly when the server does (no 422) — the examples of the review
first (a withdrawal reason of 1-2 characters, a NUL, a removal order without content locations),
then every kind of text rule and every conditional requirement."""

from __future__ import annotations

import json
from typing import Any

import jsonschema_rs
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lawdesk.cases.models import Case
from tests.factories import PDF_BYTES, payload

pytestmark = pytest.mark.django_db


@pytest.fixture
def document(api) -> dict[str, Any]:
    return json.loads(api.get("/api/openapi.json").content)


def _validator(document: dict[str, Any], schema: dict[str, Any]) -> Any:
    """A JSON Schema 2020-12 validator (the one schemathesis uses) with the components."""
    return jsonschema_rs.Draft202012Validator({**schema, "components": document["components"]})


def _body_schema(document: dict[str, Any], path: str, media: str) -> dict[str, Any]:
    return document["paths"][path]["post"]["requestBody"]["content"][media]["schema"]


REASONS = ["", "ab", " ab ", "abc", "a b", "   \n\t ", "ok\x00go", "x" * 2_000, "x" * 2_001,
           " " + "x" * 2_000, "\u2003ab\u2003", "Suspect identified"]


@pytest.mark.parametrize("reason", REASONS)
def test_withdraw_reason_schema_and_server_agree(api, document, reason):
    case = Case.objects.get(pk=api.submit().json()["id"])
    path = "/api/v1/requests/{id}/withdraw"
    schema = _body_schema(document, path, "application/json")
    valid = _validator(document, schema).is_valid({"reason": reason})
    response = api.post_json(f"/api/v1/requests/{case.pk}/withdraw", {"reason": reason})
    assert response.status_code in (200, 422), response.content
    assert (response.status_code != 422) is valid, (reason, response.content[:300])


@pytest.mark.parametrize("answer", ["", "a", " a ", "ab", "a\x00b", "x" * 10_001])
def test_clarification_answer_schema_and_server_agree(api, document, answer, make_staff, now):
    from lawdesk.cases import conversation, services

    case = Case.objects.get(pk=api.submit().json()["id"])
    reviewer = make_staff("reviewer")
    services.start_review(case=case, actor=reviewer, now=now)
    conversation.ask_clarification(case=case, actor=reviewer, now=now,
                                   question="Which account of the two is the suspect's?")
    schema = _body_schema(document, "/api/v1/requests/{id}/clarification", "application/json")
    valid = _validator(document, schema).is_valid({"answer": answer})
    response = api.post_json(f"/api/v1/requests/{case.pk}/clarification", {"answer": answer})
    assert response.status_code in (200, 422), response.content
    assert (response.status_code != 422) is valid, (answer, response.content[:300])


INTAKES: dict[str, tuple[dict[str, Any], bool]] = {
    # name: (request JSON, with an attachment)
    "valid production": (payload(), True),
    "NUL in a text": (payload(instrument_reference="EPOC\x00-1"), True),
    "blank reference": (payload(instrument_reference="   "), True),
    "padded reference": (payload(instrument_reference="  EPOC-7  "), True),
    "description of 9 characters, padded": (payload(offence_description="  123456789  "), True),
    "removal without content locations": (payload(kind="removal", categories=[]), True),
    "removal with blank content locations": (
        payload(kind="removal", categories=[], content_locations="  "), True),
    "removal with content locations": (
        # A TCO order: an EPOC cannot carry a removal request (law 2026.11.3).
        payload(kind="removal", categories=[], instrument_type="tco_removal_order",
                content_locations="https://t.example/c/1"), True),
    "production without categories": (payload(categories=[]), True),
    "a category twice": (payload(categories=["subscriber", "subscriber"]), True),
    "emergency with a short threat": (
        payload(kind="emergency_disclosure", emergency_threat="Threat to a life now"[:19]), False),
    "emergency with a threat": (
        payload(kind="emergency_disclosure",
                emergency_threat="Imminent threat to the life of a missing child."), False),
    "production without an attachment": (payload(), False),
    "non-disclosure end without the order": (payload(nondisclosure_until="2027-01-01"), True),
    "non-disclosure end with the order": (
        payload(nondisclosure_order=True, nondisclosure_until="2027-01-01"), True),
    "validator role without a name": (payload(validator_role="judge"), True),
    "validator role with a name": (payload(validator_role="judge", validator_name="J. Dupont"),
                                   True),
    "kind with a space": (payload(kind=" production"), True),
    "emergency kind on a production order": (payload(emergency_kind="critical_infrastructure"), True),
    "refusal ground without notification": (
        payload(enforcing_authority_ground="ne_bis_in_idem"), True),
    "language with a space": (payload(language="fr "), True),
}


@pytest.mark.parametrize("name", sorted(INTAKES))
def test_intake_schema_and_server_agree(api, document, name):
    body, attach = INTAKES[name]
    schema = _body_schema(document, "/api/v1/requests", "multipart/form-data")
    instance: dict[str, Any] = {"request": body}
    if attach:
        instance["attachments"] = ["%PDF-…"]
    valid = _validator(document, schema).is_valid(instance)
    data: dict[str, Any] = {"request": json.dumps(body)}
    if attach:
        data["attachments"] = [SimpleUploadedFile("o.pdf", PDF_BYTES, "application/pdf")]
    response = api.client.post("/api/v1/requests", data=data, headers=api.headers)
    assert response.status_code in (201, 422), response.content[:300]
    assert (response.status_code == 201) is valid, (name, valid, response.content[:400])


def test_unknown_query_parameters_and_parts_are_refused_as_the_document_says(api, document):
    response = api.get("/api/v1/requests?page=1&bogus=1")
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["bogus"]
    assert api.get("/api/v1/requests?page=1").status_code == 200
    schema = _body_schema(document, "/api/v1/requests", "multipart/form-data")
    assert schema["additionalProperties"] is False
    list_parameters = {p["name"] for p in document["paths"]["/api/v1/requests"]["get"]["parameters"]
                       if p["in"] == "query"}
    assert list_parameters == {"page", "page_size"}
