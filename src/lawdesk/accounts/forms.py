"""Forms: officer sign-up (allauth), login with agency checks, and desk management forms."""

from __future__ import annotations

from typing import Any

from allauth.account.forms import LoginForm, SignupForm
from allauth.core import context as allauth_context
from allauth.mfa.totp.forms import ActivateTOTPForm as AllauthActivateTOTPForm
from allauth.mfa.totp.internal import auth as totp_auth
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy

from lawdesk.accounts.models import Agency, Officer, User
from lawdesk.accounts.services import check_officer_email, register_officer
from lawdesk.audit.actions import Action
from lawdesk.audit.services import record
from lawdesk.core.clock import utcnow
from lawdesk.core.errors import DomainError
from lawdesk.core.locale import available_zones, language_codes
from lawdesk.core.origin import Origin


class OfficerSignupForm(SignupForm):
    """An officer signs up with an address on a verified domain of an active agency."""

    full_name = forms.CharField(max_length=200, label=gettext_lazy("Full name"))
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.filter(status=Agency.Status.ACTIVE).order_by("country", "name"),
        label=gettext_lazy("Agency"),
        help_text=gettext_lazy("Your unit or office. Your e-mail address must be on one of its "
                               "verified domains."),
        error_messages={"invalid_choice": gettext_lazy("This agency is not accepting sign-ups.")},
    )
    title = forms.CharField(max_length=120, label=gettext_lazy("Title or rank"))
    supervisor_name = forms.CharField(max_length=200, label=gettext_lazy("Supervisor's name"))
    supervisor_email = forms.EmailField(
        label=gettext_lazy("Supervisor's e-mail"),
        help_text=gettext_lazy("On your agency's domain; used to confirm requests."),
    )
    field_order = ["full_name", "email", "agency", "title", "supervisor_name", "supervisor_email",
                   "password1", "password2"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        agency: Agency | None = cleaned.get("agency")
        email = cleaned.get("email")
        if agency is not None and email:
            try:
                check_officer_email(agency, email)
            except DomainError as exc:
                self.add_error("email", exc.message)
        supervisor = cleaned.get("supervisor_email")
        if agency is not None and supervisor:
            try:
                check_officer_email(agency, supervisor)
            except DomainError:
                self.add_error("supervisor_email", gettext("The supervisor's address must also be on "
                                                             "a verified domain of the agency."))
            if email and supervisor.strip().lower() == email.strip().lower():
                self.add_error("supervisor_email", gettext("The supervisor must be someone else."))
        return cleaned

    def full_clean(self) -> None:
        super().full_clean()
        if self.is_bound and self.errors:
            self._audit_rejection()

    def _audit_rejection(self) -> None:
        # Record which fields failed and why — never the passwords.
        raw_agency = self.data.get("agency", "")
        request = allauth_context.request
        record(
            Action.SIGNUP_REJECTED,
            actor=getattr(request, "user", None), origin=Origin.of(request),
            params={
                "email": str(self.data.get("email", ""))[:254],
                "agency_id": str(raw_agency)[:20],
                "errors": {
                    field: [e.code or "invalid" for e in errs.as_data()]
                    for field, errs in self.errors.items()
                },
            },
        )

    def save(self, request: Any) -> User:
        with transaction.atomic():
            user: User = super().save(request)
            try:
                register_officer(
                    user=user, agency=self.cleaned_data["agency"], title=self.cleaned_data["title"],
                    supervisor_name=self.cleaned_data["supervisor_name"],
                    supervisor_email=self.cleaned_data["supervisor_email"], now=utcnow(),
                    origin=Origin.of(request),
                )
            except DomainError as exc:  # the agency changed status between clean() and save()
                raise ValidationError(exc.message) from exc
        return user

    def custom_signup(self, request: Any, user: User) -> None:
        user.full_name = self.cleaned_data["full_name"].strip()
        # The language the officer signed up in is theirs until they choose another: the
        # e-mails others' actions send them (approval, notices) are written in it.
        language = (translation.get_language() or "").split("-")[0]
        user.language = language if language in language_codes() else ""
        user.save(update_fields=["full_name", "language"])


class AgencyAwareLoginForm(LoginForm):
    """Refuse the login of a suspended officer, or of an officer of a suspended agency."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        user = getattr(self, "user", None)
        if user is None:
            return cleaned
        officer = user.officer_or_none
        # The audit trail keeps the reason in English; the user reads it in their language.
        reason = shown = ""
        if officer is not None and officer.status == Officer.Status.SUSPENDED:
            reason = "Your officer account is suspended. Contact the platform's legal team."
            shown = gettext("Your officer account is suspended. Contact the platform's legal team.")
        elif officer is not None and officer.agency.status == Agency.Status.SUSPENDED:
            reason = (f"{officer.agency.name} is suspended on this platform; its officers cannot "
                      "sign in. Contact the platform's legal team.")
            shown = gettext("%(agency)s is suspended on this platform; its officers cannot sign "
                            "in. Contact the platform's legal team.") % {"agency": officer.agency.name}
        elif officer is None and user.staff_or_none is not None and not user.staff.active:
            reason = "Your staff account is disabled."
            shown = gettext("Your staff account is disabled.")
        if reason:
            record(Action.LOGIN_REFUSED, actor=user, origin=Origin.of(self.request),
                   params={"reason": reason})
            raise ValidationError(shown, code="account_suspended")
        return cleaned


class ActivateTOTPForm(AllauthActivateTOTPForm):
    """TOTP enrolment whose secret stays the same for the whole session until it is enrolled.

    allauth makes a new secret on every GET of the activation page, so any second GET — a
    reload, a second tab, a browser's background request redirected there — silently
    invalidates the QR code the user has just scanned. A GET must change nothing: the secret
    is made once per session and dropped when the factor is enrolled (allauth clears it).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.user = kwargs.pop("user")
        forms.Form.__init__(self, *args, **kwargs)
        self.secret = totp_auth.get_totp_secret(regenerate=False)


def _zone_choices() -> list[tuple[str, str]]:
    return [("", gettext("Automatic (your agency's country)"))] + [
        (zone, zone) for zone in sorted(available_zones()) if "/" in zone or zone == "UTC"]


def _language_choices() -> list[tuple[str, str]]:
    return [("", gettext("Automatic (your browser's language)")), *settings.LANGUAGES]


class PreferencesForm(forms.Form):
    """A user's interface language and time zone."""

    language = forms.ChoiceField(choices=_language_choices, required=False,
                                 label=gettext_lazy("Language of the interface"))
    time_zone = forms.ChoiceField(
        choices=_zone_choices, required=False, label=gettext_lazy("Time zone"),
        help_text=gettext_lazy("Dates and deadlines are shown in this zone, with its name; "
                               "the platform stores them in UTC."))
