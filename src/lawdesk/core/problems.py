"""RFC 9457 problem details: every API error has one shape and a stable ``code``.

In ``core`` because the request-size middleware answers with a problem document too, before
any API code runs; the API's schema of the document is :class:`lawdesk.api.problems.Problem`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext_lazy

PROBLEM_BASE = "https://lawdesk.example/problems/"
PROBLEM_JSON = "application/problem+json"

# Stable codes, their HTTP status and title. Clients switch on ``code``; never rename one.
CODES: dict[str, tuple[int, Any]] = {
    "malformed_request": (400, gettext_lazy("The request could not be read")),
    "unauthenticated": (401, gettext_lazy("A valid API token is required")),
    "token_expired": (401, gettext_lazy("The API token has expired")),
    "forbidden": (403, gettext_lazy("Not allowed")),
    "not_found": (404, gettext_lazy("Not found")),
    "method_not_allowed": (405, gettext_lazy("Method not allowed")),
    "invalid_transition": (409, gettext_lazy("Not possible in the request's current state")),
    "payload_too_large": (413, gettext_lazy("The request is too large")),
    "unsupported_media_type": (415, gettext_lazy("Unsupported media type")),
    "invalid_request": (422, gettext_lazy("The request has errors")),
    "idempotency_key_reused": (422, gettext_lazy("The Idempotency-Key was used for another request")),
    "too_many_requests": (429, gettext_lazy("Too many requests")),
    "internal_error": (500, gettext_lazy("Internal error")),
}


def problem_response(code: str, detail: str, *, errors: Iterable[tuple[str, str]] = (),
                     headers: Mapping[str, str] | None = None) -> HttpResponse:
    """An ``application/problem+json`` response for ``code``."""
    status, title = CODES[code]
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + code,
        "title": str(title),  # in the request's language, like ``detail``
        "status": status,
        "detail": str(detail),
        "code": code,
        "errors": [{"field": f, "message": m} for f, m in errors],
    }
    response = HttpResponse(json.dumps(body, ensure_ascii=False), status=status,
                            content_type=PROBLEM_JSON)
    for name, value in (headers or {}).items():
        response[name] = value
    return response
