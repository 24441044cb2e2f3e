"""The desk's removal queue and one-screen action; the Annex II feedback downloads."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from lawdesk.accounts.http import AuthedRequest
from lawdesk.audit.actions import Action
from lawdesk.audit.services import record
from lawdesk.cases.models import Case
from lawdesk.cases.selectors import get_case_for
from lawdesk.core.clock import utcnow
from lawdesk.core.errors import DomainError, PermissionDenied
from lawdesk.core.origin import Origin
from lawdesk.core.permissions import may
from lawdesk.core.views import apply_domain_error, require_perm
from lawdesk.law.vocabulary import RequestKind
from lawdesk.platform.content_actions import Withheld
from lawdesk.removal import art9, feedback, scrutiny, services, tco_annex_iii
from lawdesk.removal.forms import (
    FactsForm,
    ImpossibilityForm,
    MeasureForm,
    QuashForm,
    RestoreForm,
    ReviewForm,
    ScopeForm,
)
from lawdesk.removal.models import RemovalAlarm, StatementOfReasons
from lawdesk.removal.tdb import export
from lawdesk.removal.tdb import statements as sor


def _removal_case(request: AuthedRequest, case_id: int) -> Case:
    case = get_case_for(request.user, case_id)
    if case.kind != RequestKind.REMOVAL:
        raise Http404("No such removal order.")
    return case


@require_perm("desk:case:view")
def queue(request: AuthedRequest) -> HttpResponse:
    """Open removal orders, the fewest minutes left first, with their alarms."""
    now = utcnow()
    rows = []
    for case in services.open_removals()[:200]:
        rows.append({"case": case, "minutes": services.minutes_left(case, now),
                     "tco": services.is_tco(case),
                     "alarms": [a.kind for a in case.removal_alarms.filter(
                         deadline_at=case.deadline_at)]})
    rows.sort(key=lambda r: (r["case"].paused_at is not None, r["minutes"]))
    return render(request, "removal/queue.html", {"rows": rows, "Alarm": RemovalAlarm.Kind})


def _items(case: Case) -> list[dict[str, Any]]:
    view = services.platform_view()
    out = []
    for item in services.register_items(case):
        message = seen = None
        if item.target:
            _kind, chat, msg = item.target.split(":")
            message = view.connector.message(int(chat), int(msg))
            seen = {c: view.read(int(chat), int(msg), country=c) for c in ("FR", "DE", "US")}
        out.append({"item": item, "message": message,
                    "withheld": {c: isinstance(v, Withheld) for c, v in (seen or {}).items()}})
    return out


@require_perm("desk:case:view")
@require_http_methods(["GET", "POST"])
def action_page(request: AuthedRequest, case_id: int) -> HttpResponse:
    """One screen: the order and its clock, the content, the measure, the confirmation."""
    case = _removal_case(request, case_id)
    origin = Origin.from_request(request)
    action = request.POST.get("action") if request.method == "POST" else None
    post = request.POST if action else None
    forms: dict[str, Any] = {"apply": MeasureForm(post if action == "apply" else None, prefix="mv"),
             "review": ReviewForm(post if action == "review" else None, prefix="rv"),
             "restore": RestoreForm(post if action == "restore" else None, prefix="rs"),
             "facts": FactsForm(post if action == "facts" else None, prefix="sf"),
             "scope": ScopeForm(post if action == "scope" else None, prefix="sc"),
             "impossible": ImpossibilityForm(post if action == "impossible" else None, prefix="im"),
             "quash": QuashForm(post if action == "quash" else None, prefix="qs")}
    status, errors = 200, []
    if action in forms:
        form = forms[action]
        try:
            if form.is_valid():
                now = utcnow()
                if isinstance(form, MeasureForm):
                    measure, countries = form.measure_args()
                    if form.is_valid():
                        services.apply_measure(case=case, actor=request.user, now=now,
                                               measure=measure, countries=countries,
                                               note=form.cleaned_data["note"], origin=origin)
                        messages.success(request, _("The measure is in force on the platform."))
                        return redirect("removal:case", case_id=case.pk)
                elif action == "quash":
                    n = scrutiny.quashed(case=case, actor=request.user, now=now,
                                         decision=form.cleaned_data["decision"], origin=origin)
                    messages.success(request, ngettext("%(n)d item reinstated.", "%(n)d items reinstated.",
                                                        n) % {"n": n})
                    return redirect("removal:case", case_id=case.pk)
                elif action == "impossible":
                    tco_annex_iii.declare(case=case, actor=request.user, now=now,
                                          reason=form.cleaned_data["reason"],
                                          explanation=form.cleaned_data["explanation"],
                                          clarification=form.cleaned_data["clarification"], origin=origin)
                    messages.success(request,
                                     _("Annex III sent: the clock waits for the authority's answer."))
                    return redirect("removal:case", case_id=case.pk)
                elif action == "scope":
                    art9.record_scope(case=case, actor=request.user, now=now,
                                      countries=form.cleaned_data["countries"], origin=origin)
                    messages.success(request, _("Territorial scope of the order recorded."))
                    return redirect("removal:case", case_id=case.pk)
                elif action == "facts":
                    statement = get_statement(case, form.cleaned_data["statement"])
                    statement = sor.rewrite_facts(statement=statement, actor=request.user, now=now,
                                                  facts=form.cleaned_data["facts"], origin=origin)
                    if statement.state == StatementOfReasons.State.REFUSED:
                        messages.error(request, _("The statement is still refused: see why below."))
                    else:
                        messages.success(request, _("The statement will be sent to the database."))
                    return redirect("removal:case", case_id=case.pk)
                elif action == "review":
                    services.second_review(case=case, actor=request.user, now=now,
                                           agrees=form.cleaned_data["agrees"],
                                           note=form.cleaned_data["note"], origin=origin)
                    messages.success(request, _("Second review recorded."))
                    return redirect("removal:case", case_id=case.pk)
                else:
                    n = services.restore(case=case, actor=request.user, now=now,
                                         reason=form.cleaned_data["reason"], origin=origin)
                    messages.success(request, ngettext("%(n)d item reinstated.", "%(n)d items reinstated.",
                                                        n) % {"n": n})
                    return redirect("removal:case", case_id=case.pk)
        except PermissionDenied as exc:
            status, errors = 403, [exc.message]
        except DomainError as exc:
            apply_domain_error(form, exc)
        if status == 200:
            status = 400
        case = _removal_case(request, case_id)
    else:
        record(Action.CASE_VIEWED, actor=request.user, origin=origin, target=case,
               params={"number": case.number, "side": "desk-removal"})
    now = utcnow()
    items = _items(case)
    return render(request, "removal/action.html", {
        "case": case, "forms": forms, "errors": errors, "items": items,
        "minutes": services.minutes_left(case, now), "tco": services.is_tco(case),
        "alarms": case.removal_alarms.filter(deadline_at=case.deadline_at),
        "reviews": case.removal_reviews.select_related("reviewer"),
        "done": any(i["item"].effect_at for i in items),
        "may_act": may(request.user, "removal"),
        "statements": case.statements.select_related("item").order_by("item__position"),
        "art9": art9.is_art9(case),
        "scope": getattr(case, "order_scope", None),
        "effect_reports": case.effect_reports.all(),
        "impossibilities": case.impossibilities.all(),
        "scrutiny_until": scrutiny.window_end(case),
        "host_state": scrutiny.host_state(),
    }, status=status)


def get_statement(case: Case, statement_id: int) -> StatementOfReasons:
    try:
        return case.statements.get(pk=statement_id)
    except StatementOfReasons.DoesNotExist as exc:
        raise DomainError(_("No such statement on this order."), field="facts") from exc


@require_perm("desk:case:view")
def statements_export(request: AuthedRequest, fmt: str) -> HttpResponse:
    """Every statement of reasons put in the DSA Transparency Database, as sent."""
    if fmt not in ("json", "csv"):
        raise Http404("No such format.")
    rows = export.sent()
    record(Action.REMOVAL_STATEMENTS_EXPORTED, actor=request.user, origin=Origin.from_request(request),
           params={"format": fmt, "statements": len(rows)})
    if fmt == "json":
        response = HttpResponse(export.as_json(rows), content_type="application/json")
    else:
        response = HttpResponse(export.as_csv(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="dsa-statements-of-reasons.{fmt}"'
    return response


def _feedback(request: AuthedRequest, case: Case, fmt: str) -> HttpResponse:
    if fmt not in ("json", "pdf"):
        raise Http404("No such format.")
    record(Action.REMOVAL_FEEDBACK_DOWNLOADED, actor=request.user, origin=Origin.from_request(request),
           target=case,
           params={"number": case.number, "format": fmt})
    stem = f"{case.number}-annex-ii"
    if fmt == "json":
        response = HttpResponse(json.dumps(feedback.annex_ii(case), indent=1, ensure_ascii=False),
                                content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="{stem}.json"'
    else:
        response = HttpResponse(feedback.annex_ii_pdf(case), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{stem}.pdf"'
    return response


@require_perm("desk:case:view")
def desk_feedback(request: AuthedRequest, case_id: int, fmt: str) -> HttpResponse:
    return _feedback(request, _removal_case(request, case_id), fmt)


@require_perm("portal:case:view")
def portal_feedback(request: AuthedRequest, case_id: int, fmt: str) -> HttpResponse:
    case = _removal_case(request, case_id)
    if not case.removal_items.filter(effect_at__isnull=False).exists():
        raise Http404("No feedback yet.")
    return _feedback(request, case, fmt)


def _art9_report(request: AuthedRequest, case: Case, fmt: str) -> HttpResponse:
    if fmt not in ("json", "pdf"):
        raise Http404("No such format.")
    row = case.effect_reports.first()
    if row is None:
        raise Http404("No report yet.")
    record(Action.REMOVAL_EFFECT_REPORT_DOWNLOADED, actor=request.user, origin=Origin.from_request(request),
           target=case,
           params={"number": case.number, "format": fmt, "sha256": row.sha256})
    stem = f"{case.number}-art9-effect"
    if fmt == "json":  # the report exactly as sent, with the hash the e-mail names
        response = HttpResponse(json.dumps(row.document, indent=1, ensure_ascii=False),
                                content_type="application/json")
    else:
        response = HttpResponse(art9.report_pdf(row.document, case), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    return response


@require_perm("desk:case:view")
def desk_art9_report(request: AuthedRequest, case_id: int, fmt: str) -> HttpResponse:
    return _art9_report(request, _removal_case(request, case_id), fmt)


@require_perm("portal:case:view")
def portal_art9_report(request: AuthedRequest, case_id: int, fmt: str) -> HttpResponse:
    return _art9_report(request, _removal_case(request, case_id), fmt)


def _annex_iii(request: AuthedRequest, case: Case, fmt: str) -> HttpResponse:
    if fmt not in ("json", "pdf"):
        raise Http404("No such format.")
    row = case.impossibilities.select_related("declared_by", "case__agency").first()
    if row is None:
        raise Http404("No Annex III on this order.")
    record(Action.REMOVAL_FEEDBACK_DOWNLOADED, actor=request.user, origin=Origin.from_request(request),
           target=case,
           params={"number": case.number, "format": fmt, "annex": "III"})
    if fmt == "json":
        response = HttpResponse(json.dumps(tco_annex_iii.document(row), indent=1, ensure_ascii=False),
                                content_type="application/json")
    else:
        response = HttpResponse(tco_annex_iii.pdf(row), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{case.number}-annex-iii.{fmt}"'
    return response


@require_perm("desk:case:view")
def desk_annex_iii(request: AuthedRequest, case_id: int, fmt: str) -> HttpResponse:
    return _annex_iii(request, _removal_case(request, case_id), fmt)


@require_perm("portal:case:view")
def portal_annex_iii(request: AuthedRequest, case_id: int, fmt: str) -> HttpResponse:
    return _annex_iii(request, _removal_case(request, case_id), fmt)
