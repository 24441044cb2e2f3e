"""Idempotency-Key (issue 11, item 12): a POST sent again after a lost answer gets the first
answer and does nothing twice; the same key with another request is a 422 naming the header.

The retry after a really dropped connection, and concurrent duplicates, run against a real
gunicorn server in ``tests/api/test_idempotency_live.py``.
"""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lawdesk.api.models import IdempotentAnswer
from lawdesk.audit.models import Event
from lawdesk.cases import conversation, services
from lawdesk.cases.models import Case
from tests.factories import PDF_BYTES, ApiClient, payload

pytestmark = pytest.mark.django_db

KEY = "3f1c1d6e-8b7a-4c2e-9d55-0f6e2a9b7c11"


def _submit(api: ApiClient, key: str | None, body: dict | None = None, *,
            pdf: bytes = PDF_BYTES, indent: int | None = None):
    data = {"request": json.dumps(body or payload(), indent=indent),
            "attachments": [SimpleUploadedFile("order.pdf", pdf, "application/pdf")]}
    headers = {**api.headers, **({"Idempotency-Key": key} if key is not None else {})}
    return api.client.post("/api/v1/requests", data=data, headers=headers)


def test_the_same_key_and_request_gets_the_first_answer_and_makes_one_case(api):
    first = _submit(api, KEY)
    assert first.status_code == 201, first.content
    again = _submit(api, KEY, indent=2)  # re-encoded: other whitespace, other boundary
    assert again.status_code == 201
    assert again.content == first.content
    assert again["Location"] == first["Location"]
    assert again["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert Case.objects.count() == 1
    assert Event.objects.filter(action="cases:case:received").count() == 1
    replay = Event.objects.get(action="api:request:replayed")
    assert replay.target_id == str(Case.objects.get().pk)
    assert IdempotentAnswer.objects.get().case == Case.objects.get()


def test_without_a_key_a_resubmission_makes_a_second_case(api):
    assert _submit(api, None).status_code == 201
    assert _submit(api, None).status_code == 201
    assert Case.objects.count() == 2


def test_the_same_key_with_another_request_is_a_422_naming_the_header(api):
    assert _submit(api, KEY).status_code == 201
    for response in (_submit(api, KEY, payload(authority_file_number="OTHER-1")),
                     _submit(api, KEY, pdf=PDF_BYTES.replace(b"/Count 0", b"/Count 0 "))):
        assert response.status_code == 422
        assert response["Content-Type"] == "application/problem+json"
        body = response.json()
        assert body["code"] == "idempotency_key_reused"
        assert [e["field"] for e in body["errors"]] == ["Idempotency-Key"]
    assert Case.objects.count() == 1
    case = Case.objects.get()
    withdraw = api.post_json(f"/api/v1/requests/{case.pk}/withdraw", {"reason": "Done now"},
                             headers={"Idempotency-Key": KEY})  # another operation
    assert withdraw.status_code == 422 and withdraw.json()["code"] == "idempotency_key_reused"
    case.refresh_from_db()
    assert case.status == "received"


def test_keys_belong_to_their_officer(api, agency, make_officer, now):
    from lawdesk.api.tokens import create_token

    colleague = ApiClient(create_token(officer_user=make_officer(agency), name="b", now=now)[1])
    assert _submit(api, KEY).status_code == 201
    other = _submit(colleague, KEY)
    assert other.status_code == 201 and "Idempotent-Replayed" not in other
    assert Case.objects.count() == 2


def test_a_second_token_of_the_same_officer_shares_the_keys(api, officer, now):
    from lawdesk.api.tokens import create_token

    second = ApiClient(create_token(officer_user=officer, name="second", now=now)[1])
    first = _submit(api, KEY)
    assert _submit(second, KEY).content == first.content
    assert Case.objects.count() == 1


def test_a_refused_request_keeps_no_answer_and_may_be_sent_again(api):
    refused = _submit(api, KEY, payload(targets=[]))
    assert refused.status_code == 422
    assert not IdempotentAnswer.objects.exists()
    assert _submit(api, KEY).status_code == 201


def test_withdraw_and_clarification_replay_their_first_answer(api, make_staff, now):
    case = Case.objects.get(pk=_submit(api, None).json()["id"])
    reviewer = make_staff("reviewer")
    services.start_review(case=case, actor=reviewer, now=now)
    conversation.ask_clarification(case=case, actor=reviewer, now=now,
                                   question="Which account of the two is the suspect's?")
    path = f"/api/v1/requests/{case.pk}/clarification"
    headers = {"Idempotency-Key": "answer-1"}
    first = api.post_json(path, {"answer": "The first one."}, headers=headers)
    assert first.status_code == 200, first.content
    again = api.post_json(path, {"answer": "The first one."}, headers=headers)
    assert again.status_code == 200 and again.content == first.content
    assert case.messages.filter(kind="clarification_answer").count() == 1
    no_key = api.post_json(path, {"answer": "The first one."})
    assert no_key.status_code == 409  # without the key it is a second answer: refused

    path = f"/api/v1/requests/{case.pk}/withdraw"
    headers = {"Idempotency-Key": "withdraw-1"}
    first = api.post_json(path, {"reason": "Suspect identified"}, headers=headers)
    assert first.status_code == 200, first.content
    again = api.post_json(path, {"reason": "Suspect identified"}, headers=headers)
    assert again.status_code == 200 and again.content == first.content
    assert api.post_json(path, {"reason": "Suspect identified"}).status_code == 409
    assert Event.objects.filter(action="cases:case:withdrawn").count() == 1


@pytest.mark.parametrize("key", ["", "x" * 256, "has space", "é"])
def test_a_malformed_key_is_a_422_naming_the_header(api, key):
    headers = {**api.headers, "Idempotency-Key": key}
    response = api.client.post("/api/v1/requests", headers=headers, data={
        "request": json.dumps(payload()),
        "attachments": [SimpleUploadedFile("o.pdf", PDF_BYTES, "application/pdf")]})
    assert response.status_code == 422, response.content
    assert [e["field"] for e in response.json()["errors"]] == ["Idempotency-Key"]
    assert Case.objects.count() == 0


def test_the_header_is_in_the_openapi_document_of_every_post(api):
    document = api.get("/api/openapi.json").json()
    posts = [op for item in document["paths"].values() for m, op in item.items() if m == "post"]
    assert len(posts) == 3
    for operation in posts:
        header = next(p for p in operation["parameters"] if p["in"] == "header")
        assert header["name"] == "Idempotency-Key" and header["required"] is False
        assert header["schema"]["maxLength"] == 255
