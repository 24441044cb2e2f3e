"""View helpers shared by every app."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.http import require_http_methods

from lawdesk.core.errors import DomainError
from lawdesk.core.permissions import has_perm

if TYPE_CHECKING:
    from lawdesk.accounts.models import User


class AuthedRequest(HttpRequest):
    """A request whose user is a signed-in lawdesk user (what ``require_perm`` guarantees)."""

    user: User


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


@require_http_methods(["GET", "POST"])
def set_language(request: HttpRequest) -> HttpResponse:
    """The header's language switcher: remembered in a cookie, and in the signed-in user's
    profile (so it follows them to another browser). A visitor's switch is a plain link (GET:
    it only sets their cookie, so public pages carry no form and stay the same bytes for
    everyone); a signed-in user's is a form (POST, CSRF-checked: it changes their profile)."""
    from django.conf import settings
    from django.utils import translation
    from django.utils.http import url_has_allowed_host_and_scheme

    from lawdesk.core.clock import utcnow
    from lawdesk.core.locale import language_codes

    data = request.POST if request.method == "POST" else request.GET
    language = data.get("language", "")
    # Back to the page the switcher was on (the Referer: same-origin pages send it), else home.
    target = data.get("next") or request.META.get("HTTP_REFERER") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = "/"
    response = HttpResponseRedirect(target)
    if language not in language_codes():
        return response
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and request.method != "POST":
        return response  # a signed-in user's profile changes only through the form
    if user is not None and user.is_authenticated:
        from lawdesk.accounts.services import set_preferences

        set_preferences(user, language=language, time_zone=user.time_zone, now=utcnow(),
                        request=request)
    translation.activate(language)
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language,
                        max_age=settings.LANGUAGE_COOKIE_AGE,
                        samesite="Lax",
                        secure=settings.LANGUAGE_COOKIE_SECURE)
    return response
