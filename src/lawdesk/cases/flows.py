"""The one table of legal status transitions. Anything not listed here raises."""

from __future__ import annotations

from django.utils.translation import gettext

from lawdesk.cases.models import Status
from lawdesk.core.errors import InvalidTransition
from lawdesk.law.vocabulary import RequestKind

S = Status
_DISCLOSURE: dict[str, set[str]] = {
    S.RECEIVED: {S.IN_REVIEW, S.WITHDRAWN},
    S.IN_REVIEW: {S.AWAITING_CLARIFICATION, S.APPROVED, S.PARTIALLY_APPROVED, S.REFUSED,
                  S.WITHDRAWN},
    S.AWAITING_CLARIFICATION: {S.IN_REVIEW, S.WITHDRAWN},
    S.APPROVED: {S.COLLECTING, S.WITHDRAWN},
    S.PARTIALLY_APPROVED: {S.COLLECTING, S.WITHDRAWN},
    S.COLLECTING: {S.DELIVERED, S.WITHDRAWN},
    S.DELIVERED: {S.CLOSED},
    S.REFUSED: set(),
    S.WITHDRAWN: set(),
    S.CLOSED: set(),
}
_PRESERVATION: dict[str, set[str]] = {
    S.RECEIVED: {S.PRESERVED, S.REFUSED, S.WITHDRAWN},
    S.PRESERVED: {S.EXTENDED, S.RELEASED, S.EXPIRED, S.CONVERTED, S.WITHDRAWN},
    S.EXTENDED: {S.RELEASED, S.EXPIRED, S.CONVERTED, S.WITHDRAWN},
    S.REFUSED: set(),
    S.RELEASED: set(),
    S.EXPIRED: set(),
    S.CONVERTED: set(),
    S.WITHDRAWN: set(),
}
_REMOVAL: dict[str, set[str]] = {
    S.RECEIVED: {S.IN_REVIEW, S.WITHDRAWN},
    S.IN_REVIEW: {S.AWAITING_CLARIFICATION, S.ACTIONED, S.REFUSED, S.WITHDRAWN},
    S.AWAITING_CLARIFICATION: {S.IN_REVIEW, S.WITHDRAWN},
    S.ACTIONED: {S.EFFECT_REPORTED},
    S.REFUSED: set(),
    S.EFFECT_REPORTED: set(),
    S.WITHDRAWN: set(),
}
TRANSITIONS: dict[str, dict[str, set[str]]] = {
    RequestKind.PRODUCTION: _DISCLOSURE,
    RequestKind.EMERGENCY_DISCLOSURE: _DISCLOSURE,
    RequestKind.PRESERVATION: _PRESERVATION,
    RequestKind.REMOVAL: _REMOVAL,
}
# Open states: the case is still waiting for the platform (or the requester) to act.
TERMINAL = {S.CLOSED, S.REFUSED, S.WITHDRAWN, S.RELEASED, S.EXPIRED, S.CONVERTED,
            S.EFFECT_REPORTED}
# States in which the platform has answered the request, so the response clock is met.
ANSWERED = TERMINAL | {S.APPROVED, S.PARTIALLY_APPROVED, S.COLLECTING, S.DELIVERED,
                       S.PRESERVED, S.EXTENDED, S.ACTIONED}
# Preservation clocks run until the hold expires: "answered", but still watched.
HOLD_STATES = {S.PRESERVED, S.EXTENDED}


def allowed(kind: str, current: str) -> set[str]:
    """The statuses a case of ``kind`` may move to from ``current``."""
    return TRANSITIONS[kind].get(current, set())


def check(kind: str, current: str, target: str) -> None:
    """Raise InvalidTransition unless ``current → target`` is legal for ``kind``."""
    if target not in allowed(kind, current):
        raise InvalidTransition(
            gettext("A %(kind)s case cannot go from %(current)s to %(target)s.") % {
                "kind": kind.replace("_", " "), "current": str(Status(current).label).lower(),
                "target": str(Status(target).label).lower()},
            field="status",
        )


def is_open(status: str) -> bool:
    """True while the case is not finished."""
    return status not in TERMINAL
