"""The e-Evidence Annex III form: the provider cannot execute an EPOC received over HI-1.

The desk gives, for every identifier of the order, one reason from the closed list of Section D
with an explanation, and the Section G statement (is the data preserved?); Section E (a
conflicting third-country obligation, Art. 17) and Section F (what the issuing authority must
clarify) when they apply. :func:`declare_impossibility` refuses the case on the matching
ground, keeps the form as a machine document (XML in the Form 3 namespace, element names as
the EU mapping uses them — no public XSD exists) and as a PDF, and sends both back over HI-1
with a ``NotificationObject`` of type ``DeFactoImpossibility`` that sets the tasks to
``Invalid`` (INTEROP.md §2.3), through the outbox (decision 0023).
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from lxml import etree

from lawdesk.accounts.models import User
from lawdesk.audit.actions import Action
from lawdesk.audit.services import record
from lawdesk.cases import lifecycle
from lawdesk.cases import services as cases
from lawdesk.cases.models import Case
from lawdesk.core.errors import DomainError
from lawdesk.core.locale import mail_language
from lawdesk.core.origin import Origin
from lawdesk.interop import message as m
from lawdesk.interop import outbound
from lawdesk.interop import schema as s
from lawdesk.interop.identity import own_identity
from lawdesk.interop.models import AnnexIII, OutboundMessage, StoredObject
from lawdesk.law.vocabulary import RefusalGround, RequestKind

FORM_3 = "http://data.europa.eu/edm/1/ns/forms/EPOC-FORM-3#"

# Section D, the closed list of reasons (Regulation 2023/1543, Annex III; wording to check
# against the Official Journal, INTEROP.md §2.3), with the refusal ground each one is.
REASONS: dict[str, tuple[Any, RefusalGround]] = {
    "incomplete": (_("The EPOC is incomplete"), RefusalGround.INCOMPLETE_OR_MANIFEST_ERROR),
    "manifest_errors": (_("The EPOC contains manifest errors"),
                        RefusalGround.INCOMPLETE_OR_MANIFEST_ERROR),
    "insufficient_information": (_("The EPOC does not contain sufficient information to "
                                   "execute it"), RefusalGround.INCOMPLETE_OR_MANIFEST_ERROR),
    "not_stored": (_("The data requested was not stored at the time of receipt of the EPOC"),
                   RefusalGround.DE_FACTO_IMPOSSIBILITY),
    "de_facto_impossibility": (_("Other de facto impossibility due to circumstances not "
                                 "attributable to the service provider"),
                               RefusalGround.DE_FACTO_IMPOSSIBILITY),
    "immunities_or_privileges": (_("Immunities or privileges, or rules on the freedom of the "
                                   "press or of expression in other media (Art. 10(5))"),
                                 RefusalGround.IMMUNITIES_OR_PRESS_FREEDOM),
    "third_country_conflict": (_("Compliance would conflict with the applicable law of a third "
                                 "country (Art. 17)"), RefusalGround.CONFLICTING_OBLIGATIONS),
}


@dataclass(frozen=True)
class IdentifierReason:
    """Section D and G for one identifier (one target of the case)."""

    target_id: int
    reason: str
    explanation: str
    preserved: bool


def declare_impossibility(*, case: Case, actor: User, now: datetime,
                          reasons: list[IdentifierReason], conflicting_obligations: str = "",
                          information_required: str = "",
                          origin: Origin | None = None) -> AnnexIII:
    """Produce the Annex III form for an HI-1 order, refuse the case, and send the form back."""
    auth = StoredObject.objects.filter(case=case, object_type="AuthorisationObject").first()
    if case.channel != "hi1" or auth is None:
        raise DomainError(gettext("The Annex III form goes back over HI-1: this order did not "
                                  "come through HI-1."), field="reasons", code="not_hi1")
    if case.kind == RequestKind.REMOVAL:
        raise DomainError(gettext("A removal order's impossibility is the TCO Annex III, on the "
                                  "removal screen."), field="reasons", code="removal")
    if AnnexIII.objects.filter(case=case).exists():
        raise DomainError(gettext("The Annex III form of this order was already sent."),
                          field="reasons", code="duplicate")
    targets = {t.pk: t for t in case.targets.order_by("position")}
    given = {r.target_id: r for r in reasons}
    missing = [t for pk, t in targets.items() if pk not in given]
    if missing or set(given) - set(targets):
        raise DomainError(gettext("Give a reason for every identifier of the order."),
                          field="reasons", code="required")
    for item in reasons:
        if item.reason not in REASONS:
            raise DomainError(gettext("Choose a reason from the list of Section D."),
                              field="reasons", code="invalid")
        if len(item.explanation.strip()) < 10:
            raise DomainError(gettext("Explain the reason for each identifier (Section D)."),
                              field="reasons", code="required")
    if any(r.reason == "third_country_conflict" for r in reasons) \
            and len(conflicting_obligations.strip()) < 10:
        raise DomainError(gettext("Describe the conflicting obligation of the third country "
                                  "(Section E)."), field="conflicting_obligations",
                          code="required")
    rows: list[dict[str, Any]] = [{"target_id": r.target_id, "identifier": f"{targets[r.target_id].kind}:"
             f"{targets[r.target_id].value}", "reason": r.reason,
             "explanation": r.explanation.strip(), "preserved": r.preserved}
            for r in sorted(reasons, key=lambda r: targets[r.target_id].position)]
    # The refusal and the Annex III objects that say it are one change (decision 0027).
    with transaction.atomic(), lifecycle.composed(), translation.override("en"):  # texts in English
        case = Case.objects.select_for_update().get(pk=case.pk)
        document = form_document(case, rows, conflicting_obligations.strip(),
                                 information_required.strip(), now)
        pdf = form_pdf(case, rows, conflicting_obligations.strip(),
                       information_required.strip(), now)
        annex = AnnexIII.objects.create(
            case=case, reasons=rows, document=document,
            document_sha256=hashlib.sha256(document).hexdigest(), pdf=pdf,
            pdf_sha256=hashlib.sha256(pdf).hexdigest(), created_by=actor, created_at=now)
        first = REASONS[rows[0]["reason"]][1]
        summary = "; ".join(f"{row['identifier']}: {REASONS[row['reason']][0]}" for row in rows)
        cases.refuse(case=case, actor=actor, now=now, ground=first.value,
                     text=f"Annex III (impossibility to execute): {summary}", origin=origin)
        record(Action.HI1_ANNEX_III_PRODUCED, actor=actor, target=case, now=now,
               origin=origin, params={"number": case.number, "reasons": [
                   {k: row[k] for k in ("identifier", "reason", "preserved")} for row in rows],
                   "document_sha256": annex.document_sha256, "pdf_sha256": annex.pdf_sha256})
        _send(case, auth, annex, now)
    return annex


def _send(case: Case, auth: StoredObject, annex: AnnexIII, now: datetime) -> None:
    tasks = list(StoredObject.objects.filter(case=case, object_type__in=[
        "LDTaskObject", "LPTaskObject"]).select_related("target").order_by("pk"))
    key = f"annex3:{auth.agency_id}:{auth.object_id}"
    ids = {name: str(uuid.uuid5(uuid.NAMESPACE_URL, f"lawdesk:{key}:{name}"))
           for name in ("form", "pdf", "notification")}
    by_target = {row["target_id"]: row for row in annex.reasons}
    me = own_identity()

    def document(oid: str, name: str, content: bytes, content_type: str) -> etree._Element:
        d = s.DOC
        obj = m.C("HI1Object", m.C("ObjectIdentifier", text=oid),
                  m.C("CountryCode", text=me.country_code),
                  m.C("OwnerIdentifier", text=me.unique_identifier[:s.SHORT]),
                  m.C("AssociatedObjects", m.C("AssociatedObject", text=auth.object_id)),
                  m.E(d, "DocumentName", text=name),
                  m.dict_element(d, "DocumentType", "EU", "EPOCDocumentType", "EPOC-FORM-3"),
                  m.E(d, "DocumentBody",
                      m.E(d, "Contents", text=base64.b64encode(content).decode("ascii")),
                      m.E(d, "ContentType", text=content_type)))
        obj.set(f"{{{s.XSI}}}type", "doc:DocumentObject")
        return m.C("CREATE", obj)

    statuses = [(auth.object_id, "AuthorisationStatus", "Invalid",
                 "Annex III: the order cannot be executed.")]
    for task in tasks:
        row = by_target.get(task.target_id or 0)
        details = (f"{REASONS[row['reason']][0]}: {row['explanation']} Data "
                   f"{'preserved' if row['preserved'] else 'not preserved'} (Section G).") \
            if row else "Annex III."
        dictionary = "LDTaskStatus" if task.object_type == "LDTaskObject" else "LPTaskStatus"
        statuses.append((task.object_id, dictionary, "Invalid", str(details)))
    notification = outbound.notification_object(
        ids["notification"], [auth.object_id, *(t.object_id for t in tasks), ids["form"],
                              ids["pdf"]],
        details=f"Annex III (impossibility to execute) for order {case.instrument_reference} "
                f"(lawdesk case {case.number}); the form is attached as two documents.",
        kind=("EU", "EPOCNotificationType", "DeFactoImpossibility"),
        statuses=statuses, now=now)
    outbound.queue(
        case=case, kind=OutboundMessage.Kind.ANNEX_III, key=key,
        receiver=m.EndpointId(auth.endpoint.country_code, auth.endpoint.unique_identifier),
        now=now, actions=[
            document(ids["form"], "EPOC Annex III (machine document)", bytes(annex.document),
                     "application/xml"),
            document(ids["pdf"], "EPOC Annex III", bytes(annex.pdf), "application/pdf"),
            m.C("CREATE", notification)],
        summary={"document_sha256": annex.document_sha256, "pdf_sha256": annex.pdf_sha256})


def _sections(case: Case, now: datetime) -> dict[str, str]:
    return {"epoc_reference": case.instrument_reference,
            "issuing_authority": case.issuer_name, "issuing_state": case.agency.country,
            "file_number": case.authority_file_number, "issued_on": case.instrument_date.isoformat(),
            "received_at": m.timestamp(case.received_at),
            "addressee": settings.LAWDESK_PLATFORM_NAME,
            "provider_technical_id": str(own_identity()),
            "provider_case_number": case.number or "", "signed_at": m.timestamp(now)}


def form_document(case: Case, rows: list[dict[str, Any]], conflicting: str,
                  information: str, now: datetime) -> bytes:
    """The machine document: Form 3's sections as XML (element names of the EU mapping)."""
    info = _sections(case, now)

    def e(name: str, *children: etree._Element | None, text: str | None = None) -> etree._Element:
        elem = etree.Element(f"{{{FORM_3}}}{name}", nsmap={"f3": FORM_3} if name == "Form" else None)
        if text is not None:
            elem.text = text
        for child in children:
            if child is not None:
                elem.append(child)
        return elem

    root = e("Form",
             e("SectionA", e("IssuingState", text=info["issuing_state"]),
               e("IssuingAuthority", text=info["issuing_authority"]),
               e("FileNumber", text=info["file_number"])),
             e("SectionB", e("Addressee", text=info["addressee"])),
             e("SectionC", e("EPOCReference", text=info["epoc_reference"]),
               e("DateOfIssue", text=info["issued_on"]),
               e("DateAndTimeOfReceipt", text=info["received_at"])),
             e("SectionD", *(e("NonExecutionReason", e("IdentifierId", text=str(row["identifier"])),
                                e("Reasons", text=str(row["reason"])),
                                e("ExplanationOrOtherReason", text=str(row["explanation"])))
                              for row in rows)),
             e("SectionE", e("NatureOfConflictingObligations", text=conflicting))
             if conflicting else None,
             e("SectionF", e("InformationRequiredFromIssuingAuthority", text=information))
             if information else None,
             e("SectionG", *(e("PreservationOfData", e("IdentifierId", text=str(row["identifier"])),
                                e("Preserved", text="true" if row["preserved"] else "false"))
                              for row in rows)),
             e("SectionH", e("ServiceProvider", text=info["addressee"]),
               e("TechnicalIdentifier", text=info["provider_technical_id"]),
               e("ProviderFileNumber", text=info["provider_case_number"]),
               e("Date", text=info["signed_at"])))
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def form_pdf(case: Case, rows: list[dict[str, Any]], conflicting: str, information: str,
             now: datetime) -> bytes:
    # reason: start-up time: weasyprint loads only when this runs
    from weasyprint import HTML


    with translation.override(mail_language(case.officer.user)):  # the requester's language
        html = render_to_string("interop/annex_iii.html", {
            "info": _sections(case, now), "conflicting": conflicting, "information": information,
            "rows": [{**row, "label": REASONS[str(row["reason"])][0]} for row in rows]})
    pdf = HTML(string=html).write_pdf()
    assert pdf is not None
    return bytes(pdf)
