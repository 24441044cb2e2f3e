"""GET/POST on an agency's requests: list, detail, clarification, withdrawal, 404s."""

from __future__ import annotations

import pytest

from lawdesk.audit.models import Event
from lawdesk.cases import conversation, disclosure, services
from lawdesk.cases.models import Case
from tests.factories import ApiClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(api) -> Case:
    response = api.submit()
    assert response.status_code == 201, response.content
    return Case.objects.get(pk=response.json()["id"])


@pytest.fixture
def other_agency_client(make_agency, make_officer, now) -> ApiClient:
    from lawdesk.api.tokens import create_token

    other = make_officer(make_agency(name="Polizei Berlin", country="DE", domain="polizei.example"))
    return ApiClient(create_token(officer_user=other, name="b", now=now)[1])


def test_list_is_the_agencys_requests_paginated(api, agency, make_officer, now, other_agency_client):
    for _ in range(3):
        assert api.submit().status_code == 201
    assert other_agency_client.submit().status_code == 201
    first = api.get("/api/v1/requests?page_size=2").json()
    second = api.get("/api/v1/requests?page_size=2&page=2").json()
    assert first["count"] == 3 and len(first["items"]) == 2 and len(second["items"]) == 1
    ids = [c["id"] for c in first["items"] + second["items"]]
    assert ids == sorted(ids, reverse=True)
    assert {c["id"] for c in other_agency_client.get("/api/v1/requests").json()["items"]}.isdisjoint(ids)


def test_other_agencys_request_is_404_exactly_like_a_missing_one(case, other_agency_client):
    theirs = other_agency_client.get(f"/api/v1/requests/{case.pk}")
    missing = other_agency_client.get("/api/v1/requests/987654")
    assert theirs.status_code == missing.status_code == 404
    assert theirs.content == missing.content
    assert theirs["Content-Type"] == "application/problem+json"
    assert theirs.json()["code"] == "not_found"
    for action in ("withdraw", "clarification"):
        body = {"reason": "not ours"} if action == "withdraw" else {"answer": "not ours"}
        response = other_agency_client.post_json(f"/api/v1/requests/{case.pk}/{action}", body)
        assert response.status_code == 404 and response.content == missing.content
    case.refresh_from_db()
    assert case.status == "received"


def test_detail_shows_clarification_but_never_internal_notes(api, case, make_staff, now):
    reviewer = make_staff("reviewer")
    services.start_review(case=case, actor=reviewer, now=now)
    conversation.add_note(case=case, actor=reviewer, now=now, body="SECRET internal doubt about this")
    conversation.ask_clarification(case=case, actor=reviewer, now=now,
                                   question="Which account of the two is the suspect's?")
    body = api.get(f"/api/v1/requests/{case.pk}").json()
    assert Event.objects.filter(action="cases:case:viewed", target_id=str(case.pk),
                                params__side="api").exists()
    assert body["status"] == "awaiting_clarification" and body["clock_paused"] is True
    assert [m["kind"] for m in body["messages"]] == ["clarification_request"]
    assert "SECRET" not in str(body)
    assert "decision" in body and body["decision"] is None
    assert not {"flags", "assigned_to", "refusal_text", "receipt"} & set(body)

    response = api.post_json(f"/api/v1/requests/{case.pk}/clarification",
                             {"answer": "The second one, @night_owl."})
    assert response.status_code == 200, response.content
    after = response.json()
    assert after["status"] == "in_review" and after["clock_paused"] is False
    assert [m["kind"] for m in after["messages"]] == ["clarification_request",
                                                      "clarification_answer"]
    assert "SECRET" not in str(after)


def test_clarification_when_none_was_asked_is_409(api, case):
    response = api.post_json(f"/api/v1/requests/{case.pk}/clarification", {"answer": "hello"})
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    case.refresh_from_db()
    assert case.status == "received" and not case.messages.exists()


def test_withdraw_then_withdraw_again(api, case):
    response = api.post_json(f"/api/v1/requests/{case.pk}/withdraw", {"reason": "Suspect identified"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "withdrawn"
    assert response.json()["withdrawal_reason"] == "Suspect identified"
    assert response.json()["decision"] is None
    again = api.post_json(f"/api/v1/requests/{case.pk}/withdraw", {"reason": "Suspect identified"})
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"


def test_withdraw_without_reason_names_the_field(api, case):
    response = api.post_json(f"/api/v1/requests/{case.pk}/withdraw", {"reason": " "})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["reason"]
    response = api.post_json(f"/api/v1/requests/{case.pk}/withdraw", {})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["reason"]


def test_decision_per_category_after_partial_approval(api, case, make_staff, now):
    reviewer, approver = make_staff("reviewer"), make_staff("approver")
    services.start_review(case=case, actor=reviewer, now=now)
    proposal = disclosure.propose_disclosure(
        case=case, actor=reviewer, now=now, categories=["subscriber"],
        target_ids=[t.pk for t in case.targets.all()], legal_basis="Art. 5 EPOC, subscriber data")
    disclosure.approve_proposal(proposal=proposal, actor=approver, now=now)
    decision = api.get(f"/api/v1/requests/{case.pk}").json()["decision"]
    assert decision["status"] == "partially_approved"
    assert decision["categories"] == [{"category": "subscriber", "outcome": "approved"},
                                      {"category": "identification", "outcome": "not_approved"}]


def test_refusal_shows_the_ground(api, case, make_staff, now):
    reviewer = make_staff("reviewer")
    services.start_review(case=case, actor=reviewer, now=now)
    services.refuse(case=case, actor=reviewer, now=now, ground="de_facto_impossibility",
                    text="The account was deleted in 2024.")
    decision = api.get(f"/api/v1/requests/{case.pk}").json()["decision"]
    assert decision["refusal_ground"] == "de_facto_impossibility"
    assert {c["outcome"] for c in decision["categories"]} == {"refused"}


@pytest.mark.parametrize("path", ["/api/v1/requests/0", "/api/v1/requests/abc",
                                  "/api/v1/requests/99999999999999999999999", "/api/v1/nothing"])
def test_bad_ids_and_unknown_paths_are_problems_not_5xx(api, path):
    response = api.get(path)
    assert response.status_code in (404, 422)
    assert response["Content-Type"] == "application/problem+json"


def test_wrong_method_is_a_problem_with_allow(api):
    response = api.client.delete("/api/v1/requests", headers=api.headers)
    assert response.status_code == 405
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "method_not_allowed"
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "POST"}


def test_the_case_thread_appears_in_the_api(api, case, make_staff, now):
    reviewer = make_staff("reviewer")
    conversation.message_the_requester(case=case, actor=reviewer, now=now,
                                       body="We received the order and look at it today.")
    response = api.get(f"/api/v1/requests/{case.pk}")
    assert response.status_code == 200, response.content
    assert [(m["kind"], m["body"]) for m in response.json()["messages"]] == [
        ("message", "We received the order and look at it today.")]
