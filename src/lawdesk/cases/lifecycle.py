"""What every use case on a case shares: the permission check and its audited refusal
(`authorize`, `desk_action`), `require` for the conditions a use case checks, the row lock,
and `move`, the only way a case changes status (transition table, clock, audit, notice)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from functools import wraps
from typing import Any, TypeVar, cast

from django.db import transaction
from django.utils.translation import gettext

from lawdesk.accounts.models import User
from lawdesk.audit.actions import Action
from lawdesk.audit.services import record
from lawdesk.cases import flows, legal_clock, notify, signals
from lawdesk.cases.models import Case, Status
from lawdesk.cases.policy import is_requester_of
from lawdesk.core.errors import DomainError, PermissionDenied
from lawdesk.core.origin import Origin
from lawdesk.core.permissions import has_perm, may


def require(ok: object, message: str, *, field: str | None = None, code: str | None = None,
            denied: bool = False) -> None:
    """Refuse the use case unless ``ok``: a ``DomainError`` naming the field and a stable code,
    or ``PermissionDenied`` when ``denied`` (who is acting, not what they sent, is the problem).
    Every permission and state check of a case's use cases is written with it."""
    if not ok:
        raise (PermissionDenied if denied else DomainError)(message, field=field, code=code)


def require_permission(actor: User, permission: str) -> None:
    """Refuse unless the actor's roles grant ``permission`` (see core/permissions.py)."""
    require(has_perm(actor, permission), gettext("You are not allowed to do this (%(permission)s).")
            % {"permission": permission}, denied=True)


# Refusals that guard a disclosure: each stays on the audit trail, and the desk lists them.
FOUR_EYES_ACTIONS = frozenset({"approve", "send_back"})
FOUR_EYES_CODES = {"four_eyes_own_proposal": "proposer approving their own proposal",
                   "callback_required": "approval before the emergency call-back"}
REFUSAL_EVENTS = (Action.DISCLOSURE_FOUR_EYES_REFUSED, Action.CASE_ACTION_REFUSED)


def refused(action: str, *, actor: User, case: Case | None, now: datetime, reason: str,
            origin: Origin | None) -> None:
    """Audit a refused desk action in its own transaction (it must outlive the rollback)."""
    event = REFUSAL_EVENTS[0] if action in FOUR_EYES_ACTIONS else REFUSAL_EVENTS[1]
    with transaction.atomic():
        record(event, actor=actor, target=case, origin=origin, now=now,
               params={"number": case.number if case is not None else "", "attempted": action,
                       "reason": reason})


def authorize(action: str, *, actor: User, now: datetime, case: Case | None = None,
              origin: Origin | None = None) -> None:
    """Refuse (and audit) a desk action the actor's roles do not allow (see DESK_ACTIONS)."""
    if not may(actor, action):
        refused(action, actor=actor, case=case, now=now, origin=origin,
                reason=f"role not allowed to {action.replace('_', ' ')}")
        raise PermissionDenied(gettext("Your role does not allow this action on a case."),
                               code="not_allowed")


_F = TypeVar("_F", bound=Callable[..., Any])

_composed: ContextVar[bool] = ContextVar("lawdesk_cases_composed", default=False)


@contextmanager
def composed() -> Iterator[None]:
    """Run use cases inside the caller's own transaction, which then commits them (decision
    0027): a use case made of others (removal's measure), the API's idempotent answer kept with
    its change, the demo seed. Anywhere else a use case opened inside an atomic block raises."""
    token = _composed.set(True)
    try:
        yield
    finally:
        _composed.reset(token)


def use_case_transaction() -> transaction.Atomic:
    """The transaction of a top-level use case: durable — committed when the use case returns,
    with its audit event and queued jobs — unless the caller runs it ``composed``."""
    return transaction.atomic(durable=not _composed.get())


def desk_action(action: str) -> Callable[[_F], _F]:
    """Make a service one desk action: permission from DESK_ACTIONS, one durable transaction
    (``use_case_transaction``), and every refusal that guards a disclosure audited outside
    that transaction."""

    def decorator(function: _F) -> _F:
        @wraps(function)
        def run(**kwargs: Any) -> Any:
            case = kwargs.get("case") or getattr(kwargs.get("proposal"), "case", None)
            actor, now, origin = kwargs["actor"], kwargs["now"], kwargs.get("origin")
            authorize(action, actor=actor, now=now, case=case, origin=origin)
            try:
                with use_case_transaction():
                    return function(**kwargs)
            except DomainError as exc:
                if exc.code in FOUR_EYES_CODES:
                    refused(action, actor=actor, case=case, now=now, origin=origin,
                            reason=FOUR_EYES_CODES[exc.code])
                raise

        return cast(_F, run)

    return decorator


def lock(case: Case) -> Case:
    """The case, row-locked until the transaction ends (with its agency and officer)."""
    return Case.objects.select_for_update().select_related("agency", "officer__user").get(pk=case.pk)


def bring_deadline_forward(case: Case, deadline: datetime, *, now: datetime) -> bool:
    """Apply an earlier deadline the order itself sets; never a later one, never one past.

    Returns whether it was applied. The caller records the audit event that says why (with the
    order's own deadline), in the same transaction.
    """
    if not now < deadline < case.deadline_at:
        return False
    case.deadline_at = deadline
    case.urgency = legal_clock.urgency(case, now)
    case.save(update_fields=["deadline_at", "urgency"])
    return True


def move(case: Case, target: str, *, actor: User | None, now: datetime, action: Action,
         reason: str = "", params: dict[str, Any] | None = None,
         origin: Origin | None = None) -> None:
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
    record(action, actor=actor, target=case, origin=origin, now=now,
           params={"number": case.number, "from": previous, "to": target, "reason": reason,
                   **(params or {})})
    notify.status_changed(case, previous=previous)


def require_requester(case: Case, actor: User, *, now: datetime,
                      origin: Origin | None, attempted: str) -> None:
    """Only an active officer of the requesting agency; a refusal is audited (own transaction)."""
    if not is_requester_of(actor, case):
        record(Action.CASE_REQUESTER_REFUSED, actor=actor, target=case, origin=origin, now=now,
               params={"number": case.number, "attempted": attempted})
        raise PermissionDenied(gettext("Only officers of the requesting agency can do this."))
