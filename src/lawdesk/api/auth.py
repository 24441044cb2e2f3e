"""Bearer-token authentication for the API. Session cookies are never looked at."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.http import HttpRequest
from ninja.errors import Throttled
from ninja.security import HttpBearer

from lawdesk.accounts.models import User
from lawdesk.api import tokens
from lawdesk.audit.actions import Action
from lawdesk.audit.services import record
from lawdesk.core.clock import utcnow
from lawdesk.core.origin import Origin


def failures_per_minute() -> int:
    """Failed authentications one address may make in a minute before it gets 429."""
    return int(getattr(settings, "LAWDESK_API_AUTH_FAILURES_PER_MINUTE", 30))


def _failure_key(request: HttpRequest, now: datetime) -> str:
    return f"lawdesk:api:auth-failures:{Origin.from_request(request).ip or '-'}:{int(now.timestamp()) // 60}"


class TokenAuth(HttpBearer):
    """``Authorization: Bearer ld_…``; anything else (a session included) is unauthenticated.

    Each failure is audited, up to :func:`failures_per_minute` per address and minute; past that
    the address gets ``429`` and one ``api:auth:throttled`` event, so a flood of bad tokens
    cannot flood the audit chain. Valid tokens keep working from a throttled address.
    """

    openapi_bearerFormat = "ld_<prefix>_<secret>"

    def __call__(self, request: HttpRequest) -> User | None:
        # The session middleware may have put a signed-in browser user on the request; the API
        # must not act as that user (no CSRF protection here), so forget it before anything else.
        request.user = AnonymousUser()
        now = utcnow()
        key = _failure_key(request, now)
        over = int(cache.get(key, 0)) >= failures_per_minute()
        header = request.headers.get("Authorization", "")
        scheme, _, raw = header.partition(" ")
        user = None
        if not header or scheme.lower() != "bearer" or not raw.strip():
            if not over:
                tokens.audit_auth_failure(reason="missing" if not header else "not_bearer",
                                          now=now, origin=Origin.from_request(request))
        else:
            try:
                user = tokens.authenticate(raw, now=now, origin=Origin.from_request(request),
                                           audit_failures=not over, raise_expired=True)
            except tokens.TokenExpired:
                self._count_failure(request, key, now)
                if over:
                    raise Throttled(wait=60 - int(now.timestamp()) % 60) from None
                raise
        if user is not None:
            request.user = user
            return user
        self._count_failure(request, key, now)
        if over:
            raise Throttled(wait=60 - int(now.timestamp()) % 60)
        return None

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        """Resolve the token to its officer (see :func:`lawdesk.api.tokens.authenticate`)."""
        return tokens.authenticate(token, now=utcnow(), origin=Origin.from_request(request))

    @staticmethod
    def _count_failure(request: HttpRequest, key: str, now: datetime) -> None:
        cache.add(key, 0, timeout=120)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=120)
            count = 1
        if count == failures_per_minute() + 1:
            record(Action.API_AUTH_THROTTLED, actor=AnonymousUser(), origin=Origin.from_request(request),
                   now=now,
                   params={"failures_per_minute": failures_per_minute()})


def actor(request: HttpRequest) -> User:
    """The officer the request's token belongs to."""
    user: Any = getattr(request, "auth", None)
    assert isinstance(user, User), "endpoint reached without token authentication"
    return user
