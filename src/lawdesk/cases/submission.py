"""Intake: accept a request from a verified officer (case, targets, documents, legal analysis,
deadline, risk flags, receipt, preservation on receipt) in one transaction, or refuse it with
field-level errors, audited either way."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from django.utils.translation import gettext

from lawdesk.accounts.models import Agency, User
from lawdesk.audit.actions import Action
from lawdesk.audit.hashing import canonical_sha256
from lawdesk.audit.services import record
from lawdesk.cases import legal_clock, notify, signals
from lawdesk.cases.analysis import (
    apply_record,
    decide_at_intake,
    legal,
)
from lawdesk.cases.attachments import OriginalOrder, Upload, store_original, store_upload
from lawdesk.cases.intake import (
    IntakeData,
    IntakeRefused,
    ParsedTarget,
    law_facts_from,
    validate_intake,
)
from lawdesk.cases.lifecycle import move, require, use_case_transaction
from lawdesk.cases.models import Case, Status, Target
from lawdesk.cases.receipts import receipt_document
from lawdesk.cases.risk import clear_later_first_request_flags, risk_flags
from lawdesk.core.errors import PermissionDenied
from lawdesk.core.origin import Origin
from lawdesk.core.permissions import has_perm
from lawdesk.law.vocabulary import Duty, RequestKind


def submit_request(*, actor: User, now: datetime, payload: dict[str, Any],
                   uploads: Sequence[Upload] = (), channel: str = "portal",
                   origin: Origin | None = None,
                   on_created: Callable[[Case], None] | None = None,
                   original: OriginalOrder | None = None) -> Case:
    """Accept a request from a verified officer, or refuse it with field-level errors.

    Nothing is saved unless everything is valid; a refusal is audited all the same.
    ``on_created`` runs last inside the transaction that creates the case (the API keeps its
    answer to an ``Idempotency-Key`` there); if it raises, nothing is saved. ``original`` is
    the order as a standard channel delivered it (HI-1), kept byte-exact as the instrument.
    """
    officer = actor.officer_or_none
    if officer is None or not has_perm(actor, "portal:case:create"):
        record(Action.INTAKE_REFUSED, actor=actor, origin=origin, now=now,
               params={"reason": "requester_not_verified", "channel": channel})
        raise PermissionDenied(gettext("Only an approved officer of an active agency can send "
                                       "requests."))
    data, targets, errors = validate_intake(payload)
    if not uploads and original is None and payload.get("kind") != RequestKind.EMERGENCY_DISCLOSURE:
        errors = {**errors, "attachments": [gettext("Attach the signed legal instrument as a PDF.")]}
    if errors or data is None:
        record(Action.INTAKE_REFUSED, actor=actor, origin=origin, now=now,
               params={"reason": "invalid", "channel": channel,
                       "fields": sorted(errors)})
        raise IntakeRefused(errors)
    if actor.officer.agency.status != Agency.Status.ACTIVE:
        record(Action.INTAKE_REFUSED, actor=actor, origin=origin, now=now,
               params={"reason": "agency_not_active", "channel": channel})
        raise PermissionDenied(gettext("Your agency is not active on this platform."))
    try:
        with use_case_transaction():
            return _create_case(actor=actor, now=now, data=data, targets=targets, uploads=uploads,
                                channel=channel, origin=origin, on_created=on_created,
                                original=original)
    except IntakeRefused as exc:
        record(Action.INTAKE_REFUSED, actor=actor, origin=origin, now=now,
               params={"reason": "invalid", "channel": channel, "fields": sorted(exc.errors)})
        raise


def _create_case(*, actor: User, now: datetime, data: IntakeData, targets: list[ParsedTarget],
                 uploads: Sequence[Upload], channel: str, origin: Origin | None,
                 on_created: Callable[[Case], None] | None = None,
                 original: OriginalOrder | None = None) -> Case:
    officer = actor.officer
    agency = Agency.objects.select_for_update().get(pk=officer.agency_id)
    require(agency.status == Agency.Status.ACTIVE, gettext("Your agency is not active on this platform."),
            denied=True)
    case = Case(
        kind=data.kind, agency=agency, officer=officer, channel=channel,
        supervisor_name=data.supervisor_name or officer.supervisor_name,
        supervisor_email=data.supervisor_email or officer.supervisor_email,
        language=data.language, instrument_type=data.instrument_type,
        instrument_reference=data.instrument_reference, instrument_date=data.instrument_date,
        issuer_name=data.issuer_name, issuer_role=data.issuer_role,
        validator_name=data.validator_name, validator_role=data.validator_role or "",
        authority_file_number=data.authority_file_number,
        offence_category=data.offence_category, offence_description=data.offence_description,
        max_sentence_years=data.max_sentence_years,
        user_named_as_suspect=data.user_named_as_suspect,
        categories=[c.value for c in data.categories], emergency_threat=data.emergency_threat,
        nondisclosure_order=data.nondisclosure_order, nondisclosure_until=data.nondisclosure_until,
        content_locations=data.content_locations, territorial_scope=data.territorial_scope,
        received_at=now,
        deadline_at=now, deadline_rule="pending", deadline_article="pending", receipt_sha256="",
        law_facts=law_facts_from(data),
    )
    case.save()
    case.number = f"LD-{now.year}-{case.pk:06d}"
    apply_record(case, decide_at_intake(case, now=now))
    decision = legal(case)
    deadline = decision.deadline
    assert deadline is not None  # the engine always sets one (MLA's default at the least)
    case.deadline_at = now + deadline.duration.as_timedelta()
    case.deadline_rule = deadline.reason.rule
    case.deadline_article = f"{deadline.reason.regime}: {deadline.reason.article}"
    rows = [Target.objects.create(case=case, position=i, kind=t.kind, raw=t.raw[:300],
                                  value=t.value, port=t.port, at=t.at,
                                  window_start=t.window_start, window_end=t.window_end)
            for i, t in enumerate(targets)]
    kept = [store_original(case, original, actor=actor, now=now)] if original else []
    attachments = kept + [store_upload(case, u, actor=actor, now=now) for u in uploads]
    case.flags = risk_flags(case, decision, now)
    no_longer_first = clear_later_first_request_flags(case)
    case.receipt = receipt_document(case, rows, attachments)
    if original is not None:
        case.receipt["original_order"] = {"name": kept[0].original_name, "sha256": kept[0].sha256,
                                          "size": kept[0].size,
                                          "content_type": original.content_type}
        case.receipt["origin"] = original.origin
    case.receipt_sha256 = canonical_sha256(case.receipt)
    # The acknowledgement goes back to the authority with this answer (portal page, API, HI-1).
    case.receipt_acknowledged_at = now
    case.urgency = legal_clock.urgency(case, now)
    case.save()
    signals.case_received.send(sender=Case, case=case, now=now)
    record(Action.CASE_RECEIVED, actor=actor, target=case, origin=origin, now=now,
           params={"number": case.number, "kind": case.kind, "channel": channel,
                   "receipt_sha256": case.receipt_sha256, "flags": case.flags,
                   "deadline_at": case.deadline_at.isoformat(),
                   "ruleset_version": case.ruleset_version}
           | ({"no_longer_first_request": no_longer_first} if no_longer_first else {}))
    if case.kind == RequestKind.PRESERVATION or decision.has_duty(Duty.PRESERVE_ON_RECEIPT):
        _instruct_preservation(case, now=now)
    if on_created is not None:
        on_created(case)
    notify.received(case)
    return case


def _instruct_preservation(case: Case, *, now: datetime) -> None:
    """Tell the platform to preserve the targets' data now (the law's preserve-on-receipt)."""
    record(Action.PRESERVATION_INSTRUCTED, actor=None, target=case, now=now,
           params={"number": case.number,
                   "targets": [f"{t.kind}:{t.value}" for t in case.targets.all()]})
    if case.kind == RequestKind.PRESERVATION:
        move(case, Status.PRESERVED, actor=None, now=now, action=Action.CASE_PRESERVED,
             reason="preserved on receipt")
