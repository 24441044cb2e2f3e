"""Response headers that Django 5.2 does not set by itself; the viewer's language and zone."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.middleware.locale import LocaleMiddleware
from django.utils import timezone, translation

from lawdesk.core.locale import language_codes, zone_of


class ContentSecurityPolicyMiddleware:
    """Send one strict Content-Security-Policy: no inline script, no third-party origin."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = settings.CONTENT_SECURITY_POLICY

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


class UserLocaleMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware, with the signed-in user's own language first, and their time
    zone activated so that every page shows times in it (they are stored in UTC)."""

    def process_request(self, request: HttpRequest) -> None:
        user = getattr(request, "user", None)
        chosen = str(getattr(user, "language", "") or "") if user is not None else ""
        if user is not None and user.is_authenticated and chosen in language_codes():
            translation.activate(chosen)
            request.LANGUAGE_CODE = translation.get_language()
        else:
            super().process_request(request)
        if user is not None and user.is_authenticated:
            timezone.activate(zone_of(user))
        else:
            timezone.activate(settings.LAWDESK_TIME_ZONE)

    def process_response(self, request: HttpRequest,
                         response: HttpResponseBase) -> HttpResponseBase:
        response = super().process_response(request, response)
        # The request's language and zone end with it: code run after (a test, a thread
        # reused by the server) starts from the deployment's defaults again.
        timezone.deactivate()
        translation.deactivate()
        return response
