"""Preservation holds: placed through the platform, extended, expired, released — audited."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction

from lawdesk.audit.actions import Action
from lawdesk.audit.services import record
from lawdesk.cases import flows, preservation
from lawdesk.cases.models import Case, Status
from lawdesk.collection.collector import connector, resolve_accounts
from lawdesk.collection.models import PreservationHold
from lawdesk.core.origin import Origin
from lawdesk.law.vocabulary import RequestKind
from lawdesk.platform.actions import PlatformActions

# A production case's preserve-on-receipt hold lasts until the case ends, and at most this long.
PRODUCTION_HOLD = timedelta(days=90)


def actions() -> PlatformActions:
    """The platform's action interface (holds, notices) for this deployment."""
    return PlatformActions(settings.LAWDESK_PLATFORM_DIR)


def place_holds(*, case: Case, now: datetime) -> PreservationHold | None:
    """Resolve the targets and hold their accounts' data on the platform (idempotent)."""
    existing = case.holds.filter(released_at__isnull=True).first()
    if existing is not None:
        return existing
    if not flows.is_open(case.status):
        return None  # finished before the job ran (imported history, quick withdrawal)
    conn = connector()
    accounts = sorted({a.account_id for t in case.targets.all() for a in resolve_accounts(conn, t)})
    until = case.deadline_at if case.kind == RequestKind.PRESERVATION else now + PRODUCTION_HOLD
    actions().place_hold(case.number or str(case.pk), accounts, until, now)
    with transaction.atomic():
        hold = PreservationHold.objects.create(case=case, account_ids=accounts, placed_at=now,
                                               expires_at=until)
        record(Action.HOLD_PLACED, actor=None, target=case, now=now,
               params={"number": case.number, "accounts": accounts, "until": until.isoformat()})
    return hold


def extend_holds(*, case: Case, until: datetime, now: datetime) -> None:
    """Move the hold's end (preservation extended)."""
    for hold in case.holds.filter(released_at__isnull=True):
        actions().place_hold(case.number or str(case.pk), hold.account_ids, until, now)
        hold.expires_at = until
        hold.save(update_fields=["expires_at"])
        record(Action.HOLD_EXTENDED, actor=None, target=case, now=now,
               params={"number": case.number, "until": until.isoformat()})


def transfer_holds(*, source: Case, production: Case, actor: Any, now: datetime,
                   origin: Origin | None = None) -> int:
    """A preservation converted into a production request hands its live holds to that case
    (until the later of the preservation's end and 90 days past the production deadline)."""
    moved = PreservationHold.objects.filter(case=source, released_at__isnull=True).update(
        case=production,
        expires_at=max(source.deadline_at, production.deadline_at + timedelta(days=90)))
    record(Action.HOLD_TRANSFERRED, actor=actor, target=production, origin=origin, now=now,
           params={"from": source.number, "to": production.number, "holds": moved})
    return moved


def release_holds(*, case: Case, now: datetime, reason: str) -> int:
    """Lift the case's holds on the platform."""
    count = 0
    for hold in case.holds.filter(released_at__isnull=True):
        actions().release_hold(case.number or str(case.pk))
        hold.released_at, hold.release_reason = now, reason[:200]
        hold.save(update_fields=["released_at", "release_reason"])
        record(Action.HOLD_RELEASED, actor=None, target=case, now=now,
               params={"number": case.number, "reason": reason})
        count += 1
    return count


def expire_holds(*, now: datetime) -> int:
    """Release holds whose time is up; a preservation case then ends as expired."""
    expired = 0
    for hold in PreservationHold.objects.filter(released_at__isnull=True, expires_at__lte=now) \
            .select_related("case"):
        case = hold.case
        if case.kind == RequestKind.PRESERVATION and Status.EXPIRED in flows.allowed(case.kind,
                                                                                      case.status):
            preservation.expire_preservation(case=case, now=now)  # its receiver releases the hold
        else:
            release_holds(case=case, now=now, reason="hold period ended")
        expired += 1
    return expired
