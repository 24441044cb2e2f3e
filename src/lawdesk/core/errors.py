"""Errors meant for people: each names the field it is about and a stable code."""

from __future__ import annotations


class DomainError(Exception):
    """A refused use case, with a stable machine code and a message for people."""

    code = "domain_error"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code


class PermissionDenied(DomainError):
    code = "permission_denied"


class InvalidTransition(DomainError):
    code = "invalid_transition"
