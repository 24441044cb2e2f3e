"""The officer endpoints: thin — parse, call the service, shape the answer."""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext
from ninja import Header, Path, Query, Router

from lawdesk.api.auth import actor
from lawdesk.api.idempotency import (
    HEADER,
    KEY_DESCRIPTION,
    KEY_MAX_LENGTH,
    KEY_PATTERN,
    Idempotency,
)
from lawdesk.api.problems import ApiProblem, Problem
from lawdesk.api.rendering import json_answer
from lawdesk.api.schemas import (
    CaseDetail,
    CasePage,
    ClarificationIn,
    ReceiptOut,
    WithdrawIn,
    detail_out,
    receipt_out,
    summary_out,
)
from lawdesk.audit.actions import Action
from lawdesk.audit.services import record
from lawdesk.cases import attachments, conversation, lifecycle, services, submission
from lawdesk.cases.models import Case, Status
from lawdesk.cases.selectors import cases_for_agency, get_agency_case
from lawdesk.cases.views_acknowledgement import pdf_response, signature_response
from lawdesk.core.clock import utcnow
from lawdesk.core.errors import InvalidTransition
from lawdesk.core.origin import Origin
from lawdesk.law.vocabulary import RequestKind

router = Router(tags=["requests"])

IdempotencyKey = Annotated[str | None, Header(
    None, alias=HEADER, min_length=1, max_length=KEY_MAX_LENGTH, pattern=KEY_PATTERN,
    description=KEY_DESCRIPTION)]

MAX_ATTACHMENTS = 10
MAX_ID = 2**63 - 1


def max_body_bytes() -> int:
    """The largest intake request accepted: two attachments at the limit, plus the JSON."""
    default = settings.LAWDESK_MAX_ATTACHMENT_BYTES * 2 + settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return int(getattr(settings, "LAWDESK_API_MAX_BODY_BYTES", default))


INTAKE_DESCRIPTION = """\
Send a request as `multipart/form-data` with:

* a part named **`request`**: the request as JSON (schema `IntakeData`), sent either as a plain
  form field or as a file part with `Content-Type: application/json`;
* one or more parts named **`attachments`**: the signed legal instrument and annexes, each a
  PDF (at most {max_files} files, each at most {max_mb} MB). Only emergency disclosure requests
  may come without one.

Nothing is stored unless everything is valid. Field errors come back as a `422` problem
document whose `errors` name each field by its dotted path (`targets.0.identifier`).
The `201` answer carries the receipt: what was received, its SHA-256, and the deadline.

    curl -H "Authorization: Bearer $LAWDESK_TOKEN" \\
         -F "request=@request.json;type=application/json" \\
         -F "attachments=@order.pdf;type=application/pdf" \\
         https://lawdesk.platform.example/api/v1/requests
"""

ERRORS_401 = {401: Problem, 429: Problem}
ERRORS_ID = {**ERRORS_401, 404: Problem, 422: Problem}


def _only_query(request: HttpRequest, *allowed: str) -> None:
    """Refuse query parameters the operation does not declare (the document says none other)."""
    unknown = sorted(set(request.GET) - set(allowed))
    if unknown:
        raise ApiProblem("invalid_request", gettext("The request has unknown query parameters."),
                         errors=[(name, gettext("Unknown query parameter.")) for name in unknown])


def _intake_request_body() -> dict[str, Any]:
    return {"requestBody": {"required": True, "content": {"multipart/form-data": {
        "schema": {
            "type": "object",
            "required": ["request"],
            "additionalProperties": False,
            "properties": {
                "request": {"$ref": "#/components/schemas/IntakeData"},
                "attachments": {"type": "array", "maxItems": MAX_ATTACHMENTS,
                                "items": {"type": "string", "format": "binary",
                                          "contentMediaType": "application/pdf"}},
            },
            # Only an emergency disclosure request may come without its instrument.
            "allOf": [{
                "if": {"properties": {"request": {"properties": {
                    "kind": {"const": RequestKind.EMERGENCY_DISCLOSURE.value}},
                    "required": ["kind"]}}},
                "else": {"required": ["attachments"],
                         "properties": {"attachments": {"minItems": 1}}},
            }],
        },
        "encoding": {"request": {"contentType": "application/json"},
                     "attachments": {"contentType": "application/pdf"}},
    }}}}


def _intake_payload(request: HttpRequest) -> dict[str, Any]:
    """The JSON of the ``request`` part (a form field or a file part)."""
    if "request" in request.FILES:
        part = request.FILES.getlist("request")[0]
        raw: str | bytes = part.read(settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
        if len(raw) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            raise ApiProblem("payload_too_large", gettext("The `request` part is too large."))
    elif "request" in request.POST:
        raw = request.POST["request"]
    else:
        raise ApiProblem("invalid_request", gettext("The `request` part is missing."),
                         errors=[("request", gettext("Send the request as JSON in a part named `request`."))])
    try:
        payload = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiProblem("invalid_request", gettext("The `request` part is not valid JSON."),
                         errors=[("request", gettext("Not valid JSON: %(error)s.")
                                  % {"error": exc})]) from None
    if not isinstance(payload, dict):
        raise ApiProblem("invalid_request", gettext("The `request` part must be a JSON object."),
                         errors=[("request", gettext("Send a JSON object."))])
    nul = _nul_paths(payload)
    if nul:
        raise ApiProblem("invalid_request", gettext("The request contains NUL characters."),
                         errors=[(p, gettext("Remove the NUL (\\u0000) character.")) for p in nul])
    return payload


def _nul_paths(value: Any, path: str = "") -> list[str]:
    """Dotted paths of strings (keys included) holding NUL, which no text column can store."""
    if isinstance(value, str):
        return [path or "request"] if "\x00" in value else []
    if isinstance(value, dict):
        found: list[str] = []
        for key, item in value.items():
            here = f"{path}.{key}" if path else str(key)
            found += [here.replace("\x00", "\\0")] if "\x00" in str(key) else _nul_paths(item, here)
        return found
    if isinstance(value, list):
        return [p for i, item in enumerate(value) for p in _nul_paths(item, f"{path}.{i}")]
    return []


def _check_parts(request: HttpRequest) -> None:
    unknown = sorted({*request.POST.keys(), *request.FILES.keys()} - {"request", "attachments"})
    if unknown:
        raise ApiProblem("invalid_request", gettext("The request has unknown parts."),
                         errors=[(name, gettext("Unknown part: send `request` and `attachments` only."))
                                 for name in unknown])
    if "attachments" in request.POST:
        raise ApiProblem("invalid_request", gettext("Attachments must be files."),
                         errors=[("attachments", gettext("Send each attachment as a file part."))])
    if len(request.FILES.getlist("attachments")) > MAX_ATTACHMENTS:
        raise ApiProblem("invalid_request", gettext("Too many attachments."),
                         errors=[("attachments", gettext("Send at most %(n)s files.")
                                                  % {"n": MAX_ATTACHMENTS})])


@router.post(
    "/requests",
    response={201: ReceiptOut, **ERRORS_401, 400: Problem, 403: Problem, 413: Problem,
              415: Problem, 422: Problem},
    summary="Send a request (production, preservation, emergency disclosure, removal)",
    description=INTAKE_DESCRIPTION.format(
        max_files=MAX_ATTACHMENTS, max_mb=settings.LAWDESK_MAX_ATTACHMENT_BYTES // 1_000_000),
    openapi_extra=_intake_request_body(),
    operation_id="submit_request",
)
def submit_request(request: HttpRequest, idempotency_key: IdempotencyKey = None) -> HttpResponse:
    """Accept a request with its signed instrument and answer with the receipt."""
    _only_query(request)
    if request.content_type != "multipart/form-data":
        raise ApiProblem("unsupported_media_type",
                         gettext("Send multipart/form-data with a `request` JSON part and PDF "
                         "`attachments` parts."))
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise ApiProblem("malformed_request", gettext("Invalid Content-Length.")) from None
    if length > max_body_bytes():
        raise ApiProblem("payload_too_large",
                         gettext("The request is %(size)s MB; the limit is %(limit)s MB.")
                         % {"size": length // 1_000_000, "limit": max_body_bytes() // 1_000_000})
    _check_parts(request)
    payload = _intake_payload(request)
    files = request.FILES.getlist("attachments")
    user = actor(request)
    idem = Idempotency(request, user, idempotency_key, {
        "request": payload, "attachments": [[f.name, _sha256(f)] for f in files]})
    replayed = idem.replay()
    if replayed is not None:
        return replayed
    uploads = [attachments.Upload(name=f.name or "document.pdf", content=f) for f in files]
    answer: list[HttpResponse] = []

    def created(case: Case) -> None:  # inside the transaction that creates the case
        response = json_answer(request, 201, ReceiptOut, receipt_out(case))
        response["Location"] = f"/api/v1/requests/{case.pk}"
        idem.remember(response, case=case, now=now)
        answer.append(response)

    now = utcnow()
    try:
        submission.submit_request(actor=user, now=now, payload=payload, uploads=uploads,
                                  channel="api", origin=Origin.from_request(request), on_created=created)
    except IntegrityError as exc:
        return idem.after_conflict(exc)
    return answer[0]


def _sha256(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


@router.get("/requests", response={200: CasePage, **ERRORS_401, 422: Problem},
            summary="The agency's requests, newest first", operation_id="list_requests")
def list_requests(request: HttpRequest, page: int = Query(1, ge=1, le=100_000),
                  page_size: int = Query(50, ge=1, le=200)) -> dict[str, Any]:
    """One page of the requests of the token owner's agency."""
    _only_query(request, "page", "page_size")
    cases = cases_for_agency(actor(request)).order_by("-received_at", "-pk")
    start = (page - 1) * page_size
    return {"items": [summary_out(c) for c in cases[start:start + page_size]],
            "count": cases.count(), "page": page, "page_size": page_size}


@router.get("/requests/{id}", response={200: CaseDetail, **ERRORS_ID},
            summary="One request: status, deadline, messages, decision",
            operation_id="get_request")
def get_request(request: HttpRequest, id: int = Path(..., ge=1, le=MAX_ID)) -> dict[str, Any]:
    """A request of the agency (another agency's looks exactly like a missing one)."""
    _only_query(request)
    case = get_agency_case(actor(request), id)
    record(Action.CASE_VIEWED, actor=actor(request), target=case, origin=Origin.from_request(request),
           now=utcnow(),
           params={"number": case.number, "side": "api"})
    return detail_out(case)


@router.post("/requests/{id}/clarification",
             response={200: CaseDetail, **ERRORS_ID, 400: Problem, 403: Problem, 409: Problem,
                       413: Problem},
             summary="Answer the platform's request for clarification",
             operation_id="answer_clarification")
def answer_clarification(request: HttpRequest, body: ClarificationIn,
                         id: int = Path(..., ge=1, le=MAX_ID),
                         idempotency_key: IdempotencyKey = None) -> HttpResponse:
    """Answer a clarification question; the legal clock resumes."""
    _only_query(request)
    user = actor(request)
    case = get_agency_case(user, id)
    idem = Idempotency(request, user, idempotency_key, json.loads(request.body))
    replayed = idem.replay()
    if replayed is not None:
        return replayed
    if case.status != Status.AWAITING_CLARIFICATION:
        # The service would also accept a "received" case and skip the desk's review start.
        raise InvalidTransition(gettext("This request is not waiting for a clarification."),
                                field="status")
    now = utcnow()
    try:
        with transaction.atomic(), lifecycle.composed():  # the answer kept with the change
            case = conversation.answer_clarification(case=case, actor=user, now=now,
                                                     answer=body.answer, origin=Origin.from_request(request))
            response = json_answer(request, 200, CaseDetail,
                                   detail_out(get_agency_case(user, case.pk)))
            idem.remember(response, case=case, now=now)
    except IntegrityError as exc:
        return idem.after_conflict(exc)
    return response


@router.post("/requests/{id}/withdraw",
             response={200: CaseDetail, **ERRORS_ID, 400: Problem, 403: Problem, 409: Problem,
                       413: Problem},
             summary="Withdraw the request", operation_id="withdraw_request")
def withdraw_request(request: HttpRequest, body: WithdrawIn,
                     id: int = Path(..., ge=1, le=MAX_ID),
                     idempotency_key: IdempotencyKey = None) -> HttpResponse:
    """Withdraw a request that is still open."""
    _only_query(request)
    user = actor(request)
    case = get_agency_case(user, id)
    idem = Idempotency(request, user, idempotency_key, json.loads(request.body))
    replayed = idem.replay()
    if replayed is not None:
        return replayed
    now = utcnow()
    try:
        with transaction.atomic(), lifecycle.composed():  # the answer kept with the change
            case = services.withdraw(case=case, actor=user, now=now, reason=body.reason,
                                     origin=Origin.from_request(request))
            response = json_answer(request, 200, CaseDetail,
                                   detail_out(get_agency_case(user, case.pk)))
            idem.remember(response, case=case, now=now)
    except IntegrityError as exc:
        return idem.after_conflict(exc)
    return response


def _binary(description: str, media_type: str) -> dict[str, Any]:
    return {"responses": {"200": {"description": description, "content": {
        media_type: {"schema": {"type": "string", "format": "binary"}}}}}}


@router.get("/requests/{id}/acknowledgement.pdf", response={**ERRORS_ID},
            summary="The signed acknowledgement of receipt (PDF, for the case file)",
            operation_id="get_acknowledgement",
            openapi_extra=_binary("The acknowledgement PDF; its detached Ed25519 signature is at "
                                  "`acknowledgement.pdf.sig`.", "application/pdf"))
def get_acknowledgement(request: HttpRequest, id: int = Path(..., ge=1, le=MAX_ID)) -> HttpResponse:
    """Case number, time of receipt, deadline and its basis, SHA-256 of what was received."""
    _only_query(request)
    case = get_agency_case(actor(request), id)
    record(Action.ACKNOWLEDGEMENT_DOWNLOADED, actor=actor(request), target=case,
           origin=Origin.from_request(request),
           now=utcnow(), params={"number": case.number, "file": "pdf", "side": "api"})
    return pdf_response(case)


@router.get("/requests/{id}/acknowledgement.pdf.sig", response={**ERRORS_ID},
            summary="The Ed25519 signature over the acknowledgement PDF (64 raw bytes)",
            operation_id="get_acknowledgement_signature",
            openapi_extra=_binary("Verify with `lawdesk verify-receipt` or "
                                  "`openssl pkeyutl -verify -rawin` and the platform's receipt key "
                                  "(`/keys/receipt.pem`).",
                                  "application/octet-stream"))
def get_acknowledgement_signature(request: HttpRequest,
                                  id: int = Path(..., ge=1, le=MAX_ID)) -> HttpResponse:
    """The detached signature of the acknowledgement PDF."""
    _only_query(request)
    case = get_agency_case(actor(request), id)
    record(Action.ACKNOWLEDGEMENT_DOWNLOADED, actor=actor(request), target=case,
           origin=Origin.from_request(request),
           now=utcnow(), params={"number": case.number, "file": "signature", "side": "api"})
    return signature_response(case)
