"""Use cases of the case lifecycle: one function, one transaction, its audit event.

Every function takes the acting user and ``now``; none reads the clock. Status changes go
through :func:`_move`, which checks the transition table, keeps the clock and urgency right,
and writes the audit event.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import wraps
from typing import Any, TypeVar, cast

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext

from lawdesk.accounts.models import Agency, User
from lawdesk.audit.actions import Action
from lawdesk.audit.hashing import canonical_sha256
from lawdesk.audit.services import record
from lawdesk.cases import flows, legal_clock, notify, signals
from lawdesk.cases.intake import (
    CLARIFICATION_ANSWER,
    WITHDRAWAL_REASON,
    IntakeData,
    ParsedTarget,
    law_facts_from,
    validate_intake,
)
from lawdesk.cases.models import CATEGORY_CHOICES, Attachment, Case, Message, Proposal, Status, Target
from lawdesk.cases.policy import is_requester_of, takes_proposals
from lawdesk.cases.receipts import receipt_document
from lawdesk.cases.risk import clear_later_first_request_flags, risk_flags
from lawdesk.cases.selectors import open_cases as open_cases_
from lawdesk.core.errors import DomainError, PermissionDenied
from lawdesk.core.permissions import DESK_ACTIONS, has_perm, may
from lawdesk.core.uploads import pdf_problem
from lawdesk.law.config import DeploymentConfig, load_config
from lawdesk.law.decision import Decision
from lawdesk.law.engine import decide
from lawdesk.law.facts import FactsError, parse_facts
from lawdesk.law.override import OverrideError
from lawdesk.law.replay import RulesetMismatch, decision_record, override_record
from lawdesk.law.vocabulary import DataCategory, Duty, Outcome, RefusalGround, RequestKind


class IntakeRefused(DomainError):
    """Field-level validation errors of a submitted request."""

    code = "invalid_request"

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("The request has errors: " + "; ".join(
            f"{f}: {' '.join(m)}" for f, m in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Upload:
    """A file received with a request (from a form or the API)."""

    name: str
    content: UploadedFile


@dataclass(frozen=True)
class OriginalOrder:
    """The order exactly as a standard channel delivered it (e.g. the EPOC form carried by an
    HI-1 DocumentObject): stored byte-exact as the case's instrument and hashed on the receipt,
    with where it came from (``origin``: channel, endpoint, transaction …). It is not a PDF
    upload, so it is not sniffed as one; the channel checked it."""

    name: str
    content: bytes
    content_type: str
    origin: dict[str, Any]


_ORIGINAL_SUFFIX = {"application/pdf": ".pdf", "application/xml": ".xml", "text/xml": ".xml"}


def _require(actor: User, permission: str) -> None:
    if not has_perm(actor, permission):
        raise PermissionDenied(gettext("You are not allowed to do this (%(permission)s).")
                               % {"permission": permission})


# Refusals that guard a disclosure: each stays on the audit trail, and the desk lists them.
FOUR_EYES_ACTIONS = frozenset({"approve", "send_back"})
FOUR_EYES_CODES = {"four_eyes_own_proposal": "proposer approving their own proposal",
                   "callback_required": "approval before the emergency call-back"}
REFUSAL_EVENTS = (Action.DISCLOSURE_FOUR_EYES_REFUSED, Action.CASE_ACTION_REFUSED)


def _refused(action: str, *, actor: User, case: Case | None, now: datetime, reason: str,
             request: HttpRequest | None) -> None:
    """Audit a refused desk action in its own transaction (it must outlive the rollback)."""
    event = REFUSAL_EVENTS[0] if action in FOUR_EYES_ACTIONS else REFUSAL_EVENTS[1]
    with transaction.atomic():
        record(event, actor=actor, target=case, request=request, now=now,
               params={"number": case.number if case is not None else "", "attempted": action,
                       "reason": reason})


def authorize(action: str, *, actor: User, now: datetime, case: Case | None = None,
              request: HttpRequest | None = None) -> None:
    """Refuse (and audit) a desk action the actor's roles do not allow (see DESK_ACTIONS)."""
    if not may(actor, action):
        _refused(action, actor=actor, case=case, now=now, request=request,
                 reason=f"role not allowed to {action.replace('_', ' ')}")
        raise PermissionDenied(gettext("Your role does not allow this action on a case."),
                               code="not_allowed")


_F = TypeVar("_F", bound=Callable[..., Any])


def desk_action(action: str) -> Callable[[_F], _F]:
    """Make a service one desk action: permission from DESK_ACTIONS, one transaction, and
    every refusal that guards a disclosure audited outside that transaction."""

    def decorator(function: _F) -> _F:
        atomic = transaction.atomic(function)

        @wraps(function)
        def run(**kwargs: Any) -> Any:
            case = kwargs.get("case") or getattr(kwargs.get("proposal"), "case", None)
            actor, now, request = kwargs["actor"], kwargs["now"], kwargs.get("request")
            authorize(action, actor=actor, now=now, case=case, request=request)
            try:
                return atomic(**kwargs)
            except DomainError as exc:
                if exc.code in FOUR_EYES_CODES:
                    _refused(action, actor=actor, case=case, now=now, request=request,
                             reason=FOUR_EYES_CODES[exc.code])
                raise

        return cast(_F, run)

    return decorator


def _lock(case: Case) -> Case:
    return Case.objects.select_for_update().select_related("agency", "officer__user").get(pk=case.pk)


def _move(case: Case, target: str, *, actor: User | None, now: datetime, action: Action,
          reason: str = "", params: dict[str, Any] | None = None,
          request: HttpRequest | None = None) -> None:
    """Change status through the transition table, keep the clock, audit, notify."""
    flows.check(case.kind, case.status, target)
    previous = case.status
    case.status = target
    if target == Status.AWAITING_CLARIFICATION:
        legal_clock.pause(case, now)
    elif previous == Status.AWAITING_CLARIFICATION:
        legal_clock.resume(case, now)
    if target in flows.ANSWERED and target != Status.WITHDRAWN and case.decided_at is None:
        case.decided_at = now
    if target in flows.TERMINAL:
        case.closed_at = now
    case.urgency = legal_clock.urgency(case, now)
    case.save()
    signals.case_status_changed.send(sender=Case, case=case, previous=previous, now=now)
    record(action, actor=actor, target=case, request=request, now=now,
           params={"number": case.number, "from": previous, "to": target, "reason": reason,
                   **(params or {})})
    notify.status_changed(case, previous=previous)


# --- Intake -----------------------------------------------------------------------------

def _law_facts(case: Case, targets: Sequence[ParsedTarget] | None = None) -> dict[str, Any]:
    """The rule engine's facts for a case (see docs/law/input-format.md)."""
    facts: dict[str, Any] = {
        "authority_country": case.agency.country,
        "authority_kind": case.agency.kind,
        "issuer_role": case.issuer_role,
        "instrument": case.instrument_type,
        "request_kind": case.kind,
        "emergency": case.kind == RequestKind.EMERGENCY_DISCLOSURE,
        "offence_category": case.offence_category,
        "categories": list(case.categories),
        "user_named_as_suspect": case.user_named_as_suspect,
        "nondisclosure_order": case.nondisclosure_order,
        "received_at": case.received_at.isoformat(),
    }
    if case.validator_role:
        facts["validator_role"] = case.validator_role
    if case.max_sentence_years is not None:
        facts["max_sentence_months"] = min(case.max_sentence_years * 12, 1200)
    if case.nondisclosure_until:
        facts["nondisclosure_until"] = case.nondisclosure_until.isoformat()
    # The further facts the intake collected (protected status, kind of emergency …).
    facts.update(case.law_facts or {})
    if case.callback_confirmed_at is not None and facts["emergency"]:
        facts["callback_result"] = "confirmed"
    return facts


def deployment_config(config: DeploymentConfig) -> DeploymentConfig:
    """The engine's configuration with the deployment's own policy named (the setting
    LAWDESK_POLICY_NAME), unless the configuration file names it."""
    if "source" in config.policy.model_fields_set:
        return config
    policy = config.policy.model_copy(update={"source": settings.LAWDESK_POLICY_NAME})
    return config.model_copy(update={"policy": policy})


def decide_law(case: Case, *, now: datetime) -> dict[str, Any]:
    """Run the rule engine on a case's facts; return the replayable decision record."""
    facts = parse_facts(_law_facts(case))
    config = deployment_config(load_config(getattr(settings, "LAWDESK_LAW_CONFIG", None)))
    record: dict[str, Any] = decision_record(facts, decide(facts, config=config, now=now),
                                             config=config, now=now)
    return record


# Rule-engine fact names that the intake calls differently.
_INTAKE_FIELD = {"request_kind": "kind", "instrument": "instrument_type",
                 "max_sentence_months": "max_sentence_years"}


def _decide_at_intake(case: Case, *, now: datetime) -> dict[str, Any]:
    """decide_law, with facts the engine refuses (e.g. a French-only ground from another
    country's agency) turned into field-level intake errors instead of a server error."""
    try:
        return decide_law(case, now=now)
    except FactsError as exc:
        errors: dict[str, list[str]] = {}
        for name, message in exc.errors:
            field = _INTAKE_FIELD.get(name.split(".")[0], name.split(".")[0])
            errors.setdefault(field, []).append(message[:1].upper() + message[1:] + ".")
        raise IntakeRefused(errors) from None


def _apply_record(case: Case, record: dict[str, Any]) -> None:
    case.law_record = record
    case.ruleset_version = record["ruleset_version"]


def _legal(case: Case) -> Decision:
    """The case's decision; every case that reaches these use cases was analysed at intake."""
    decision = case.legal
    if decision is None:
        raise DomainError("This case has no legal analysis.", field="outcome")
    return decision


def _store_upload(case: Case, upload: Upload, *, actor: User, now: datetime) -> Attachment:
    """Check that an upload is a PDF within the size limit, hash it, keep it with the case."""
    limit = settings.LAWDESK_MAX_ATTACHMENT_BYTES
    content = upload.content
    if content.size is not None and content.size > limit:
        raise IntakeRefused({"attachments": [
            gettext("%(name)s is %(size)s MB; the limit is %(limit)s MB.")
            % {"name": upload.name, "size": content.size // 1_000_000,
               "limit": limit // 1_000_000}]})
    problem = pdf_problem(content, content.size)
    if problem:
        raise IntakeRefused({"attachments": [f"{upload.name} {problem}"]})
    content.seek(0)
    digest, size = hashlib.sha256(), 0
    for chunk in content.chunks():
        digest.update(chunk)
        size += len(chunk)
        if size > limit:
            raise IntakeRefused({"attachments": [
                gettext("%(name)s is larger than the limit.") % {"name": upload.name}]})
    content.seek(0)
    safe_name = upload.name.replace("\\", "/").rsplit("/", 1)[-1][:200] or "document.pdf"
    attachment = Attachment(case=case, original_name=safe_name, sha256=digest.hexdigest(),
                            size=size, uploaded_at=now, uploaded_by=actor)
    attachment.file.save(f"{case.number}-{digest.hexdigest()[:16]}.pdf", content, save=False)
    attachment.save()
    return attachment


def _store_original(case: Case, original: OriginalOrder, *, actor: User, now: datetime) \
        -> Attachment:
    """Keep the original order byte-exact with its SHA-256 (the receipt names both)."""
    if len(original.content) > settings.LAWDESK_MAX_ATTACHMENT_BYTES:
        raise IntakeRefused({"attachments": [f"{original.name} is larger than the limit."]})
    digest = hashlib.sha256(original.content).hexdigest()
    suffix = _ORIGINAL_SUFFIX.get(original.content_type.split(";")[0].strip().lower(), ".bin")
    safe_name = original.name.replace("\\", "/").rsplit("/", 1)[-1][:200] or "order"
    if not safe_name.lower().endswith(suffix):
        safe_name += suffix
    attachment = Attachment(case=case, original_name=safe_name, sha256=digest,
                            size=len(original.content), uploaded_at=now, uploaded_by=actor)
    attachment.file.save(f"{case.number}-{digest[:16]}{suffix}", ContentFile(original.content),
                         save=False)
    attachment.save()
    return attachment


def submit_request(*, actor: User, now: datetime, payload: dict[str, Any],
                   uploads: Sequence[Upload] = (), channel: str = "portal",
                   request: HttpRequest | None = None,
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
        record(Action.INTAKE_REFUSED, actor=actor, request=request, now=now,
               params={"reason": "requester_not_verified", "channel": channel})
        raise PermissionDenied(gettext("Only an approved officer of an active agency can send "
                                       "requests."))
    data, targets, errors = validate_intake(payload)
    if not uploads and original is None and payload.get("kind") != RequestKind.EMERGENCY_DISCLOSURE:
        errors = {**errors, "attachments": [gettext("Attach the signed legal instrument as a PDF.")]}
    if errors or data is None:
        record(Action.INTAKE_REFUSED, actor=actor, request=request, now=now,
               params={"reason": "invalid", "channel": channel,
                       "fields": sorted(errors)})
        raise IntakeRefused(errors)
    if actor.officer.agency.status != Agency.Status.ACTIVE:
        record(Action.INTAKE_REFUSED, actor=actor, request=request, now=now,
               params={"reason": "agency_not_active", "channel": channel})
        raise PermissionDenied(gettext("Your agency is not active on this platform."))
    try:
        return _create_case(actor=actor, now=now, data=data, targets=targets, uploads=uploads,
                            channel=channel, request=request, on_created=on_created,
                            original=original)
    except IntakeRefused as exc:
        record(Action.INTAKE_REFUSED, actor=actor, request=request, now=now,
               params={"reason": "invalid", "channel": channel, "fields": sorted(exc.errors)})
        raise


@transaction.atomic
def _create_case(*, actor: User, now: datetime, data: IntakeData, targets: list[ParsedTarget],
                 uploads: Sequence[Upload], channel: str, request: HttpRequest | None,
                 on_created: Callable[[Case], None] | None = None,
                 original: OriginalOrder | None = None) -> Case:
    officer = actor.officer
    agency = Agency.objects.select_for_update().get(pk=officer.agency_id)
    if agency.status != Agency.Status.ACTIVE:
        raise PermissionDenied("Your agency is not active on this platform.")
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
        content_locations=data.content_locations, received_at=now,
        deadline_at=now, deadline_rule="pending", deadline_article="pending", receipt_sha256="",
        law_facts=law_facts_from(data),
    )
    case.save()
    case.number = f"LD-{now.year}-{case.pk:06d}"
    _apply_record(case, _decide_at_intake(case, now=now))
    decision = _legal(case)
    deadline = decision.deadline
    assert deadline is not None  # the engine always sets one (MLA's default at the least)
    case.deadline_at = now + deadline.duration.as_timedelta()
    case.deadline_rule = deadline.reason.rule
    case.deadline_article = f"{deadline.reason.regime}: {deadline.reason.article}"
    rows = [Target.objects.create(case=case, position=i, kind=t.kind, raw=t.raw[:300],
                                  value=t.value, port=t.port, at=t.at,
                                  window_start=t.window_start, window_end=t.window_end)
            for i, t in enumerate(targets)]
    kept = [_store_original(case, original, actor=actor, now=now)] if original else []
    attachments = kept + [_store_upload(case, u, actor=actor, now=now) for u in uploads]
    case.flags = risk_flags(case, decision, now)
    no_longer_first = clear_later_first_request_flags(case)
    case.receipt = receipt_document(case, rows, attachments)
    if original is not None:
        case.receipt["original_order"] = {"name": kept[0].original_name, "sha256": kept[0].sha256,
                                          "size": kept[0].size,
                                          "content_type": original.content_type}
        case.receipt["origin"] = original.origin
    case.receipt_sha256 = canonical_sha256(case.receipt)
    case.urgency = legal_clock.urgency(case, now)
    case.save()
    signals.case_received.send(sender=Case, case=case, now=now)
    record(Action.CASE_RECEIVED, actor=actor, target=case, request=request, now=now,
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
        _move(case, Status.PRESERVED, actor=None, now=now, action=Action.CASE_PRESERVED,
              reason="preserved on receipt")


# --- Review -----------------------------------------------------------------------------

@desk_action("start_review")
def start_review(*, case: Case, actor: User, now: datetime,
                 request: HttpRequest | None = None) -> Case:
    """Acknowledge the request and take it into review (assigning it to the actor if free)."""
    case = _lock(case)
    if case.assigned_to_id is None:
        case.assigned_to = actor
    if case.acknowledged_at is None:
        case.acknowledged_at = now
    _move(case, Status.IN_REVIEW, actor=actor, now=now, action=Action.CASE_REVIEW_STARTED, request=request)
    return case


@desk_action("assign")
def assign(*, case: Case, actor: User, assignee: User | None, now: datetime,
           request: HttpRequest | None = None) -> Case:
    """Give the case to a reviewer (or take it off anyone's desk)."""
    if assignee is not None and not has_perm(assignee, "desk:case:review"):
        raise DomainError(f"{assignee.full_name} cannot review cases.", field="assignee")
    case = _lock(case)
    previous = case.assigned_to
    case.assigned_to = assignee
    case.save(update_fields=["assigned_to"])
    record(Action.CASE_ASSIGNED, actor=actor, target=case, request=request, now=now,
           params={"number": case.number, "from": previous.email if previous else None,
                   "to": assignee.email if assignee else None})
    return case


@desk_action("question")
def ask_clarification(*, case: Case, actor: User, now: datetime, question: str,
                      request: HttpRequest | None = None) -> Case:
    """Ask the requester a question; the legal clock stops until they answer (Art. 10(6))."""
    if len(question.strip()) < 10:
        raise DomainError("Write the question for the requester (at least 10 characters).",
                          field="question", code="required")
    case = _lock(case)
    Message.objects.create(case=case, kind=Message.Kind.CLARIFICATION_REQUEST, author=actor,
                           body=question.strip(), created_at=now)
    _move(case, Status.AWAITING_CLARIFICATION, actor=actor, now=now,
          action=Action.CASE_CLARIFICATION_REQUESTED, request=request)
    return case


def answer_clarification(*, case: Case, actor: User, now: datetime, answer: str,
                         request: HttpRequest | None = None) -> Case:
    """The requester answers; the clock resumes with the time that was left."""
    _require_requester(case, actor, now=now, request=request, attempted="answer")
    return _answer(case=case, actor=actor, now=now, answer=answer, request=request)


@transaction.atomic
def _answer(*, case: Case, actor: User, now: datetime, answer: str,
            request: HttpRequest | None) -> Case:
    case = _lock(case)
    if case.status != Status.AWAITING_CLARIFICATION:
        raise DomainError(gettext("There is no open question on this request."), field="answer",
                          code="invalid_transition")
    problem = CLARIFICATION_ANSWER.problem(answer)  # the API's schema says the same
    if problem is not None:
        raise DomainError(gettext("Write your answer: %(problem)s") % {"problem": problem.message()},
                          field="answer",
                          code="required")
    Message.objects.create(case=case, kind=Message.Kind.CLARIFICATION_ANSWER, author=actor,
                           body=answer.strip(), created_at=now)
    _move(case, Status.IN_REVIEW, actor=actor, now=now, action=Action.CASE_CLARIFICATION_ANSWERED,
          request=request)
    return case


MAX_MESSAGE_FILES = 5


def _message(case: Case, *, actor: User, now: datetime, body: str, side: str,
             uploads: Sequence[Upload] = (), request: HttpRequest | None) -> Message:
    """One message of the case's thread, its documents and its audit event (no body: the
    trail says who wrote to whom and which files, by hash)."""
    if len(body.strip()) < 2:
        raise DomainError(gettext("Write the message."), field="body", code="required")
    if len(body) > 5000:
        raise DomainError(gettext("A message has at most 5,000 characters; attach a PDF for more."),
                          field="body", code="too_long")
    if len(uploads) > MAX_MESSAGE_FILES:
        raise DomainError(gettext("Attach at most %(n)s documents to a message.")
                          % {"n": MAX_MESSAGE_FILES},
                          field="attachments", code="too_many")
    message = Message.objects.create(case=case, kind=Message.Kind.MESSAGE, author=actor,
                                     body=body.strip(), created_at=now)
    files = []
    for upload in uploads:
        try:
            attachment = _store_upload(case, upload, actor=actor, now=now)
        except IntakeRefused as exc:
            raise DomainError(" ".join(exc.errors["attachments"]), field="attachments",
                              code="invalid_attachment") from None
        attachment.message = message
        attachment.save(update_fields=["message"])
        files.append({"name": attachment.original_name, "sha256": attachment.sha256})
    flag = "requester_message"
    if side == "requester" and flag not in case.flags:
        case.flags = [*case.flags, flag]
        case.save(update_fields=["flags"])
    elif side == "platform" and flag in case.flags:
        case.flags = [f for f in case.flags if f != flag]
        case.save(update_fields=["flags"])
    record(Action.MESSAGE_RECEIVED if side == "requester" else Action.MESSAGE_SENT, actor=actor,
           target=case, request=request, now=now,
           params={"number": case.number, "message": message.pk, "attachments": files})
    return message


def message_the_desk(*, case: Case, actor: User, now: datetime, body: str,
                     uploads: Sequence[Upload] = (), request: HttpRequest | None = None) -> Message:
    """An officer of the requesting agency writes to the platform on the case (any time, not
    only to answer a question), with PDF documents checked as at intake."""
    _require_requester(case, actor, now=now, request=request, attempted="message")
    with transaction.atomic():
        return _message(_lock(case), actor=actor, now=now, body=body, side="requester",
                        uploads=uploads, request=request)


@desk_action("message")
def message_the_requester(*, case: Case, actor: User, now: datetime, body: str,
                          request: HttpRequest | None = None) -> Message:
    """The desk answers in the case's thread. Text only: data about users never travels in
    a message; it is delivered in the signed evidence package, after four eyes."""
    return _message(_lock(case), actor=actor, now=now, body=body, side="platform",
                    request=request)


@desk_action("note")
def add_note(*, case: Case, actor: User, now: datetime, body: str,
             request: HttpRequest | None = None) -> Message:
    """An internal note on the case (never shown to the requester)."""
    if not body.strip():
        raise DomainError("Write the note.", field="body", code="required")
    note = Message.objects.create(case=case, kind=Message.Kind.NOTE, author=actor,
                                  body=body.strip(), created_at=now)
    record(Action.NOTE_ADDED, actor=actor, target=case, request=request, now=now,
           params={"number": case.number})
    return note


@desk_action("callback")
def confirm_callback(*, case: Case, actor: User, now: datetime, person: str, supervisor: str,
                    request: HttpRequest | None = None) -> Case:
    """Confirm an emergency request by calling the agency back on its registered number."""
    case = _lock(case)
    if not case.is_emergency:
        raise DomainError("Only emergency requests need a call-back.", field="person")
    if not case.agency.callback_phone:
        raise DomainError("The agency has no registered call-back number; record one from an "
                          "independent source first.", field="person", code="no_callback")
    if len(person.strip()) < 3:
        raise DomainError("Name the person who confirmed the request on the call.",
                          field="person", code="required")
    if len(supervisor.strip()) < 3:
        raise DomainError("Name the supervisor who confirmed the emergency.",
                          field="supervisor", code="required")
    case.callback_confirmed_at, case.callback_confirmed_by = now, actor
    case.callback_number = case.agency.callback_phone
    case.callback_person, case.callback_supervisor = person.strip(), supervisor.strip()
    case.flags = [f for f in case.flags if f != "emergency_callback_required"]
    case.save()
    record(Action.CALLBACK_CONFIRMED, actor=actor, target=case, request=request, now=now,
           params={"number": case.number, "called": case.callback_number,
                   "person": case.callback_person, "supervisor": case.callback_supervisor})
    return case


def why_not_allowed(case: Case, categories: Sequence[str]) -> list[str]:
    """For each category the analysis does not allow: its name, its outcome, and the process
    still needed (a judge's order, an order naming the user as a suspect, MLA …)."""
    labels = {code: str(label) for code, label in CATEGORY_CHOICES}
    results = case.legal.categories if case.legal is not None else {}
    lines = []
    for category in categories:
        result = results.get(DataCategory(category))
        outcome = result.outcome if result is not None else Outcome.NOT_ALLOWED
        name = labels.get(category, category)
        if outcome is Outcome.NEEDS_FURTHER_PROCESS:
            process = (result.process if result is not None else None) or "further legal process"
            lines.append(f"{name}: needs {process}")
        elif outcome is Outcome.NOT_HELD:
            lines.append(f"{name}: not held by the platform")
        else:
            lines.append(f"{name}: not allowed")
    return lines


def allowed_categories(case: Case) -> set[str]:
    """The categories asked for that the legal analysis allows disclosing."""
    allowed = case.legal.allowed_categories() if case.legal is not None else frozenset()
    return {c for c in case.categories if c in allowed}


@desk_action("propose")
def propose_disclosure(*, case: Case, actor: User, now: datetime, categories: Sequence[str],
                       target_ids: Sequence[int], legal_basis: str,
                       window_start: datetime | None = None, window_end: datetime | None = None,
                       request: HttpRequest | None = None) -> Proposal:
    """A reviewer proposes what to disclose; a second person must approve it."""
    case = _lock(case)
    if not takes_proposals(case):
        raise DomainError("Only production and emergency requests get a disclosure proposal.",
                          field="status")
    if case.status != Status.IN_REVIEW:
        raise DomainError("Only a case in review can get a disclosure proposal.", field="status")
    if case.proposals.filter(decided_at__isnull=True).exists():
        raise DomainError("A proposal is already waiting for approval.", field="categories")
    chosen = list(dict.fromkeys(categories))
    if not chosen:
        raise DomainError("Choose at least one data category to disclose.", field="categories")
    not_asked = set(chosen) - set(case.categories)
    if not_asked:
        raise DomainError(f"Not asked for in the request: {', '.join(sorted(not_asked))}.",
                          field="categories")
    not_allowed = set(chosen) - allowed_categories(case)
    if not_allowed:
        raise DomainError("The legal analysis does not allow disclosing "
                          + "; ".join(why_not_allowed(case, sorted(not_allowed)))
                          + ". See the legal analysis.",
                          field="categories", code="not_allowed_by_law")
    ids = {t.pk: t for t in case.targets.all()}
    chosen_targets = [int(i) for i in dict.fromkeys(target_ids)]
    if not chosen_targets or set(chosen_targets) - set(ids):
        raise DomainError("Choose the targets to disclose, among the request's targets.",
                          field="target_ids")
    if len(legal_basis.strip()) < 10:
        raise DomainError("State the legal basis of the disclosure (at least 10 characters).",
                          field="legal_basis", code="required")
    if window_start and window_end and window_end <= window_start:
        raise DomainError("The window must end after it starts.", field="window_end")
    earliest = min(ids[i].window_start for i in chosen_targets)
    latest = max(ids[i].window_end for i in chosen_targets)
    if (window_start and window_start < earliest) or (window_end and window_end > latest):
        raise DomainError("The window can only narrow what was asked.", field="window_start")
    partial = (set(chosen) != set(case.categories) or set(chosen_targets) != set(ids)
               or bool(window_start and window_start > earliest)
               or bool(window_end and window_end < latest))
    proposal = Proposal.objects.create(
        case=case, proposed_by=actor, proposed_at=now, partial=partial, categories=chosen,
        target_ids=chosen_targets, window_start=window_start, window_end=window_end,
        legal_basis=legal_basis.strip(),
    )
    record(Action.DISCLOSURE_PROPOSED, actor=actor, target=case, request=request, now=now,
           params={"number": case.number, "proposal": proposal.pk, "categories": chosen,
                   "targets": chosen_targets, "partial": partial,
                   "legal_basis": proposal.legal_basis})
    return proposal


@desk_action("approve")
def approve_proposal(*, proposal: Proposal, actor: User, now: datetime, note: str = "",
                     request: HttpRequest | None = None) -> Case:
    """Second pair of eyes: approve a proposed disclosure (never one's own, and for an
    emergency never before the call-back). Each refusal stays on the audit trail."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    case = _lock(proposal.case)
    if not proposal.open:
        raise DomainError("This proposal was already decided.", field="proposal")
    if proposal.proposed_by_id == actor.pk:
        raise PermissionDenied("Four eyes: the approver must be a different person from the "
                               "reviewer who proposed the disclosure.",
                               code="four_eyes_own_proposal")
    if case.needs_callback:
        raise DomainError("Emergency request: confirm the call-back on the agency's "
                          "registered number before approving any disclosure.",
                          field="callback", code="callback_required")
    proposal.decided_by, proposal.decided_at = actor, now
    proposal.outcome, proposal.decision_note = "approved", note.strip()
    proposal.save()
    for target in case.targets.all():
        target.approved = target.pk in proposal.target_ids
        target.save(update_fields=["approved"])
    status = Status.PARTIALLY_APPROVED if proposal.partial else Status.APPROVED
    _move(case, status, actor=actor, now=now, action=Action.CASE_APPROVED, reason=note.strip(),
          params={"proposal": proposal.pk, "proposed_by": proposal.proposed_by.email,
                  "categories": proposal.categories, "targets": proposal.target_ids,
                  "legal_basis": proposal.legal_basis},
          request=request)
    return case


@desk_action("send_back")
def reject_proposal(*, proposal: Proposal, actor: User, now: datetime, note: str,
                    request: HttpRequest | None = None) -> Case:
    """The approver sends the proposal back; the case stays in review."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if not proposal.open:
        raise DomainError("This proposal was already decided.", field="proposal")
    if len(note.strip()) < 5:
        raise DomainError("Say why the proposal is sent back.", field="note", code="required")
    proposal.decided_by, proposal.decided_at = actor, now
    proposal.outcome, proposal.decision_note = "rejected", note.strip()
    proposal.save()
    record(Action.DISCLOSURE_SENT_BACK, actor=actor, target=proposal.case, request=request,
           now=now, params={"number": proposal.case.number, "proposal": proposal.pk,
                            "note": note.strip()})
    return proposal.case


@desk_action("refuse")
def refuse(*, case: Case, actor: User, now: datetime, ground: str, text: str,
           request: HttpRequest | None = None) -> Case:
    """Refuse the request on one of the e-Evidence Annex III grounds."""
    if ground not in {g.value for g in RefusalGround}:
        raise DomainError("Choose a refusal ground from the list.", field="ground", code="invalid")
    if ground == RefusalGround.OTHER and len(text.strip()) < 10:
        raise DomainError("Explain the refusal: a refusal on another ground needs a text.", field="text",
                          code="required")
    case = _lock(case)
    case.refusal_ground, case.refusal_text = ground, text.strip()
    _move(case, Status.REFUSED, actor=actor, now=now, action=Action.CASE_REFUSED, reason=text.strip(),
          params={"ground": ground}, request=request)
    return case


def _require_requester(case: Case, actor: User, *, now: datetime,
                       request: HttpRequest | None, attempted: str) -> None:
    """Only an active officer of the requesting agency; a refusal is audited (own transaction)."""
    if not is_requester_of(actor, case):
        record(Action.CASE_REQUESTER_REFUSED, actor=actor, target=case, request=request, now=now,
               params={"number": case.number, "attempted": attempted})
        raise PermissionDenied(gettext("Only officers of the requesting agency can do this."))


def withdraw(*, case: Case, actor: User, now: datetime, reason: str,
             request: HttpRequest | None = None) -> Case:
    """The requesting agency withdraws its request (from any open state)."""
    _require_requester(case, actor, now=now, request=request, attempted="withdraw")
    return _withdraw(case=case, actor=actor, now=now, reason=reason, request=request)


@transaction.atomic
def _withdraw(*, case: Case, actor: User, now: datetime, reason: str,
              request: HttpRequest | None) -> Case:
    case = _lock(case)
    problem = WITHDRAWAL_REASON.problem(reason)  # the API's schema says the same
    if problem is not None:
        raise DomainError(gettext("Say why the request is withdrawn: %(problem)s")
                          % {"problem": problem.message()},
                          field="reason", code="required")
    case.withdrawal_reason = reason.strip()
    _move(case, Status.WITHDRAWN, actor=actor, now=now, action=Action.CASE_WITHDRAWN, reason=reason.strip(),
          request=request)
    return case


@desk_action("override")
def override_category(*, case: Case, actor: User, now: datetime, category: str, outcome: str,
                      reason: str, request: HttpRequest | None = None) -> Case:
    """A reviewer changes the rule engine's outcome for one category, with a written reason.

    The override is part of the stored decision record (so it replays), is audited, and is
    shown to the approver next to the proposal.
    """
    case = _lock(case)
    if case.status != Status.IN_REVIEW:
        raise DomainError("Overrides are made during review.", field="outcome")
    if case.proposals.filter(decided_at__isnull=True).exists():
        raise DomainError("A proposal is waiting for approval: decide it first.", field="outcome")
    law = case.law_record
    try:
        # Replayed under the rule set that decided the case, even after the rules changed.
        updated = override_record(law, category=category, outcome=outcome, reason=reason,
                                  reviewer=f"{actor.full_name} <{actor.email}>", now=now)
    except RulesetMismatch:
        raise DomainError("The rules changed since this case was analysed: re-run the legal "
                          "analysis first.", field="outcome", code="ruleset_changed") from None
    except (OverrideError, ValueError) as exc:
        field, _, message = str(exc).partition(": ")
        raise DomainError(message or str(exc), field=field if message else "outcome",
                          code="invalid_override") from None
    previous = _legal(case).outcome(category).value
    _apply_record(case, {**law, "decision": updated})
    case.save(update_fields=["law_record", "ruleset_version"])
    record(Action.LAW_OVERRIDDEN, actor=actor, target=case, request=request, now=now,
           params={"number": case.number, "category": category, "from": previous,
                   "to": outcome, "reason": reason.strip()})
    return case


@desk_action("reanalyse")
def rerun_legal_analysis(*, case: Case, actor: User, now: datetime,
                         request: HttpRequest | None = None) -> Case:
    """Decide the case again with the current rule set (earlier overrides are dropped)."""
    case = _lock(case)
    if case.proposals.filter(decided_at__isnull=True).exists():
        raise DomainError("A proposal is waiting for approval: decide it first.", field="outcome")
    if not flows.is_open(case.status) or case.status in flows.ANSWERED:
        raise DomainError("The case is already decided.", field="outcome")
    previous = case.ruleset_version
    _apply_record(case, decide_law(case, now=now))
    case.save(update_fields=["law_record", "ruleset_version"])
    record(Action.LAW_REANALYSED, actor=actor, target=case, request=request, now=now,
           params={"number": case.number, "from_version": previous,
                   "to_version": case.ruleset_version})
    return case


# --- Collection and delivery (the collection job drives these) ----------------------------

@transaction.atomic
def start_collection(*, case: Case, now: datetime, actor: User | None = None) -> Case:
    """Approved → collecting: the platform starts gathering exactly the approved scope."""
    case = _lock(case)
    if case.status == Status.COLLECTING:
        return case  # idempotent: a restarted job does not move the case twice
    _move(case, Status.COLLECTING, actor=actor, now=now, action=Action.CASE_COLLECTION_STARTED)
    return case


@transaction.atomic
def mark_delivered(*, case: Case, now: datetime, accounts_affected: int,
                   actor: User | None = None, params: dict[str, Any] | None = None) -> Case:
    """Collecting → delivered: the evidence package is available to the requester."""
    case = _lock(case)
    if case.status == Status.DELIVERED:
        return case
    case.accounts_affected = accounts_affected
    case.delivered_at = now
    _move(case, Status.DELIVERED, actor=actor, now=now, action=Action.CASE_DELIVERED,
          params={"accounts_affected": accounts_affected, **(params or {})})
    return case


@transaction.atomic
def close_case(*, case: Case, actor: User | None, now: datetime, reason: str = "",
               request: HttpRequest | None = None) -> Case:
    """Delivered → closed: nothing more is owed to the requester on this case."""
    if actor is not None:
        _require(actor, DESK_ACTIONS["close"])
    case = _lock(case)
    _move(case, Status.CLOSED, actor=actor, now=now, action=Action.CASE_CLOSED, reason=reason,
          request=request)
    return case


# --- Preservation and removal -------------------------------------------------------------

@desk_action("extend")
def extend_preservation(*, case: Case, actor: User, now: datetime, reason: str,
                        request: HttpRequest | None = None) -> Case:
    """Extend a preservation on the authority's request (e-Evidence +30 days; US +90)."""
    return _extend(_lock(case), actor=actor, now=now, reason=reason, request=request)


def extend_preservation_on_order(*, case: Case, actor: User, now: datetime, reason: str,
                                 request: HttpRequest | None = None) -> Case:
    """The issuing authority extends its own preservation order through a standard channel
    (e-Evidence Annex VI, Form 6, over HI-1): the requester is the actor, not the desk."""
    _require_requester(case, actor, now=now, request=request, attempted="extend")
    case = _lock(case)
    if case.status != Status.PRESERVED:
        raise DomainError(gettext("This preservation cannot be extended (it was extended "
                                  "already, or it has ended)."), field="status",
                          code="not_extendable")
    return _extend(case, actor=actor, now=now, reason=reason, request=request)


def _extend(case: Case, *, actor: User, now: datetime, reason: str,
            request: HttpRequest | None) -> Case:
    extra = timedelta(days=90 if case.agency.country == "US" else 30)
    case.deadline_at = case.deadline_at + extra
    _move(case, Status.EXTENDED, actor=actor, now=now, action=Action.CASE_PRESERVATION_EXTENDED,
          reason=reason, params={"until": case.deadline_at.isoformat()}, request=request)
    return case


@desk_action("convert")
def convert_preservation(*, case: Case, actor: User, now: datetime, production_number: str,
                         request: HttpRequest | None = None) -> Case:
    """The authority followed its preservation order with a production order (Annex V):
    the preservation ends as converted and its hold now serves the production case."""
    case = _lock(case)
    production = Case.objects.filter(number=production_number.strip()).first()
    if production is None or production.agency_id != case.agency_id \
            or production.kind != RequestKind.PRODUCTION:
        raise DomainError("Give the number of a production request from the same agency.",
                          field="production_number", code="invalid")
    if not flows.is_open(production.status):
        raise DomainError("That production request is already finished.",
                          field="production_number", code="invalid")
    _move(case, Status.CONVERTED, actor=actor, now=now, action=Action.CASE_PRESERVATION_CONVERTED,
          params={"production": production.number}, request=request)
    signals.preservation_converted.send(sender=Case, case=case, production=production,
                                        actor=actor, now=now, request=request)
    return case


@transaction.atomic
def expire_preservation(*, case: Case, now: datetime) -> Case:
    """The preservation period ended without a follow-up order."""
    case = _lock(case)
    _move(case, Status.EXPIRED, actor=None, now=now, action=Action.CASE_PRESERVATION_EXPIRED,
          reason="preservation period ended")
    return case


@desk_action("release")
def release_preservation(*, case: Case, actor: User, now: datetime, reason: str,
                         request: HttpRequest | None = None) -> Case:
    """End a preservation early (order revoked, or no follow-up)."""
    if len(reason.strip()) < 3:
        raise DomainError("Say why the preservation is released.", field="reason")
    case = _lock(case)
    _move(case, Status.RELEASED, actor=actor, now=now, action=Action.CASE_PRESERVATION_RELEASED,
          reason=reason.strip(), request=request)
    return case


@desk_action("removal")
def action_removal(*, case: Case, actor: User, now: datetime, action: str, note: str,
                   request: HttpRequest | None = None) -> Case:
    """Record that the content was removed or access to it restricted."""
    if action not in ("removed", "restricted"):
        raise DomainError("Choose: removed, or access restricted.", field="action")
    case = _lock(case)
    _move(case, Status.ACTIONED, actor=actor, now=now, action=Action.CASE_REMOVAL_ACTIONED, reason=note,
          params={"action": action}, request=request)
    return case


@desk_action("report_effect")
def report_effect(*, case: Case, actor: User, now: datetime, note: str,
                  request: HttpRequest | None = None) -> Case:
    """Tell the authority that effect was given to its order (DSA Art. 9 'if and when')."""
    case = _lock(case)
    Message.objects.create(case=case, kind=Message.Kind.NOTICE, author=actor,
                           body=note.strip() or "Effect was given to the order.", created_at=now)
    _move(case, Status.EFFECT_REPORTED, actor=actor, now=now, action=Action.CASE_EFFECT_REPORTED,
          reason=note, request=request)
    return case


# --- Clocks -------------------------------------------------------------------------------

def escalate(*, now: datetime) -> dict[str, int]:
    """Recompute every open case's urgency; audit each change. Idempotent (run every minute)."""
    changed: dict[str, int] = {}

    open_cases = open_cases_().only(
        "pk", "number", "status", "kind", "deadline_at", "received_at", "paused_at",
        "paused_remaining", "urgency")
    for case in open_cases.iterator(chunk_size=500):
        level = legal_clock.urgency(case, now)
        if level == case.urgency:
            continue
        with transaction.atomic():
            locked = Case.objects.select_for_update().get(pk=case.pk)
            level = legal_clock.urgency(locked, now)
            if level == locked.urgency:
                continue
            previous, locked.urgency = locked.urgency, level
            locked.save(update_fields=["urgency"])
            record(Action.CASE_ESCALATED, actor=None, target=locked, now=now,
                   params={"number": locked.number, "from": previous, "to": level,
                           "deadline_at": locked.deadline_at.isoformat()})
        changed[level] = changed.get(level, 0) + 1
    return changed


def categories_asked(case: Case) -> list[DataCategory]:
    """The data categories of the request, as enum members."""
    return [DataCategory(c) for c in case.categories]
