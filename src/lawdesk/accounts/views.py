"""Pages: the officer portal home and the desk's agency and officer management."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from lawdesk.accounts import services
from lawdesk.accounts.desk_forms import (
    AgencyForm,
    AnchorDecisionForm,
    CallbackForm,
    DomainForm,
    OfficerDecisionForm,
    RemoveDomainForm,
    StatusForm,
    SupervisorAnswerForm,
)
from lawdesk.accounts.forms import PreferencesForm
from lawdesk.accounts.http import AuthedRequest
from lawdesk.accounts.models import Agency, AnchorChange, Officer
from lawdesk.accounts.selectors import get_agency_for, get_officer_for, officers_for_desk
from lawdesk.core.clock import utcnow
from lawdesk.core.errors import DomainError
from lawdesk.core.locale import language_codes, zone_of
from lawdesk.core.origin import Origin
from lawdesk.core.permissions import has_perm
from lawdesk.core.views import apply_domain_error, require_perm


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    """Send each user to their side of lawdesk."""
    if has_perm(request.user, "desk:home:view"):
        return redirect("desk:home")
    if has_perm(request.user, "portal:case:view"):
        return redirect("portal:dashboard")
    return redirect("portal:pending")


@login_required
def pending(request: AuthedRequest) -> HttpResponse:
    """The waiting room of an officer whose account or agency is not active."""
    if has_perm(request.user, "portal:case:view") or has_perm(request.user, "desk:home:view"):
        return redirect("home")
    return render(request, "accounts/pending.html", {"officer": request.user.officer_or_none})


@require_perm("portal:agency:view")
def portal_agency(request: AuthedRequest, agency_id: int) -> HttpResponse:
    """The officer's agency profile (another agency answers 404)."""
    agency = get_agency_for(request.user, agency_id)
    return render(request, "accounts/portal_agency.html", {
        "agency": agency,
        "officers": agency.officers.select_related("user").filter(status=Officer.Status.ACTIVE),
    })


@require_perm("desk:officer:view")
def officer_list(request: AuthedRequest) -> HttpResponse:
    status = request.GET.get("status") or None
    if status not in (None, *Officer.Status.values):
        status = None
    return render(request, "accounts/officer_list.html", {
        "officers": officers_for_desk(status=status), "status": status,
        "statuses": Officer.Status.choices,
    })


@require_perm("desk:officer:view")
@require_http_methods(["GET", "POST"])
def officer_detail(request: AuthedRequest, officer_id: int) -> HttpResponse:
    officer = get_officer_for(request.user, officer_id)
    form = OfficerDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        decision = form.cleaned_data["decision"]
        target = Officer.Status.ACTIVE if decision == "approve" else Officer.Status.SUSPENDED
        origin = Origin.from_request(request)
        try:
            if decision == "ask_supervisor":
                services.ask_supervisor(officer=officer, now=utcnow(), actor=request.user,
                                        origin=origin, base_url=request.build_absolute_uri("/"))
            else:
                services.decide_officer(actor=request.user, now=utcnow(), officer=officer,
                                        status=target, reason=form.cleaned_data["reason"],
                                        origin=origin, base_url=request.build_absolute_uri("/"))
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            if decision == "ask_supervisor":
                messages.success(request, gettext("A new confirmation link was sent to %(email)s.")
                                 % {"email": officer.supervisor_email})
            elif target == Officer.Status.ACTIVE:
                messages.success(request, gettext("%(name)s is now active; an e-mail tells them "
                                                  "so.") % {"name": officer.user.full_name})
            else:
                messages.success(request, gettext("%(name)s is now suspended.")
                                 % {"name": officer.user.full_name})
            return redirect("desk:officer", officer_id=officer.pk)
    return render(request, "accounts/officer_detail.html", {
        "officer": officer, "form": form,
        "can_decide": has_perm(request.user, "desk:officer:approve"),
        "email_verified": EmailAddress.objects.filter(user=officer.user, verified=True).exists(),
        "supervisor_confirmed": officer.supervisor_answer == Officer.SupervisorAnswer.CONFIRMED,
    })


@require_perm("desk:agency:view")
def agency_list(request: AuthedRequest) -> HttpResponse:
    return render(request, "accounts/agency_list.html", {
        "agencies": Agency.objects.prefetch_related("domains").order_by("country", "name"),
        "can_manage": has_perm(request.user, "desk:agency:manage"),
    })


@require_perm("desk:agency:manage")
@require_http_methods(["GET", "POST"])
def agency_create(request: AuthedRequest) -> HttpResponse:
    form = AgencyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            agency = services.create_agency(actor=request.user, now=utcnow(),
                                            origin=Origin.from_request(request),
                                            **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        except Exception as exc:  # full_clean's ValidationError (e.g. duplicate name)

            if not isinstance(exc, ValidationError):
                raise
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, gettext("%(agency)s registered. Verify a domain and record "
                                              "the call-back number, then activate it.")
                             % {"agency": agency.name})
            return redirect("desk:agency", agency_id=agency.pk)
    return render(request, "accounts/agency_form.html", {"form": form, "agency": None})


@require_perm("desk:agency:manage")
@require_http_methods(["GET", "POST"])
def agency_edit(request: AuthedRequest, agency_id: int) -> HttpResponse:
    agency = get_agency_for(request.user, agency_id)
    initial = {f: getattr(agency, f) for f in services.AGENCY_FIELDS}
    form = AgencyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():

        try:
            services.update_agency(actor=request.user, now=utcnow(), agency=agency,
                                   origin=Origin.from_request(request), **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, gettext("Agency updated."))
            return redirect("desk:agency", agency_id=agency.pk)
    return render(request, "accounts/agency_form.html", {"form": form, "agency": agency})


@require_perm("desk:agency:view")
@require_http_methods(["GET", "POST"])
def agency_detail(request: AuthedRequest, agency_id: int) -> HttpResponse:
    """Agency page; its POST actions (domain, call-back, status, the decision on a proposed
    anchor change) each have their own form."""
    agency = get_agency_for(request.user, agency_id)
    action = request.POST.get("action") if request.method == "POST" else None
    forms = {
        "domain": DomainForm(request.POST if action == "domain" else None, prefix="domain"),
        "callback": CallbackForm(request.POST if action == "callback" else None, prefix="callback"),
        "status": StatusForm(request.POST if action == "status" else None, prefix="status",
                             initial={"status": agency.status}),
        "anchor": AnchorDecisionForm(request.POST if action == "anchor" else None,
                                     prefix="anchor"),
        "remove_domain": RemoveDomainForm(request.POST if action == "remove_domain" else None,
                                          prefix="remove"),
    }
    if action in forms:
        if not has_perm(request.user, "desk:agency:manage"):
            return render(request, "404.html", status=404)
        form = forms[action]
        if form.is_valid():
            data, now = form.cleaned_data, utcnow()
            try:
                done = _agency_action(request, agency, action, data, now)
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, done)
                return redirect("desk:agency", agency_id=agency.pk)
    changes = AnchorChange.objects.filter(agency=agency).select_related("proposed_by",
                                                                        "decided_by")
    return render(request, "accounts/agency_detail.html", {
        "agency": agency, "forms": forms, "domains": agency.domains.all(),
        "officers": agency.officers.select_related("user").order_by("status", "user__full_name"),
        "can_manage": has_perm(request.user, "desk:agency:manage"),
        "proposed": [c for c in changes if c.state == AnchorChange.State.PROPOSED],
        "decided": [c for c in changes if c.state != AnchorChange.State.PROPOSED][:10],
        "anchors_recent": services.anchor_changed_recently(agency, utcnow()),
        "recent_days": settings.LAWDESK_ANCHOR_RECENT_DAYS,
    })


def _agency_action(request: AuthedRequest, agency: Agency, action: str, data: dict[str, Any],
                   now: datetime) -> str:
    """Run one agency action; return the message for the administrator."""
    actor, origin = request.user, Origin.from_request(request)
    awaiting = gettext("Proposed. Another administrator must approve it before it applies.")
    if action == "domain":
        services.propose_domain(actor=actor, now=now, agency=agency, origin=origin, **data)
        return awaiting
    if action == "remove_domain":
        services.propose_domain_removal(actor=actor, now=now, agency=agency, origin=origin,
                                        domain=data["domain"])
        return awaiting
    if action == "callback":
        services.propose_callback_number(actor=actor, now=now, agency=agency, origin=origin,
                                         **data)
        return awaiting
    if action == "anchor":
        change = AnchorChange.objects.filter(agency=agency, pk=data["change"]).first()
        if change is None:
            raise DomainError(gettext("No such proposed change for this agency."),
                              field="change", code="not_found")
        if data["decision"] == "approve":
            services.approve_anchor_change(actor=actor, now=now, change=change, origin=origin)
            return gettext("Approved and applied: %(change)s.") % {"change": change.subject}
        services.reject_anchor_change(actor=actor, now=now, change=change,
                                      reason=data["reason"], origin=origin)
        return gettext("Rejected: %(change)s.") % {"change": change.subject}
    services.set_agency_status(actor=actor, now=now, agency=agency, origin=origin, **data)
    return gettext("Saved.")


@require_http_methods(["GET", "POST"])
def supervisor_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The page a supervisor reaches from the e-mail: a GET only shows, the answer is a POST."""
    try:
        officer = services.officer_for_supervisor_token(token)
    except DomainError as exc:
        return render(request, "accounts/supervisor_confirm.html", {"problem": exc.message},
                      status=400)
    form = SupervisorAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and not officer.supervisor_answer:
        try:
            officer = services.answer_for_supervisor(
                officer=officer, confirmed=form.cleaned_data["answer"] == "confirm",
                now=utcnow(), origin=Origin.from_request(request), visitor=request.user)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            return redirect("supervisor_confirm", token=token)
    return render(request, "accounts/supervisor_confirm.html", {"officer": officer, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: AuthedRequest) -> HttpResponse:
    """The user's own language and time zone."""
    user = request.user
    form = PreferencesForm(request.POST or None,
                           initial={"language": user.language, "time_zone": user.time_zone})
    if request.method == "POST" and form.is_valid():
        try:
            services.set_preferences(user, language=form.cleaned_data["language"],
                                     time_zone=form.cleaned_data["time_zone"], now=utcnow(),
                                     origin=Origin.from_request(request))
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            if user.language:
                translation.activate(user.language)
            messages.success(request, gettext("Your preferences are saved."))
            response = redirect("account_preferences")
            if user.language:
                response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.language,
                                    samesite="Lax",
                                    secure=settings.LANGUAGE_COOKIE_SECURE, httponly=True)
            return response
    return render(request, "accounts/preferences.html", {"form": form, "zone": zone_of(user)})


@require_http_methods(["GET", "POST"])
def set_language(request: HttpRequest) -> HttpResponse:
    """The header's language switcher: remembered in a cookie, and in the signed-in user's
    profile (so it follows them to another browser). A visitor's switch is a plain link (GET:
    it only sets their cookie, so public pages carry no form and stay the same bytes for
    everyone); a signed-in user's is a form (POST, CSRF-checked: it changes their profile)."""
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
        services.set_preferences(user, language=language, time_zone=user.time_zone, now=utcnow(),
                        origin=Origin.from_request(request))
    translation.activate(language)
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language,
                        max_age=settings.LANGUAGE_COOKIE_AGE,
                        samesite="Lax",
                        secure=settings.LANGUAGE_COOKIE_SECURE)
    return response
