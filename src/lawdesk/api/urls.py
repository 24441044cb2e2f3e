"""``/api/``: the NinjaAPI, then a problem-details 404 for every other path under it."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path, re_path

from lawdesk.api.app import api
from lawdesk.api.problems import problem_response


def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Unknown API path: a problem document, not the site's HTML 404 page."""
    return problem_response("not_found", "No such API endpoint.")


urlpatterns = [
    path("", api.urls),
    re_path(r"^(?P<rest>.*)$", not_found),
]
