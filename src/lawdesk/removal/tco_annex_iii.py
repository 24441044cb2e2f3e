"""TCO Annex III (Reg. (EU) 2021/784, Art. 3(7)-(8)): the provider cannot comply with the order.

One of three reasons — force majeure or de facto impossibility not attributable to the provider
(technical or operational reasons included), manifest errors, insufficient information — with an
explanation and the clarification requested. Declaring it asks the authority the question on the
case (the clock stops) and keeps the form; the authority's answer restarts a full hour
(``services.restart_clock``). The form goes out as a machine document and a PDF from it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from lawdesk.accounts.models import User
from lawdesk.audit.actions import Action
from lawdesk.audit.services import record
from lawdesk.cases import conversation, lifecycle
from lawdesk.cases import services as case_services
from lawdesk.cases.models import Case, Status
from lawdesk.core.errors import DomainError
from lawdesk.core.origin import Origin
from lawdesk.removal.models import Impossibility
from lawdesk.removal.services import is_tco

SCHEMA = "lawdesk/tco-annex-iii/1"


def declare(
    *,
    case: Case,
    actor: User,
    now: datetime,
    reason: str,
    explanation: str,
    clarification: str = "",
    origin: Origin | None = None,
) -> Impossibility:
    lifecycle.authorize("removal", actor=actor, now=now, case=case, origin=origin)
    if not is_tco(case):
        raise DomainError(_("Annex III answers a TCO removal order only."), field="reason")
    if reason not in Impossibility.Reason.values:
        raise DomainError(_("Choose one of the three reasons of Annex III."), field="reason")
    if len(explanation.strip()) < 10:
        raise DomainError(_("Explain why the order cannot be complied with."), field="explanation")
    if reason != Impossibility.Reason.FORCE_MAJEURE and len(clarification.strip()) < 10:
        raise DomainError(_("Say what clarification is needed from the authority."), field="clarification")
    if case.status not in (Status.RECEIVED, Status.IN_REVIEW):
        raise DomainError(
            _("This order cannot be declared impossible in its present status."), field="reason"
        )
    if case.removal_items.filter(effect_at__isnull=False).exists():
        raise DomainError(_("Effect is already given to this order."), field="reason")
    label = Impossibility.Reason(reason).label
    question = _(
        "Annex III, Regulation (EU) 2021/784: we cannot comply with the order yet.\n"
        "Reason: %(reason)s.\nExplanation: %(explanation)s\nClarification requested: %(clar)s"
    ) % {"reason": label, "explanation": explanation.strip(), "clar": clarification.strip() or "—"}
    with transaction.atomic(), lifecycle.composed():  # the impossibility and its question at once
        if case.status == Status.RECEIVED:
            case = case_services.start_review(case=case, actor=actor, now=now, origin=origin)
        row = Impossibility.objects.create(
            case=case,
            reason=reason,
            explanation=explanation.strip(),
            clarification=clarification.strip(),
            declared_by=actor,
            declared_at=now,
        )
        conversation.ask_clarification(case=case, actor=actor, now=now, question=question, origin=origin)
        record(
            Action.REMOVAL_IMPOSSIBILITY_DECLARED,
            actor=actor,
            target=case,
            origin=origin,
            now=now,
            params={"number": case.number, "reason": reason},
        )
    return row


def document(row: Impossibility) -> dict[str, Any]:
    case = row.case
    return {
        "schema": SCHEMA,
        "section_a": {
            "addressee": settings.LAWDESK_PLATFORM_NAME,
            "issuing_authority": case.agency.name,
            "issuing_member_state": case.agency.country,
            "removal_order_reference": case.instrument_reference,
            "authority_file_number": case.authority_file_number,
            "provider_file_number": case.number,
            "received_at": case.received_at.isoformat(timespec="seconds"),
        },
        "section_b": {
            "reason": row.reason,
            "explanation": row.explanation,
            "clarification_requested": row.clarification or None,
            "urls": [i.location for i in case.removal_items.all()],
        },
        "section_c": {
            "provider": settings.LAWDESK_PLATFORM_NAME,
            "authorised_person": row.declared_by.full_name,
            "contact": settings.DEFAULT_FROM_EMAIL,
            "date": row.declared_at.isoformat(timespec="seconds"),
        },
    }


def pdf(row: Impossibility) -> bytes:
    # reason: start-up time: weasyprint loads only when this runs
    from weasyprint import HTML

    out = HTML(
        string=render_to_string(
            "removal/annex_iii.html", {"doc": document(row), "reason": row.get_reason_display()}
        )
    ).write_pdf()
    assert out is not None
    return out
