"""Where an action came from: the client's address and user agent, and nothing else of the request.

Views (and the other HTTP edges: middleware, forms, the API's handlers, the receivers of
django-allauth's signals) build one :class:`Origin` per request with :meth:`Origin.from_request`
and hand it to the use cases, which pass it to ``audit.services.record``. Services never see the
``HttpRequest`` (``tests/core/test_imports.py`` checks it). Work that does not come from a web
request — the worker, the command line, the clock loop, the demo seed — passes
:data:`SYSTEM` (``None``): the audit event then has no address and an empty user agent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from django.http import HttpRequest


@dataclass(frozen=True, slots=True)
class Origin:
    """The client's IP address as the web server saw it (``None`` when unknown) and its user agent."""

    ip: str | None
    user_agent: str

    @classmethod
    def from_request(cls, request: HttpRequest) -> Origin:
        """The origin of ``request``: ``REMOTE_ADDR`` — a proxy header (``X-Forwarded-For``) is not
        trusted for the address — and the ``User-Agent`` header as sent (the audit trail keeps its
        first 300 characters)."""
        return cls(ip=request.META.get("REMOTE_ADDR") or None,
                   user_agent=request.META.get("HTTP_USER_AGENT", ""))

    @classmethod
    def of(cls, request: HttpRequest | None) -> Origin | None:
        """:meth:`from_request`, or ``None`` (:data:`SYSTEM`) when there is no request — for the
        edges that may run without one (django-allauth's signals and forms, the test client)."""
        return cls.from_request(request) if request is not None else None


# No web request: the worker, the command line, the clock loop, the demo seed.
SYSTEM: Final[Origin | None] = None
