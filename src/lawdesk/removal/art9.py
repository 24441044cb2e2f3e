"""DSA Art. 9 orders to act against illegal content (Reg. (EU) 2022/2065).

The order states its territorial scope (Art. 9(2)(b)); the desk records it as read
(:func:`record_scope`) and a measure narrower than it is refused, since it would not give
effect to the order. Once every item is given effect, the provider informs the issuing
authority — and here also the Digital Services Coordinator of its member state — of the effect
given and when (Art. 9(1)): :func:`queue_report` keeps the report as sent (JSON, hashed) and the
worker e-mails it with its PDF (:func:`send_due_reports`, retried until it goes). The recipient
of the service is told of the order, the effect, the territorial scope, the statement of reasons
and the redress (Art. 9(5)) in the uploader notice (``uploaders``). Art. 9 orders send no
statement to the DSA Transparency Database (decision 0024).
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from lawdesk.accounts.models import User
from lawdesk.audit.actions import Action
from lawdesk.audit.services import record
from lawdesk.cases import lifecycle
from lawdesk.cases.intake import SCOPE_STATES
from lawdesk.cases.models import Case
from lawdesk.core.errors import DomainError
from lawdesk.core.origin import Origin
from lawdesk.law.vocabulary import COUNTRY_CODE_HINTS
from lawdesk.platform.content_actions import EU_MEMBER_STATES
from lawdesk.removal.models import EffectReport, OrderScope

ART9 = "dsa_art9_order"
SCHEMA = "lawdesk/dsa-art9-effect/1"


def is_art9(case: Case) -> bool:
    return case.instrument_type == ART9


def parse_countries(text: str) -> list[str]:
    """ISO codes separated by spaces or commas (EU and EEA states, as the intake accepts them);
    ``EU`` stands for every member state."""
    codes = sorted({c.strip().upper() for c in text.replace(",", " ").split() if c.strip()})
    if not codes:
        raise DomainError(_("Name the countries the order covers, or EU."), field="countries")
    for code in codes:
        if code in COUNTRY_CODE_HINTS:
            raise DomainError(_("Use the ISO code %(iso)s for %(code)s.")
                              % {"iso": COUNTRY_CODE_HINTS[code], "code": code}, field="countries")
    unknown = [c for c in codes if c != "EU" and c not in SCOPE_STATES]
    if unknown:
        raise DomainError(_("Not a member state of the EU or the EEA: %(codes)s.")
                          % {"codes": ", ".join(unknown)}, field="countries")
    return codes


def expand(codes: list[str]) -> set[str]:
    """The states named, with ``EU`` read as every member state (EEA states stay as named)."""
    return (set(codes) - {"EU"}) | set(EU_MEMBER_STATES) if "EU" in codes else set(codes)


def scope_from_order(case: Case, now: datetime) -> OrderScope:
    """The scope the authority stated at intake (portal or API), recorded as the order's own:
    the desk sees it and the measure is checked against it; it may still correct it from the
    order's text until effect is given."""
    scope, _created = OrderScope.objects.update_or_create(
        case=case, defaults={"countries": list(case.territorial_scope),
                             "recorded_by": case.officer.user, "recorded_at": now})
    record(Action.REMOVAL_SCOPE_RECORDED, actor=case.officer.user, target=case, now=now,
           params={"number": case.number, "countries": list(case.territorial_scope),
                   "source": "order"})
    return scope


def record_scope(*, case: Case, actor: User, now: datetime, countries: str,
                 origin: Origin | None = None) -> OrderScope:
    """Record the territorial scope the order states (it may be corrected until effect is given)."""
    lifecycle.authorize("removal", actor=actor, now=now, case=case, origin=origin)
    if not is_art9(case):
        raise DomainError(_("Only a DSA Art. 9 order states a territorial scope here."), field="countries")
    if case.removal_items.filter(effect_at__isnull=False).exists():
        raise DomainError(_("Effect is already given: the scope can no longer change."), field="countries")
    codes = parse_countries(countries)
    with transaction.atomic():
        scope, _created = OrderScope.objects.update_or_create(
            case=case, defaults={"countries": codes, "recorded_by": actor, "recorded_at": now})
        record(Action.REMOVAL_SCOPE_RECORDED, actor=actor, target=case, origin=origin, now=now,
               params={"number": case.number, "countries": codes})
    return scope


def check_measure(case: Case, measure: str, countries: list[str]) -> None:
    """A measure must cover the order's scope: narrower does not give effect to it."""
    scope = getattr(case, "order_scope", None) if is_art9(case) else None
    if scope is None or measure == "remove":
        return
    missing = expand(scope.countries) - expand(countries)
    if missing:
        raise DomainError(_("The order covers %(codes)s too: a measure narrower than the order does "
                            "not give effect to it.") % {"codes": ", ".join(sorted(missing))},
                          field="countries", code="narrower_than_order")


def report(case: Case) -> dict[str, Any]:
    """The report of the effect given (Art. 9(1)): the order, each item's effect and when."""
    scope = getattr(case, "order_scope", None)
    items = list(case.removal_items.all())
    return {
        "schema": SCHEMA,
        "order": {"issuing_authority": case.agency.name, "issuing_member_state": case.agency.country,
                  "reference": case.instrument_reference, "date": case.instrument_date.isoformat(),
                  "authority_file_number": case.authority_file_number,
                  "territorial_scope": scope.countries if scope else None,
                  "received_at": case.received_at.isoformat(timespec="seconds"),
                  "acknowledged_at": case.acknowledged_at.isoformat(timespec="seconds")
                  if case.acknowledged_at else None},
        "provider": {"name": settings.LAWDESK_PLATFORM_NAME, "file_number": case.number,
                     "contact": settings.DEFAULT_FROM_EMAIL},
        "effect": [{"url": i.location,
                    "measure": i.measure or "not_actioned",
                    "countries": i.countries,
                    "effect_at": i.effect_at.isoformat(timespec="seconds") if i.effect_at else None,
                    "reinstated_at": i.restored_at.isoformat(timespec="seconds") if i.restored_at else None,
                    "recipient_informed_at": i.uploader_informed_at.isoformat(timespec="seconds")
                    if i.uploader_informed_at else None,
                    "recipient_notice_due": i.uploader_notice_due.isoformat(timespec="seconds")
                    if i.uploader_notice_due else None,
                    "not_found": i.locate_error or None}
                   for i in items],
        "complete": bool(items) and all(i.effect_at for i in items),
    }


def report_pdf(doc: dict[str, Any], case: Case) -> bytes:
    # reason: start-up time: weasyprint loads only when this runs
    from weasyprint import HTML

    pdf = HTML(string=render_to_string("removal/art9_report.html", {"doc": doc, "case": case})).write_pdf()
    assert pdf is not None
    return pdf


def recipients(case: Case) -> list[str]:
    dsc = settings.LAWDESK_DSC_EMAILS.get(case.agency.country.upper())
    return [e for e in (case.officer.user.email, dsc) if e]


def queue_report(case: Case, now: datetime) -> EffectReport | None:
    """Keep the report once every item is given effect (in the measure's transaction)."""
    if not is_art9(case) or case.effect_reports.exists():
        return None
    doc = report(case)
    if not doc["complete"]:
        return None
    blob = json.dumps(doc, sort_keys=True, ensure_ascii=False).encode()
    return EffectReport.objects.create(case=case, document=doc, sha256=hashlib.sha256(blob).hexdigest(),
                                       recipients=recipients(case), created_at=now)


def send_due_reports(*, now: datetime) -> int:
    """E-mail every report not yet sent (run by the worker's clock loop; retried until it goes)."""
    sent = 0
    for row in EffectReport.objects.filter(sent_at__isnull=True).select_related("case", "case__agency"):
        case = row.case
        body = json.dumps(row.document, indent=1, ensure_ascii=False)
        message = EmailMessage(
            subject=f"[{settings.LAWDESK_PLATFORM_NAME}] " + _("Effect given to order %(ref)s (DSA Art. 9)")
            % {"ref": case.instrument_reference},
            body=_("The effect given to your order %(ref)s (our file %(number)s) is in the attached "
                   "report, as JSON and PDF (SHA-256 of the JSON: %(sha)s).")
            % {"ref": case.instrument_reference, "number": case.number, "sha": row.sha256},
            from_email=settings.DEFAULT_FROM_EMAIL, to=row.recipients)
        message.attach(f"{case.number}-art9-effect.json", body, "application/json")
        message.attach(f"{case.number}-art9-effect.pdf", report_pdf(row.document, case), "application/pdf")
        try:
            message.send()
        except Exception as exc:  # the mail server is away: try again at the next round
            EffectReport.objects.filter(pk=row.pk).update(attempts=row.attempts + 1,
                                                          last_error=str(exc)[:300])
            continue
        with transaction.atomic():
            EffectReport.objects.filter(pk=row.pk).update(sent_at=now, attempts=row.attempts + 1,
                                                          last_error="")
            record(Action.REMOVAL_EFFECT_REPORT_SENT, actor=None, target=case, now=now,
                   params={"number": case.number, "recipients": row.recipients, "sha256": row.sha256})
        sent += 1
    return sent
