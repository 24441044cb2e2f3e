"""View helpers shared by every app."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpRequest

from lawdesk.core.errors import DomainError
from lawdesk.core.permissions import has_perm


def require_perm(permission: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Anonymous users go to login; users without ``permission`` get 404, like a missing page."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_perm(request.user, permission):
                raise Http404("Not found.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def apply_domain_error(form: forms.Form, error: DomainError) -> None:
    """Show a service's refusal on the form field it names (or on the whole form)."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


_FAVICON = Path(__file__).resolve().parent / "static" / "lawdesk" / "favicon.ico"


def favicon(request: HttpRequest) -> FileResponse:
    """``/favicon.ico``: browsers ask for it on their own, on every page, signed in or not."""
    response = FileResponse(_FAVICON.open("rb"), content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response
