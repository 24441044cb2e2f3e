"""The request type of pages behind a sign-in."""

from __future__ import annotations

from django.http import HttpRequest

from lawdesk.accounts.models import User


class AuthedRequest(HttpRequest):
    """A request whose user is a signed-in lawdesk user (what ``core.views.require_perm``
    guarantees)."""

    user: User
