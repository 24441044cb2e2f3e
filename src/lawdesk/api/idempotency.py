"""``Idempotency-Key``: a POST sent again after a lost answer gets the first answer again.

A client that lost the answer to a POST (the connection dropped after the server committed)
sends the same request again with the same key. If the first one committed, the key has an
:class:`~lawdesk.api.models.IdempotentAnswer` and the client gets that answer again — same
status, same body, byte for byte — and nothing is done twice. If it did not commit, the key has
no answer and the request runs as if for the first time. The same key with a different request
is refused (``422 idempotency_key_reused``), naming the header.

* Keys belong to an officer (any of their tokens): two officers may use the same key.
* "The same request" is what it means, not its bytes: the operation (method and path), the
  request JSON (parsed, so whitespace and key order do not matter) and each attachment's name
  and SHA-256 — a retry re-encodes the multipart body with a new boundary.
* The answer is stored by :meth:`Idempotency.remember`, called inside the use case's
  transaction: the key has an answer exactly when the use case committed. Two requests with the
  same key at the same time both run; the second to commit hits the unique (officer, key) index,
  rolls back everything it did, and is answered with the first one's answer
  (:meth:`Idempotency.after_conflict`).
* Only successful answers are kept: a refused request did nothing, so running it again is safe.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext

from lawdesk.accounts.models import User
from lawdesk.api.models import IdempotentAnswer
from lawdesk.api.problems import ApiProblem
from lawdesk.audit.actions import Action
from lawdesk.audit.hashing import canonical_sha256
from lawdesk.audit.services import record
from lawdesk.cases.models import Case
from lawdesk.core.clock import utcnow
from lawdesk.core.origin import Origin

HEADER = "Idempotency-Key"
KEY_PATTERN = r"^[!-~]+$"  # visible ASCII, as an HTTP header value can carry it unencoded
KEY_MAX_LENGTH = 255
KEY_DESCRIPTION = (
    "Optional. A key of your choosing, unique per request you mean to make (a UUID is fine), "
    "at most 255 visible ASCII characters. Send the same request again with the same key "
    "after a lost answer: if the first one was done, you get its answer again (same status "
    "and body, header `Idempotent-Replayed: true`) and nothing is done twice. The same key "
    "with a different request is refused with `422 idempotency_key_reused`. Keys are kept "
    "per officer.")
REPLAYED = "Idempotent-Replayed"


def fingerprint(meaning: Any) -> str:
    """SHA-256 of the canonical JSON of what a request means."""
    return canonical_sha256(meaning)


class Idempotency:
    """The key of one POST, if it came with one (every method is a no-op without a key)."""

    def __init__(self, request: HttpRequest, user: User, key: str | None, meaning: Any) -> None:
        self.origin = Origin.from_request(request)
        self.user = user
        self.key = key
        self.operation = f"{request.method} {request.path}"[:200]
        self.fingerprint = fingerprint({"operation": self.operation, "request": meaning}) \
            if key is not None else ""

    def replay(self) -> HttpResponse | None:
        """The first answer for this key and request, None if there is none yet.

        Raises ``ApiProblem(idempotency_key_reused)`` if the key answered another request.
        """
        if self.key is None:
            return None
        row = (IdempotentAnswer.objects.filter(officer__user=self.user, key=self.key)
               .select_related("case").first())
        if row is None:
            return None
        if row.operation != self.operation or row.fingerprint != self.fingerprint:
            raise ApiProblem("idempotency_key_reused",
                             gettext("This Idempotency-Key was already used for a different request."),
                             errors=[(HEADER, gettext("This key was already used with a different "
                                              "request: use a new key for a new request."))])
        record(Action.API_REQUEST_REPLAYED, actor=self.user, target=row.case, origin=self.origin,
               now=utcnow(), params={"operation": row.operation, "status": row.status,
                                     "first_answered_at": row.created_at.isoformat()})
        response = HttpResponse(row.body, status=row.status,
                                content_type="application/json; charset=utf-8")
        if row.location:
            response["Location"] = row.location
        response[REPLAYED] = "true"
        return response

    def remember(self, response: HttpResponse, *, case: Case | None, now: datetime) -> None:
        """Keep ``response`` as this key's answer; call it inside the use case's transaction."""
        if self.key is None:
            return
        IdempotentAnswer.objects.create(
            officer=self.user.officer, key=self.key, operation=self.operation,
            fingerprint=self.fingerprint, status=response.status_code,
            body=response.content.decode(), location=response.get("Location", ""), case=case,
            created_at=now)

    def after_conflict(self, exc: IntegrityError) -> HttpResponse:
        """The answer of a concurrent request with the same key that committed first."""
        replayed = self.replay() if self.key is not None else None
        if replayed is None:
            raise exc
        return replayed
