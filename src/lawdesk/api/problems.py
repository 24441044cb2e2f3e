"""RFC 9457 problem details: every API error has one shape and a stable ``code``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ninja import Schema

from lawdesk.core.problems import CODES, PROBLEM_BASE, PROBLEM_JSON, problem_response

__all__ = ["CODES", "PROBLEM_BASE", "PROBLEM_JSON", "ApiProblem", "FieldError", "Problem",
           "field_errors", "problem_response"]


class FieldError(Schema):
    """One field-level error: a dotted path into the request and a message for people."""

    field: str
    message: str


class Problem(Schema):
    """Problem details (RFC 9457) with lawdesk's stable error ``code``."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    errors: list[FieldError] = []


class ApiProblem(Exception):
    """Raised by endpoints to answer with a problem document."""

    def __init__(self, code: str, detail: str, *,
                 errors: Iterable[tuple[str, str]] = ()) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.errors = list(errors)


def field_errors(errors: Mapping[str, Iterable[str]]) -> list[tuple[str, str]]:
    """Flatten ``{field: [messages]}`` into (field, message) pairs."""
    return [(field, message) for field, messages in errors.items() for message in messages]
