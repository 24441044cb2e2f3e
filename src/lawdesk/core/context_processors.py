from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from lawdesk.core.permissions import roles_of


def lawdesk(request: HttpRequest) -> dict[str, Any]:
    """Expose the platform name and the current user's roles to every template."""
    user = getattr(request, "user", None)
    return {
        "platform_name": settings.LAWDESK_PLATFORM_NAME,
        "user_roles": roles_of(user) if user is not None else frozenset(),
    }
