"""Per-officer API tokens: created once in plaintext, stored only as a SHA-256 hash.

A token reads ``ld_<prefix>_<secret>``: ``prefix`` is 8 hex characters that people and the
audit trail may see; ``secret`` is 32 random bytes (URL-safe base64). The database holds the
SHA-256 of the whole token, so a leaked database does not leak usable tokens, and lookup by
hash means no secret is ever compared character by character.

A token lives ``LAWDESK_API_TOKEN_DAYS`` days (90 by default), so a token forgotten in a
decommissioned system stops working on its own; its owner renews it from the portal (audited),
which restarts the period from the renewal.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext

from lawdesk.accounts.models import User
from lawdesk.api.models import ApiToken
from lawdesk.audit.actions import Action
from lawdesk.audit.services import record
from lawdesk.core.errors import DomainError, PermissionDenied
from lawdesk.core.origin import Origin
from lawdesk.core.permissions import has_perm

SECRET_BYTES = 32
MAX_ACTIVE_TOKENS = 10
# last_used_at is bookkeeping, not an audit trail: one write a minute per token is enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)
_TOKEN = re.compile(r"ld_(?P<prefix>[0-9a-f]{8})_(?P<secret>[A-Za-z0-9_-]{43})")


class TokenExpired(Exception):
    """A well-formed, known, unrevoked token past its expiry (answered 401 ``token_expired``)."""

    def __init__(self, expired_at: datetime) -> None:
        super().__init__(f"expired at {expired_at.isoformat()}")
        self.expired_at = expired_at


def lifetime() -> timedelta:
    """How long a token is valid after it is created or renewed (``LAWDESK_API_TOKEN_DAYS``)."""
    return timedelta(days=int(getattr(settings, "LAWDESK_API_TOKEN_DAYS", 90)))


def token_hash(raw: str) -> str:
    """The SHA-256 (hex) under which a token is stored."""
    return hashlib.sha256(raw.encode()).hexdigest()


def visible_prefix(raw: str) -> str | None:
    """``ld_<prefix>`` of a well-formed token (safe to log), else None."""
    match = _TOKEN.fullmatch(raw)
    return f"ld_{match.group('prefix')}" if match else None


def tokens_for(user: User) -> QuerySet[ApiToken]:
    """The officer's tokens, newest first (revoked ones included, for the portal's list)."""
    officer = user.officer_or_none
    if officer is None:
        return ApiToken.objects.none()
    return ApiToken.objects.filter(officer=officer).order_by("-created_at", "-pk")


def get_token_for(user: User, token_id: int | str) -> ApiToken:
    """One of the user's own tokens, else 404 (another officer's token looks missing)."""
    try:
        pk = int(token_id)
    except (TypeError, ValueError):
        raise Http404("No such token.") from None
    token = tokens_for(user).filter(pk=pk).first()
    if token is None:
        raise Http404("No such token.")
    return token


@transaction.atomic
def create_token(*, officer_user: User, name: str, now: datetime,
                 origin: Origin | None = None) -> tuple[ApiToken, str]:
    """Issue a token to an active officer; return it with its plaintext (shown only this once)."""
    if not has_perm(officer_user, "portal:case:create"):
        raise PermissionDenied(gettext("Only an approved officer of an active agency can create API tokens."))
    officer = officer_user.officer
    name = name.strip()
    if not name:
        raise DomainError(gettext("Name the token (e.g. the system that will use it)."), field="name",
                          code="required")
    if len(name) > 100:
        raise DomainError(gettext("Keep the name under 100 characters."), field="name", code="too_long")
    active = ApiToken.objects.select_for_update().filter(officer=officer, revoked_at__isnull=True)
    if active.count() >= MAX_ACTIVE_TOKENS:
        raise DomainError(gettext("You already have %(n)s active tokens; revoke one first.")
                          % {"n": MAX_ACTIVE_TOKENS},
                          field="name", code="too_many_tokens")
    prefix = secrets.token_hex(4)
    plaintext = f"ld_{prefix}_{secrets.token_urlsafe(SECRET_BYTES)}"
    token = ApiToken.objects.create(officer=officer, name=name, prefix=f"ld_{prefix}",
                                    token_hash=token_hash(plaintext), created_at=now,
                                    expires_at=now + lifetime())
    record(Action.API_TOKEN_CREATED, actor=officer_user, target=token, origin=origin, now=now,
           params={"name": name, "prefix": token.prefix, "officer": officer_user.email,
                   "expires_at": token.expires_at.isoformat()})
    return token, plaintext


@transaction.atomic
def revoke_token(*, token: ApiToken, actor: User, now: datetime,
                 origin: Origin | None = None) -> ApiToken:
    """Revoke a token (its owner, or an administrator who may suspend officers). Idempotent."""
    token = ApiToken.objects.select_for_update().select_related("officer__user").get(pk=token.pk)
    if token.officer.user_id != actor.pk and not has_perm(actor, "desk:officer:suspend"):
        raise PermissionDenied(gettext("Only the token's owner or an administrator can revoke it."))
    if token.revoked_at is not None:
        return token
    token.revoked_at = now
    token.save(update_fields=["revoked_at"])
    record(Action.API_TOKEN_REVOKED, actor=actor, target=token, origin=origin, now=now,
           params={"name": token.name, "prefix": token.prefix, "officer": token.officer.user.email})
    return token


@transaction.atomic
def renew_token(*, token: ApiToken, actor: User, now: datetime,
                origin: Origin | None = None) -> ApiToken:
    """Give the owner's token a new full period from ``now`` (an expired one too, not a revoked
    one). Only the owner renews: an administrator can revoke a token, never extend it."""
    token = ApiToken.objects.select_for_update().select_related("officer__user").get(pk=token.pk)
    if token.officer.user_id != actor.pk or not has_perm(actor, "portal:case:create"):
        raise PermissionDenied(gettext("Only the token's owner, an active officer, can renew it."))
    if token.revoked_at is not None:
        raise DomainError(gettext("A revoked token cannot be renewed; create a new one."), field="token",
                          code="revoked")
    previous = token.expires_at
    token.expires_at = now + lifetime()
    token.save(update_fields=["expires_at"])
    record(Action.API_TOKEN_RENEWED, actor=actor, target=token, origin=origin, now=now,
           params={"name": token.name, "prefix": token.prefix, "officer": actor.email,
                   "expired_at": previous.isoformat(), "expires_at": token.expires_at.isoformat()})
    return token


def authenticate(raw: str, *, now: datetime, origin: Origin | None = None,
                 audit_failures: bool = True, raise_expired: bool = False) -> User | None:
    """The officer a token belongs to, if the token is live and the officer may still act.

    Every failure is audited as ``api:auth:failed`` with the token's public prefix (never the
    token), unless the caller is throttling a flood of failures (``audit_failures=False``).
    The officer's standing is checked on every call, so suspending an officer or their agency
    stops their tokens at once. With ``raise_expired``, an expired token raises
    :class:`TokenExpired` (audited first) instead of returning None, so the API can say why.
    """
    def auth_failed(**kw: Any) -> None:
        if audit_failures:
            audit_auth_failure(now=now, origin=origin, **kw)

    match = _TOKEN.fullmatch(raw.strip())
    if match is None:
        auth_failed(reason="malformed")
        return None
    prefix = f"ld_{match.group('prefix')}"
    digest = token_hash(raw.strip())
    token = (ApiToken.objects.select_related("officer__agency", "officer__user")
             .filter(token_hash=digest).first())
    if token is None or not hmac.compare_digest(token.token_hash, digest):
        auth_failed(reason="unknown_token", prefix=prefix)
        return None
    if token.revoked_at is not None:
        auth_failed(reason="revoked", prefix=prefix, token=token)
        return None
    if now >= token.expires_at:
        auth_failed(reason="expired", prefix=prefix, token=token)
        if raise_expired:
            raise TokenExpired(token.expires_at)
        return None
    user = token.officer.user
    if not has_perm(user, "portal:case:create"):
        auth_failed(reason="officer_not_active", prefix=prefix, token=token)
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_RESOLUTION)
        ).update(last_used_at=now)
    return user


def audit_auth_failure(*, reason: str, now: datetime, prefix: str | None = None,
                       token: ApiToken | None = None,
                       origin: Origin | None = None) -> None:
    """Audit a refused API authentication (anonymous actor; the prefix at most)."""
    params: dict[str, object] = {"reason": reason, "prefix": prefix}
    if token is not None:
        params["officer"] = token.officer.user.email
    record(Action.API_AUTH_FAILED, actor=AnonymousUser(), target=token, origin=origin, now=now,
           params=params)
