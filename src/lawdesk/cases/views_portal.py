"""Officer portal pages: the agency's cases, the request form, a case and its receipt."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from lawdesk.accounts.http import AuthedRequest
from lawdesk.audit.actions import Action
from lawdesk.audit.hashing import canonical_json
from lawdesk.audit.services import record
from lawdesk.cases import (
    attachments,
    conversation,
    extensions,
    flows,
    intake,
    legal_clock,
    services,
    submission,
)
from lawdesk.cases.forms import (
    AnswerForm,
    PortalMessageForm,
    RequestForm,
    SearchForm,
    WithdrawForm,
    payload_from_post,
)
from lawdesk.cases.intake import live_errors
from lawdesk.cases.models import KIND_CHOICES, Message, Status
from lawdesk.cases.selectors import get_agency_case, search_agency_cases
from lawdesk.core.clock import utcnow
from lawdesk.core.errors import DomainError
from lawdesk.core.origin import Origin
from lawdesk.core.paging import lean_page
from lawdesk.core.views import apply_domain_error, require_perm
from lawdesk.law.vocabulary import RequestKind


@require_perm("portal:case:view")
def dashboard(request: AuthedRequest) -> HttpResponse:
    """The officer's home: their agency's requests with status and deadline."""
    officer = request.user.officer
    search = SearchForm(request.GET or None)
    found = search.cleaned_data if search.is_valid() else {}
    cases = search_agency_cases(request.user, text=found.get("q") or "",
                                status=found.get("status") or "", since=found.get("since"),
                                until=found.get("until"))
    page = lean_page(cases, 25, request.GET.get("page"))  # no COUNT(*) of the history
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "cases/portal_dashboard.html", {
        "officer": officer, "agency": officer.agency, "page": page, "now": utcnow(),
        "search": search, "searching": bool(found and any(found.values())),
        "query": query.urlencode(),
    })


def _field_errors(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """Fold nested paths (targets.2.identifier) onto the form field that shows them."""
    folded: dict[str, list[str]] = {}
    for path, messages_ in errors.items():
        folded.setdefault(path.split(".")[0], []).extend(messages_)
    return folded


# Fields that belong to some kinds of request only; every other field is asked for every kind.
_DISCLOSURE_KINDS = frozenset({RequestKind.PRODUCTION, RequestKind.EMERGENCY_DISCLOSURE,
                               RequestKind.PRESERVATION})
KIND_ONLY_FIELDS: dict[str, frozenset[str]] = {
    "emergency_threat": frozenset({RequestKind.EMERGENCY_DISCLOSURE}),
    "emergency_kind": frozenset({RequestKind.EMERGENCY_DISCLOSURE}),
    "ex_post_validation": frozenset({RequestKind.EMERGENCY_DISCLOSURE}),
    "content_locations": frozenset({RequestKind.REMOVAL}),
    "territorial_scope": frozenset({RequestKind.REMOVAL}),
    "categories": _DISCLOSURE_KINDS,
    "window_start": _DISCLOSURE_KINDS,
    "window_end": _DISCLOSURE_KINDS,
}
KIND_HELP = {
    RequestKind.PRODUCTION: _("Produce data about users: subscriber, identification, traffic "
                              "or content data."),
    RequestKind.PRESERVATION: _("Keep data from deletion until your production order follows."),
    RequestKind.EMERGENCY_DISCLOSURE: _("An imminent threat to life or safety: the platform "
                                        "calls your agency's registered number back first."),
    RequestKind.REMOVAL: _("Remove content, or disable access to it."),
}


def _kind(value: str | None) -> str:
    return value if value in {k for k, _label in KIND_CHOICES} else ""


def shown_fields(kind: str) -> list[str]:
    """The request form's fields for a kind of request, in the form's order."""
    return [name for name in RequestForm.base_fields
            if name not in KIND_ONLY_FIELDS or kind in KIND_ONLY_FIELDS[name]]


@require_perm("portal:case:create")
@require_http_methods(["GET", "POST"])
def new_request(request: AuthedRequest) -> HttpResponse:
    """The request form; on error everything typed is kept and each field says what is wrong.

    The officer first chooses the kind of request (plain links, no script needed); the form
    then shows only that kind's fields. What the server accepts does not depend on it.
    """
    kind = _kind(request.POST.get("kind") if request.method == "POST" else request.GET.get("kind"))
    form = RequestForm(request.POST or None, initial={"kind": kind})
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        uploads = [attachments.Upload(name=f.name or "document.pdf", content=f)
                   for f in request.FILES.getlist("attachments")]
        try:
            case = submission.submit_request(actor=request.user, now=utcnow(),
                                             payload=payload_from_post(request.POST),
                                             uploads=uploads, channel="portal",
                                             origin=Origin.from_request(request))
        except intake.IntakeRefused as exc:
            errors = _field_errors(exc.errors)
        else:
            messages.success(request, gettext("Request received as %(number)s. Keep the receipt: "
                                              "it proves what you sent and when.")
                             % {"number": case.number})
            return redirect("portal:case", case_id=case.pk)
    shown = shown_fields(kind)
    return render(request, "cases/portal_new.html", {
        "form": form, "errors": errors, "has_errors": bool(errors), "kind": kind,
        # Errors of fields this kind does not show (the form's "proceedings" box reports as
        # criminal_proceedings) go to the top of the form, so none is lost.
        "other_errors": [m for f, ms in errors.items()
                         if f not in {*shown, "kind", "criminal_proceedings"} for m in ms],
        "kind_label": dict(KIND_CHOICES).get(kind, ""), "shown": shown,
        "kinds": [(k, label, KIND_HELP[RequestKind(k)]) for k, label in KIND_CHOICES],
    }, status=400 if errors else 200)


@require_perm("portal:case:create")
@require_POST
def validate_request(request: AuthedRequest) -> HttpResponse:
    """HTMX: check the form as the officer types; answers with out-of-band error snippets."""
    payload = payload_from_post(request.POST)
    touched = {k for k, v in request.POST.lists() if any(str(x).strip() for x in v)}
    errors = _field_errors(live_errors(payload, touched))
    fields = shown_fields(_kind(request.POST.get("kind")))
    return render(request, "cases/_live_errors.html", {
        "fields": [(name, errors.get(name, [])) for name in fields],
    })


@require_perm("portal:case:view")
@require_http_methods(["GET", "POST"])
def case_detail(request: AuthedRequest, case_id: int) -> HttpResponse:
    """One of the agency's cases: status, deadline, receipt, messages, answer, withdraw."""
    case = get_agency_case(request.user, case_id)
    action = request.POST.get("action") if request.method == "POST" else None
    answer_form = AnswerForm(request.POST if action == "answer" else None)
    withdraw_form = WithdrawForm(request.POST if action == "withdraw" else None, prefix="w")
    message_form = PortalMessageForm(request.POST if action == "message" else None, prefix="m")
    now = utcnow()
    status = 200
    if action in ("answer", "withdraw", "message"):
        form = {"answer": answer_form, "withdraw": withdraw_form, "message": message_form}[action]
        status = 400
        if form.is_valid():
            try:
                if action == "message":
                    uploads = [attachments.Upload(name=f.name or "document.pdf", content=f)
                               for f in request.FILES.getlist("m-attachments")]
                    conversation.message_the_desk(case=case, actor=request.user, now=now,
                                                  body=form.cleaned_data["body"], uploads=uploads,
                                                  origin=Origin.from_request(request))
                    messages.success(request, _("Message sent to the platform."))
                elif action == "answer":
                    conversation.answer_clarification(case=case, actor=request.user, now=now,
                                                      answer=form.cleaned_data["answer"],
                                                      origin=Origin.from_request(request))
                    messages.success(request, gettext("Answer sent. The legal clock runs again."))
                else:
                    services.withdraw(case=case, actor=request.user, now=now,
                                      reason=form.cleaned_data["reason"], origin=Origin.from_request(request))
                    messages.success(request, gettext("The request is withdrawn."))
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                return redirect("portal:case", case_id=case.pk)
    else:
        record(Action.CASE_VIEWED, actor=request.user, origin=Origin.from_request(request), target=case,
               now=now,
               params={"number": case.number, "side": "portal"})
    return render(request, "cases/portal_case.html", {
        "case": case, "targets": case.targets.all(), "now": now,
        "remaining": legal_clock.remaining(case, now),
        "messages_list": case.messages.exclude(kind=Message.Kind.NOTE).select_related("author")
        .prefetch_related("attachments"),
        "answer_form": answer_form, "withdraw_form": withdraw_form, "message_form": message_form,
        "can_answer": case.status == Status.AWAITING_CLARIFICATION,
        "can_withdraw": flows.is_open(case.status) and Status.WITHDRAWN in flows.allowed(
            case.kind, case.status),
        "attachments": case.attachments.all(),
        "panels": extensions.panels("portal", case, now),
    }, status=status)


@require_perm("portal:case:view")
def receipt(request: AuthedRequest, case_id: int) -> HttpResponse:
    """The receipt as a JSON file: exactly the document whose SHA-256 the case shows."""
    case = get_agency_case(request.user, case_id)
    record(Action.RECEIPT_DOWNLOADED, actor=request.user, origin=Origin.from_request(request), target=case,
           params={"number": case.number})
    body = canonical_json(case.receipt)
    response = HttpResponse(body.encode(), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{case.number}-receipt.json"'
    return response
