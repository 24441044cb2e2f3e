"""The HI-1 section of the case pages (registered with ``cases.extensions``): where the order
came from, its original form, and on the desk the facts the message could not give."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext_lazy as _

from lawdesk.cases.extensions import Panel, register_panel
from lawdesk.cases.models import Case, Status
from lawdesk.interop.annex_iii import REASONS
from lawdesk.interop.models import AnnexIII, OutboundMessage, StoredObject
from lawdesk.interop.status import task_status
from lawdesk.law.vocabulary import RequestKind

# What each fact to confirm means, for the desk.
FACTS = {
    "instrument_date": _("Date of the order (no approval or creation time in the message)"),
    "issuer_name": _("Name of the issuing authority (no approver in the message)"),
    "issuer_role": _("Role of the issuing authority (judge, prosecutor …): taken from the "
                     "agency's kind"),
    "offence_category": _("Offence (the message gives no type of case lawdesk can map)"),
    "offence_description": _("Description of the offence (Section G of the form)"),
    "emergency_threat": _("The imminent threat of the emergency (Section B of the form)"),
    "max_sentence_years": _("Maximum sentence, needed for traffic or content data "
                            "(Section G of the form)"),
    "user_named_as_suspect": _("Whether the order names the user as a suspect (the platform's "
                               "policy discloses nothing otherwise)"),
    "territorial_scope": _("The territorial scope the order states (DSA Art. 9(2)(b)): record "
                           "it on the removal screen"),
}


def _objects(case: Case) -> list[StoredObject]:
    return list(StoredObject.objects.filter(case=case).select_related("endpoint", "target")
                .order_by("pk"))


def _panel(case: Case, now: datetime, template: str) -> Panel | None:
    if case.channel != "hi1":
        return None
    objects = _objects(case)
    auth = next((o for o in objects if o.object_type == "AuthorisationObject"), None)
    if auth is None:
        return None
    return Panel(template, {
        "endpoint": auth.endpoint, "authorisation": auth, "transaction": auth.hi1_transaction,
        "original": case.receipt.get("original_order"),
        "origin": case.receipt.get("origin", {}),
        "tasks": [(o, task_status(o)) for o in objects
                  if o.object_type in ("LDTaskObject", "TDTaskObject")],
        "confirm": [FACTS.get(f, f) for f in auth.facts_to_confirm],
        "annex_iii": AnnexIII.objects.filter(case=case).first(),
        # The e-Evidence Annex III; a take-down has the TCO one on the removal screen.
        "can_declare": case.kind != RequestKind.REMOVAL and case.status in (
            Status.RECEIVED, Status.IN_REVIEW, Status.AWAITING_CLARIFICATION),
        "targets": list(case.targets.order_by("position")),
        "reasons": [(code, label) for code, (label, _) in REASONS.items()],
        "outbound": list(OutboundMessage.objects.filter(case=case).order_by("pk")),
        "takedown": case.kind == RequestKind.REMOVAL,
    })


def desk_panel(case: Case, now: datetime) -> Panel | None:
    return _panel(case, now, "interop/_desk_case.html")


def portal_panel(case: Case, now: datetime) -> Panel | None:
    return _panel(case, now, "interop/_portal_case.html")


def register() -> None:
    register_panel("desk", desk_panel)
    register_panel("portal", portal_panel)
