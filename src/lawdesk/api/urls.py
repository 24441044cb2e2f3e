"""``/api/``: the NinjaAPI, then a problem-details 404 for every other path under it."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path, re_path
from django.utils.translation import gettext

from lawdesk.api.app import api
from lawdesk.api.problems import PROBLEM_JSON, problem_response


def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Unknown API path: a problem document, not the site's HTML 404 page."""
    return problem_response("not_found", gettext("No such API endpoint."))


def _method_problem(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Turn ninja's plain-text 405 into a problem document (keeping ``Allow``)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and response.get("Content-Type") != PROBLEM_JSON:
            allow = response.get("Allow", "")
            return problem_response("method_not_allowed",
                                    gettext("Allowed methods: %(allow)s.") % {"allow": allow},
                                    headers={"Allow": allow})
        return response

    return wrapper


_patterns, _app_name, _namespace = api.urls
for _pattern in _patterns:
    if isinstance(_pattern, URLPattern):
        _pattern.callback = _method_problem(_pattern.callback)

urlpatterns = [
    path("", (_patterns, _app_name, _namespace)),
    re_path(r"^(?P<rest>.*)$", not_found),
]
