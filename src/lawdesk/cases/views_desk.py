"""Staff desk pages: the queue sorted by deadline, and the case page with its actions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from lawdesk.accounts.http import AuthedRequest
from lawdesk.accounts.models import Agency, StaffMember, User
from lawdesk.audit.actions import Action
from lawdesk.audit.models import Event
from lawdesk.audit.services import record
from lawdesk.cases import (
    analysis,
    conversation,
    disclosure,
    extensions,
    flows,
    legal_clock,
    lifecycle,
    preservation,
    services,
)
from lawdesk.cases.forms import (
    AssignForm,
    CallbackForm,
    ConvertForm,
    DecisionForm,
    MessageForm,
    NoteForm,
    OverrideForm,
    ProposalForm,
    QuestionForm,
    ReasonForm,
    RefuseForm,
    RemovalForm,
)
from lawdesk.cases.models import KIND_CHOICES, Case, Proposal, Status, Urgency
from lawdesk.cases.policy import takes_proposals
from lawdesk.cases.selectors import desk_counters, desk_queue, get_agency_case, get_case_for
from lawdesk.core.clock import utcnow
from lawdesk.core.errors import DomainError, PermissionDenied
from lawdesk.core.origin import Origin
from lawdesk.core.permissions import DESK_ACTIONS, Role, may
from lawdesk.core.views import apply_domain_error, require_perm

# Audit actions that are refused attempts: shown on the desk so staff see attacks as they come.
REFUSALS = Action.refusals()

FLAG_LABELS = {
    "first_time_requester": "First-time requester",
    "outside_country": "Instrument foreign to the agency's country",
    "outside_kind": "Unusual instrument for this kind of agency",
    "volume_spike": "Sudden volume",
    "no_legal_channel": "No legal channel (MLA)",
    "emergency_callback_required": "Call-back required",
    "notice_decision_due": "Non-disclosure order ended: notify or extend",
    "trust_anchor_changed": "Agency's domains or call-back number changed recently",
    "requester_message": "Message from the requester",
    "translation_required": "Translation required",
}


@require_perm("desk:case:view")
def queue(request: AuthedRequest) -> HttpResponse:
    """Every open case, the closest deadline first; filters by kind, country, agency, status, flag."""
    now = utcnow()
    filters = {k: request.GET.get(k, "").strip()[:40] for k in
               ("kind", "country", "agency", "status", "flag")}
    include_closed = request.GET.get("closed") == "1"
    cases = desk_queue(**filters, include_closed=include_closed)
    page = Paginator(cases, 50).get_page(request.GET.get("page"))
    for case in page:
        case.live_urgency = legal_clock.urgency(case, now)  # type: ignore[attr-defined]
        case.remaining = legal_clock.remaining(case, now)  # type: ignore[attr-defined]
    counts = desk_counters(now)
    since = now - timedelta(days=7)
    refusals = Event.objects.filter(action__in=REFUSALS, at__gte=since).order_by("-seq")
    recent = [{"at": e.at, "action": e.action, "ip": e.ip or "",
               "who": e.actor.get("email") or e.params.get("email") or e.params.get("officer")
               or e.actor.get("kind", ""),
               "what": " ".join(str(e.params.get(k, "")) for k in ("reason", "number")).strip()}
              for e in refusals[:8]]
    return render(request, "cases/desk_queue.html", {
        "refusals": recent, "refusal_count": refusals.count(),
        "page": page, "filters": filters, "include_closed": include_closed, "counts": counts,
        "kinds": KIND_CHOICES, "statuses": Status.choices, "flags": FLAG_LABELS.items(),
        "agencies": Agency.objects.order_by("name"), "flag_labels": FLAG_LABELS,
        "countries": sorted(set(Agency.objects.values_list("country", flat=True))),
    })


def _staff_choices() -> list[tuple[int, str]]:
    people = StaffMember.objects.filter(active=True).select_related("user")
    reviewers = {Role.INTAKE, Role.REVIEWER, Role.APPROVER}
    return [(s.user.pk, f"{s.user.full_name} ({', '.join(s.roles)})") for s in people
            if reviewers & set(s.roles)]


def _forms(case: Case, post: Any, action: str | None) -> dict[str, Any]:
    def bound(name: str) -> Any:
        return post if action == name else None

    targets = [(t.pk, f"{t.get_kind_display()}: {t.value}") for t in case.targets.all()]
    allowed = analysis.allowed_categories(case)
    return {
        "question": QuestionForm(bound("question"), prefix="q"),
        "note": NoteForm(bound("note"), prefix="n"),
        "message": MessageForm(bound("message"), prefix="m"),
        "callback": CallbackForm(bound("callback"), prefix="cb"),
        "propose": ProposalForm(bound("propose"), prefix="p", targets=targets, initial={
            "categories": sorted(allowed), "target_ids": [t[0] for t in targets]}),
        "decide": DecisionForm(post if action in ("approve", "send_back") else None, prefix="d"),
        "refuse": RefuseForm(bound("refuse"), prefix="r"),
        "assign": AssignForm(bound("assign"), prefix="a", staff=_staff_choices(),
                             initial={"assignee": case.assigned_to_id}),
        "reason": ReasonForm(post if action in ("extend", "release") else None, prefix="rs"),
        "removal": RemovalForm(bound("removal"), prefix="rm"),
        "override": OverrideForm(bound("override"), prefix="o"),
        "convert": ConvertForm(bound("convert"), prefix="cv"),
        **{a.name: a.form(bound(a.name), prefix=a.prefix)
           for a in extensions.desk_actions() if a.form is not None},
    }


@dataclass(frozen=True)
class _DeskAction:
    """One action of the case page: the form that carries its fields (a key of ``_forms``, or
    None), the use case it runs — ``(case, cleaned data, actor/now/origin)`` — and what the
    desk says once it is done. Adding an action is one entry in ``ACTIONS``."""

    form: str | None
    run: Callable[[Case, dict[str, Any], dict[str, Any]], object]
    done: str


def _waiting_proposal(case: Case) -> Proposal:
    proposal = case.proposals.filter(decided_at__isnull=True).first()
    if proposal is None:
        raise DomainError(gettext("There is no proposal waiting."), field="note")
    return proposal


def _assignee(data: dict[str, Any]) -> User | None:
    return User.objects.filter(pk=data["assignee"]).first() if data["assignee"] else None


ACTIONS: dict[str, _DeskAction] = {
    "start_review": _DeskAction(None, lambda case, data, common: services.start_review(
        case=case, **common), "Review started; the request is acknowledged."),
    "assign": _DeskAction("assign", lambda case, data, common: services.assign(
        case=case, assignee=_assignee(data), **common), "Assignment saved."),
    "question": _DeskAction("question", lambda case, data, common: conversation.ask_clarification(
        case=case, question=data["question"], **common),
        "Question sent; the legal clock is paused until the requester answers."),
    "message": _DeskAction("message", lambda case, data, common: conversation.message_the_requester(
        case=case, body=data["body"], **common), "Message sent to the requester."),
    "note": _DeskAction("note", lambda case, data, common: conversation.add_note(
        case=case, body=data["body"], **common), "Note added."),
    "callback": _DeskAction("callback", lambda case, data, common: disclosure.confirm_callback(
        case=case, person=data["person"], supervisor=data["supervisor"], **common),
        "Call-back confirmed."),
    "propose": _DeskAction("propose", lambda case, data, common: disclosure.propose_disclosure(
        case=case, categories=data["categories"], target_ids=data["target_ids"],
        legal_basis=data["legal_basis"], **common),
        "Disclosure proposed. A second person must approve it."),
    "approve": _DeskAction("decide", lambda case, data, common: disclosure.approve_proposal(
        proposal=_waiting_proposal(case), note=data["note"], **common), "Disclosure approved."),
    "send_back": _DeskAction("decide", lambda case, data, common: disclosure.reject_proposal(
        proposal=_waiting_proposal(case), note=data["note"], **common),
        "Proposal sent back to review."),
    "refuse": _DeskAction("refuse", lambda case, data, common: services.refuse(
        case=case, ground=data["ground"], text=data["text"], **common),
        "Request refused; the requester is notified."),
    "extend": _DeskAction("reason", lambda case, data, common: preservation.extend_preservation(
        case=case, reason=data["reason"], **common), "Preservation extended."),
    "release": _DeskAction("reason", lambda case, data, common: preservation.release_preservation(
        case=case, reason=data["reason"], **common), "Preservation released."),
    "override": _DeskAction("override", lambda case, data, common: analysis.override_category(
        case=case, category=data["category"], outcome=data["outcome"], reason=data["reason"],
        **common), "Override recorded; the approver will see it with its reason."),
    "reanalyse": _DeskAction(None, lambda case, data, common: analysis.rerun_legal_analysis(
        case=case, **common), "Legal analysis re-run with the current rule set."),
    "convert": _DeskAction("convert", lambda case, data, common: preservation.convert_preservation(
        case=case, production_number=data["production_number"], **common),
        "Preservation converted; its hold now serves the production request."),
    "removal": _DeskAction("removal", lambda case, data, common: services.action_removal(
        case=case, action=data["action"], note=data["note"], **common), "Removal recorded."),
    "report_effect": _DeskAction(None, lambda case, data, common: services.report_effect(
        case=case, note="Effect was given to the order.", **common),
        "Effect reported to the authority."),
}


def _form_of(action: str) -> str:
    """The key of ``_forms`` whose fields an action reads (an extension's: its own name)."""
    known = ACTIONS.get(action)
    return (known.form or action) if known is not None else action


def _run(action: str, case: Case, forms: dict[str, Any], request: AuthedRequest) -> str | None:
    """Carry out one desk action; return the success message, or None if a form has errors.

    The permission comes from DESK_ACTIONS, the table the services check too; a refused
    attempt is audited and raises PermissionDenied. The action is an entry of ``ACTIONS``, or
    one another app registered (``cases.extensions``).
    """
    actor, now, origin = request.user, utcnow(), Origin.from_request(request)
    if action not in DESK_ACTIONS or action == "reissue_link":
        raise Http404("Unknown action.")
    lifecycle.authorize(action, actor=actor, now=now, case=case, origin=origin)
    known, plugged = ACTIONS.get(action), extensions.desk_action(action)
    if known is None and plugged is None:
        raise Http404("Unknown action.")
    common: dict[str, Any] = {"actor": actor, "now": now, "origin": origin}
    form = forms.get(_form_of(action))
    if form is not None and not form.is_valid():
        return None
    data = form.cleaned_data if form is not None else {}
    try:
        if known is not None:
            known.run(case, data, common)
            return known.done
        assert plugged is not None
        return plugged.handler(case=case, data=data, **common)
    except PermissionDenied:
        raise
    except DomainError as exc:
        if form is not None:
            apply_domain_error(form, exc)
        else:
            forms["general"] = [exc.message]
        return None


def _timeline(case: Case) -> list[Event]:
    return list(Event.objects.filter(target_type="cases.case", target_id=str(case.pk))
                .exclude(action=Action.CASE_VIEWED).order_by("seq"))


def _action_errors(action: str, forms: dict[str, Any]) -> list[str]:
    """What stopped an action, in words, for the top of the page (each names its field)."""
    errors: list[str] = list(forms.get("general", []))
    form = forms.get(_form_of(action))
    if form is not None and hasattr(form, "errors"):
        for field, messages_ in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            errors.extend(f"{label}: {m}" if label else str(m) for m in messages_)
    return errors or [gettext("The action could not be carried out.")]


@require_perm("desk:case:view")
@require_http_methods(["GET", "POST"])
def case_page(request: AuthedRequest, case_id: int) -> HttpResponse:
    """Everything about one case, and the actions its status and the user's roles allow."""
    case = get_case_for(request.user, case_id)
    action = request.POST.get("action") if request.method == "POST" else None
    forms = _forms(case, request.POST, action)
    status = 200
    action_errors: list[str] = []
    if action:
        try:
            done = _run(action, case, forms, request)
        except PermissionDenied as exc:
            done, status, action_errors = None, 403, [exc.message]
        else:
            status = 400
        if done:
            messages.success(request, done)
            return redirect("desk:case", case_id=case.pk)
        action_errors = action_errors or _action_errors(action, forms)
        case = get_case_for(request.user, case_id)  # as stored: the refused change left nothing
    else:
        record(Action.CASE_VIEWED, actor=request.user, origin=Origin.from_request(request), target=case,
               params={"number": case.number, "side": "desk"})
    now = utcnow()
    user = request.user
    proposal = case.proposals.filter(decided_at__isnull=True).select_related("proposed_by").first()
    allowed = analysis.allowed_categories(case)
    can = {
        "review": may(user, "start_review"),
        "note": may(user, "note"),
        "message": may(user, "message"),
        "propose": may(user, "propose") and case.status == Status.IN_REVIEW
        and proposal is None and takes_proposals(case),
        "approve": may(user, "approve") and proposal is not None,
        "refuse": may(user, "refuse")
        and Status.REFUSED in flows.allowed(case.kind, case.status),
        "callback": may(user, "callback") and case.needs_callback,
        "assign": may(user, "assign") and flows.is_open(case.status),
        "override": may(user, "override") and case.status == Status.IN_REVIEW
        and proposal is None,
    }
    return render(request, "cases/desk_case.html", {
        "case": case, "forms": forms, "can": can, "proposal": proposal,
        "action": action, "action_errors": action_errors,
        "nothing_allowed": not allowed,
        "blocked": analysis.why_not_allowed(case, [c for c in case.categories if c not in allowed]),
        "own_proposal": proposal is not None and proposal.proposed_by_id == user.pk,
        "targets": case.targets.all(), "attachments": case.attachments.all(),
        "messages_list": case.messages.select_related("author").prefetch_related("attachments"),
        "timeline": _timeline(case),
        "urgency": legal_clock.urgency(case, now), "remaining": legal_clock.remaining(case, now),
        "allowed_next": flows.allowed(case.kind, case.status), "Status": Status,
        "flag_labels": FLAG_LABELS, "decision": case.legal, "Urgency": Urgency,
        "declared_languages": settings.LAWDESK_DECLARED_LANGUAGES,
        "panels": extensions.panels("desk", case, now),
        "past_proposals": case.proposals.filter(decided_at__isnull=False)
        .select_related("proposed_by", "decided_by"),
    }, status=status)


@require_perm("desk:case:view")
def attachment(request: AuthedRequest, case_id: int, attachment_id: int) -> FileResponse:
    """Staff download a document of the case; audited."""
    return _send_attachment(request, get_case_for(request.user, case_id), attachment_id)


@require_perm("portal:case:view")
def portal_attachment(request: AuthedRequest, case_id: int, attachment_id: int) -> FileResponse:
    """The requesting agency's officers download a document they sent; audited."""
    return _send_attachment(request, get_agency_case(request.user, case_id), attachment_id)


def _send_attachment(request: AuthedRequest, case: Case, attachment_id: int) -> FileResponse:
    item = case.attachments.filter(pk=attachment_id).first()
    if item is None:
        raise Http404("No such document.")
    record(Action.ATTACHMENT_DOWNLOADED, actor=request.user, origin=Origin.from_request(request), target=case,
           params={"number": case.number, "attachment": item.pk, "sha256": item.sha256})
    # An original order from a standard channel may be XML (HI-1's EPOC form); the rest are PDFs.
    kind = "application/xml" if item.original_name.lower().endswith(".xml") else "application/pdf"
    response = FileResponse(item.file.open("rb"), content_type=kind,
                            as_attachment=True, filename=item.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    return response
