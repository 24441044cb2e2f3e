"""Mandatory second factor, and the waiting room of officers not yet approved."""

from __future__ import annotations

from collections.abc import Callable

from allauth.mfa.utils import is_mfa_enabled
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

# Pages a signed-in user may reach before enrolling a second factor.
_ENROLMENT_PATHS = (
    "/accounts/2fa/totp/activate/",
    "/accounts/2fa/recovery-codes/",
    "/accounts/2fa/webauthn/add/",
    "/accounts/logout/",
    "/accounts/reauthenticate/",
    "/accounts/confirm-email/",
    "/static/",
    "/favicon.ico",
    "/i18n/language/",
)
_PENDING_PATHS = (*_ENROLMENT_PATHS, "/accounts/2fa/", "/accounts/preferences/", "/portal/pending/")


class RequireSecondFactorMiddleware:
    """Redirect a signed-in user without MFA to enrolment; a pending officer to the waiting page.

    Login itself already asks enrolled users for their code (allauth's MFA stage), so after
    this middleware no page beyond login and enrolment is reachable on a password alone.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not request.path.startswith("/api/"):
            if not is_mfa_enabled(user):
                if not request.path.startswith(_ENROLMENT_PATHS):
                    return redirect("/accounts/2fa/totp/activate/")
            else:
                officer = user.officer_or_none
                is_staff = user.staff_or_none is not None and user.staff.active
                if (officer is not None and not officer.is_active_officer and not is_staff
                        and not request.path.startswith(_PENDING_PATHS)):
                    return redirect("portal:pending")
        return self.get_response(request)
