"""The case's own status use cases: review, assignment, refusal, withdrawal, the collection job's
steps, closing, removal outcomes, and the clock loop's escalation.

The other use cases live in modules named for what they do: `submission` (intake),
`conversation` (clarifications, messages, notes), `disclosure` (call-back and four eyes),
`analysis` (legal analysis, overrides), `preservation`; what they share is in `lifecycle`.
Every function takes the acting user and ``now``; none reads the clock."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext

from lawdesk.accounts.models import User
from lawdesk.audit.actions import Action
from lawdesk.audit.services import record
from lawdesk.cases import legal_clock
from lawdesk.cases.intake import WITHDRAWAL_REASON
from lawdesk.cases.lifecycle import (
    desk_action,
    lock,
    move,
    require,
    require_permission,
    require_requester,
    use_case_transaction,
)
from lawdesk.cases.models import Case, Message, Status
from lawdesk.cases.selectors import open_cases
from lawdesk.core.errors import DomainError
from lawdesk.core.origin import Origin
from lawdesk.core.permissions import DESK_ACTIONS, has_perm
from lawdesk.law.vocabulary import RefusalGround


@desk_action("start_review")
def start_review(*, case: Case, actor: User, now: datetime,
                 origin: Origin | None = None) -> Case:
    """Acknowledge the request and take it into review (assigning it to the actor if free)."""
    case = lock(case)
    if case.assigned_to_id is None:
        case.assigned_to = actor
    if case.acknowledged_at is None:
        case.acknowledged_at = now
    move(case, Status.IN_REVIEW, actor=actor, now=now, action=Action.CASE_REVIEW_STARTED, origin=origin)
    return case


@desk_action("assign")
def assign(*, case: Case, actor: User, assignee: User | None, now: datetime,
           origin: Origin | None = None) -> Case:
    """Give the case to a reviewer (or take it off anyone's desk)."""
    if assignee is not None:
        require(has_perm(assignee, "desk:case:review"), gettext("%(name)s cannot review cases.")
                % {"name": assignee.full_name},
                field="assignee")
    case = lock(case)
    previous = case.assigned_to
    case.assigned_to = assignee
    case.save(update_fields=["assigned_to"])
    record(Action.CASE_ASSIGNED, actor=actor, target=case, origin=origin, now=now,
           params={"number": case.number, "from": previous.email if previous else None,
                   "to": assignee.email if assignee else None})
    return case


@desk_action("refuse")
def refuse(*, case: Case, actor: User, now: datetime, ground: str, text: str,
           origin: Origin | None = None) -> Case:
    """Refuse the request on one of the e-Evidence Annex III grounds."""
    require(ground in {g.value for g in RefusalGround}, gettext("Choose a refusal ground from the list."),
            field="ground", code="invalid")
    require(ground != RefusalGround.OTHER or len(text.strip()) >= 10,
            gettext("Explain the refusal: a refusal on another ground needs a text."), field="text",
            code="required")
    case = lock(case)
    case.refusal_ground, case.refusal_text = ground, text.strip()
    move(case, Status.REFUSED, actor=actor, now=now, action=Action.CASE_REFUSED, reason=text.strip(),
         params={"ground": ground}, origin=origin)
    return case


def withdraw(*, case: Case, actor: User, now: datetime, reason: str,
             origin: Origin | None = None) -> Case:
    """The requesting agency withdraws its request (from any open state)."""
    require_requester(case, actor, now=now, origin=origin, attempted="withdraw")
    with use_case_transaction():
        return _withdraw(case=case, actor=actor, now=now, reason=reason, origin=origin)


def _withdraw(*, case: Case, actor: User, now: datetime, reason: str,
              origin: Origin | None) -> Case:
    case = lock(case)
    problem = WITHDRAWAL_REASON.problem(reason)  # the API's schema says the same
    if problem is not None:
        raise DomainError(gettext("Say why the request is withdrawn: %(problem)s")
                          % {"problem": problem.message()}, field="reason", code="required")
    case.withdrawal_reason = reason.strip()
    move(case, Status.WITHDRAWN, actor=actor, now=now, action=Action.CASE_WITHDRAWN, reason=reason.strip(),
         origin=origin)
    return case


# The collection job's steps: inside the job's own transaction (decision 0027), not durable.
@transaction.atomic
def start_collection(*, case: Case, now: datetime, actor: User | None = None) -> Case:
    """Approved → collecting: the platform starts gathering exactly the approved scope."""
    case = lock(case)
    if case.status == Status.COLLECTING:
        return case  # idempotent: a restarted job does not move the case twice
    move(case, Status.COLLECTING, actor=actor, now=now, action=Action.CASE_COLLECTION_STARTED)
    return case


@transaction.atomic
def mark_delivered(*, case: Case, now: datetime, accounts_affected: int,
                   actor: User | None = None, params: dict[str, Any] | None = None) -> Case:
    """Collecting → delivered: the evidence package is available to the requester."""
    case = lock(case)
    if case.status == Status.DELIVERED:
        return case
    case.accounts_affected = accounts_affected
    case.delivered_at = now
    move(case, Status.DELIVERED, actor=actor, now=now, action=Action.CASE_DELIVERED,
         params={"accounts_affected": accounts_affected, **(params or {})})
    return case


def close_case(*, case: Case, actor: User | None, now: datetime, reason: str = "",
               origin: Origin | None = None) -> Case:
    """Delivered → closed: nothing more is owed to the requester on this case."""
    if actor is not None:
        require_permission(actor, DESK_ACTIONS["close"])
    with use_case_transaction():
        case = lock(case)
        move(case, Status.CLOSED, actor=actor, now=now, action=Action.CASE_CLOSED, reason=reason,
             origin=origin)
    return case


@desk_action("removal")
def action_removal(*, case: Case, actor: User, now: datetime, action: str, note: str,
                   origin: Origin | None = None) -> Case:
    """Record that the content was removed or access to it restricted."""
    require(action in ("removed", "restricted"), gettext("Choose: removed, or access restricted."),
            field="action")
    case = lock(case)
    move(case, Status.ACTIONED, actor=actor, now=now, action=Action.CASE_REMOVAL_ACTIONED, reason=note,
         params={"action": action}, origin=origin)
    return case


@desk_action("report_effect")
def report_effect(*, case: Case, actor: User, now: datetime, note: str,
                  origin: Origin | None = None) -> Case:
    """Tell the authority that effect was given to its order (DSA Art. 9 'if and when')."""
    case = lock(case)
    Message.objects.create(case=case, kind=Message.Kind.NOTICE, author=actor,
                           body=note.strip() or "Effect was given to the order.", created_at=now)
    move(case, Status.EFFECT_REPORTED, actor=actor, now=now, action=Action.CASE_EFFECT_REPORTED,
         reason=note, origin=origin)
    return case


def escalate(*, now: datetime) -> dict[str, int]:
    """Recompute every open case's urgency; audit each change. Idempotent (run every minute)."""
    changed: dict[str, int] = {}
    cases = open_cases().only(
        "pk", "number", "status", "kind", "deadline_at", "received_at", "paused_at",
        "paused_remaining", "urgency")
    for case in cases.iterator(chunk_size=500):
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
