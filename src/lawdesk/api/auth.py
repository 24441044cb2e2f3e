"""Bearer-token authentication for the API. Session cookies are never looked at."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from ninja.security import HttpBearer

from lawdesk.accounts.models import User
from lawdesk.api import tokens
from lawdesk.core.clock import utcnow


class TokenAuth(HttpBearer):
    """``Authorization: Bearer ld_…``; anything else (a session included) is unauthenticated."""

    openapi_bearerFormat = "ld_<prefix>_<secret>"

    def __call__(self, request: HttpRequest) -> User | None:
        # The session middleware may have put a signed-in browser user on the request; the API
        # must not act as that user (no CSRF protection here), so forget it before anything else.
        request.user = AnonymousUser()
        header = request.headers.get("Authorization", "")
        scheme, _, raw = header.partition(" ")
        if not header or scheme.lower() != "bearer" or not raw.strip():
            tokens.auth_failed(reason="missing" if not header else "not_bearer", now=utcnow(),
                               request=request)
            return None
        return self.authenticate(request, raw)

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        """Resolve the token to its officer (audited on failure)."""
        user = tokens.authenticate(token, now=utcnow(), request=request)
        if user is not None:
            request.user = user
        return user


def actor(request: HttpRequest) -> User:
    """The officer the request's token belongs to."""
    user: Any = getattr(request, "auth", None)
    assert isinstance(user, User), "endpoint reached without token authentication"
    return user
