"""Removal orders given effect on the platform: locate, apply, preserve, report, restore.

A TCO removal order (Reg. (EU) 2021/784) must be given effect within one hour of receipt
(Art. 3(3)) in **all member states**: removing the content, or disabling access to it in the
whole EU. A geo-block of some member states does not satisfy it and is refused here. The
measure's exact time is the one the platform reports (``Measure.applied_at``), kept on each
item for the Annex II feedback. Removed content and its related data are preserved six months
(Art. 6): the message as held goes into :class:`PreservedContent` and the sender's account
data is held on the platform for as long.

Four eyes: a second person may review a measure already taken (:func:`second_review`); it is
recorded and never waited for, so the one-hour clock is not stopped by it.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from lawdesk.accounts.models import User
from lawdesk.audit.actions import Action
from lawdesk.audit.services import record
from lawdesk.cases import flows, legal_clock, lifecycle
from lawdesk.cases import services as case_services
from lawdesk.cases.models import Case, Status
from lawdesk.core.errors import DomainError
from lawdesk.core.origin import Origin
from lawdesk.law.deadlines import TCO_PRESERVATION, TCO_REMOVAL
from lawdesk.law.vocabulary import RequestKind
from lawdesk.platform.actions import PlatformActions
from lawdesk.platform.connector import PlatformConnector, to_json
from lawdesk.platform.content_actions import (
    EU_MEMBER_STATES,
    ContentActionError,
    PlatformView,
    SyntheticContentActions,
    message_target,
)
from lawdesk.platform.ibis_connector import open_connector
from lawdesk.platform.identifiers import IdentifierError
from lawdesk.removal import art9, uploaders
from lawdesk.removal.models import PreservedContent, RemovalItem, SecondReview
from lawdesk.removal.tdb import statements

TCO_INSTRUMENT = "tco_removal_order"
MEASURES = ("remove", "disable")


def is_tco(case: Case) -> bool:
    return case.kind == RequestKind.REMOVAL and case.instrument_type == TCO_INSTRUMENT


@lru_cache(maxsize=4)
def _connector(path: str) -> PlatformConnector:
    return open_connector(path)


def connector() -> PlatformConnector:
    """The platform connector of this deployment (one per process and dataset directory)."""
    return _connector(str(settings.LAWDESK_PLATFORM_DIR))


def content_actions() -> SyntheticContentActions:
    """The platform's content-action interface for this deployment."""
    return SyntheticContentActions(settings.LAWDESK_PLATFORM_DIR)


def platform_view() -> PlatformView:
    return PlatformView(connector(), content_actions())


def locations(case: Case) -> list[str]:
    """The order's content locations, one per line (or separated by spaces)."""
    seen: list[str] = []
    for part in re.split(r"\s+", case.content_locations.strip()):
        if part and part not in seen:
            seen.append(part)
    return seen


def register_items(case: Case) -> list[RemovalItem]:
    """One item per location, located on the platform (idempotent; run at receipt)."""
    existing = list(case.removal_items.all())
    if existing:
        return existing
    view = platform_view()
    items = []
    for position, location in enumerate(locations(case), start=1):
        item = RemovalItem(case=case, position=position, location=location[:500])
        try:
            message = view.locate(location)
        except IdentifierError as exc:
            item.locate_error = str(exc)[:300]
        else:
            item.target = message_target(message.chat_id, message.message_id)
            item.sender_id = message.sender_id
        items.append(item)
    return RemovalItem.objects.bulk_create(items)


def _countries(measure: str, countries: list[str] | None) -> list[str]:
    if measure == "remove":
        return []
    return sorted({c.strip().upper() for c in (countries or ["EU"]) if c.strip()})


def apply_measure(*, case: Case, actor: User, now: datetime, measure: str,
                  countries: list[str] | None = None, note: str = "",
                  origin: Origin | None = None) -> Case:
    """Give effect to the order on every located item: remove it, or disable access to it.

    For a TCO order the measure must cover every member state. The platform is acted on first
    (idempotently: a retry keeps the first time of the measure), then the case records it.
    """
    lifecycle.authorize("removal", actor=actor, now=now, case=case, origin=origin)
    if case.kind != RequestKind.REMOVAL:
        raise DomainError(_("Only a removal order is given effect here."), field="measure")
    if measure not in MEASURES:
        raise DomainError(_("Choose: remove the content, or disable access to it."),
                          field="measure")
    wanted = _countries(measure, countries)
    if is_tco(case) and measure == "disable" and not (
            "EU" in wanted or set(wanted) >= EU_MEMBER_STATES):
        raise DomainError(_("A TCO removal order must be given effect in all member states: "
                            "a geo-block of some of them does not satisfy it."),
                          field="countries", code="partial_geo_block")
    art9.check_measure(case, measure, wanted)
    if case.status not in (Status.RECEIVED, Status.IN_REVIEW, Status.ACTIONED):
        raise DomainError(_("This order cannot be given effect in its present status."),
                          field="measure")
    items = register_items(case)
    pending = [i for i in items if i.target and i.effect_at is None]
    if not pending and not any(i.effect_at for i in items):
        raise DomainError(_("No item of the order was found on the platform."), field="measure")
    actions = content_actions()
    reference = case.number or str(case.pk)
    applied = []
    try:
        for item in pending:
            applied.append((item, actions.apply(reference=reference, kind=measure,  # type: ignore[arg-type]
                                                target=item.target, now=now, countries=wanted)))
    except ContentActionError as exc:
        raise DomainError(str(exc), field=exc.field) from exc
    view = platform_view()
    with transaction.atomic(), lifecycle.composed():  # one change: the measure and the case's outcome
        # Lock the case (and its agency) before the first audit event takes the chain head, the
        # order the intake takes them in: the other way round, an order arriving for the same
        # agency while a measure is recorded deadlocked on PostgreSQL (bench/tco_batch.py).
        lifecycle.lock(case)
        for item, done in applied:
            everywhere = measure == "disable" and set(done.countries) >= EU_MEMBER_STATES
            item.measure = (RemovalItem.Measure.REMOVE if measure == "remove"
                            else RemovalItem.Measure.DISABLE_EU if everywhere
                            else RemovalItem.Measure.DISABLE_SOME)
            item.countries = [] if measure == "remove" else sorted(done.countries)
            item.effect_at = datetime.fromisoformat(done.applied_at)
            item.effect_by = actor
            item.uploader_notice_due = uploaders.notice_due(case, item.effect_at)
            item.save(update_fields=["measure", "countries", "effect_at", "effect_by",
                                     "uploader_notice_due"])
            _preserve(item, view, now)
            statements.record_for(item, countries=list(done.countries), now=now,
                                  message=view.connector.message(*_chat_message(item)))
            record(Action.REMOVAL_MEASURE_APPLIED, actor=actor, target=case, origin=origin, now=now,
                   params={"number": case.number, "location": item.location, "measure": measure,
                           "countries": list(done.countries), "effect_at": done.applied_at})
        _hold_related_data(case, [i for i, _m in applied], now)
        art9.queue_report(Case.objects.get(pk=case.pk), now)
        fresh = Case.objects.get(pk=case.pk)
        if all(i.effect_at for i in case.removal_items.all()):
            if fresh.status == Status.RECEIVED:
                fresh = case_services.start_review(case=fresh, actor=actor, now=now,
                                                   origin=origin)
            if fresh.status == Status.IN_REVIEW:
                fresh = case_services.action_removal(
                    case=fresh, actor=actor, now=now,
                    action="removed" if measure == "remove" else "restricted",
                    note=note.strip() or _("Effect given on the platform."), origin=origin)
    uploaders.inform(case, now)  # after the measure is recorded; deferred ones wait (Art. 11(3))
    return Case.objects.get(pk=case.pk)


def _chat_message(item: RemovalItem) -> tuple[int, int]:
    _kind, chat, message_id = item.target.split(":")
    return int(chat), int(message_id)


def _preserve(item: RemovalItem, view: PlatformView, now: datetime) -> None:
    """Keep the removed content and its related data six months (TCO Art. 6(2))."""
    if hasattr(item, "preserved") or not item.target:
        return
    _kind, chat, message_id = item.target.split(":")
    message = view.connector.message(int(chat), int(message_id))
    data: dict[str, Any] = {"location": item.location, "message": to_json(message)}
    blob = json.dumps(data, sort_keys=True, ensure_ascii=False).encode()
    PreservedContent.objects.create(item=item, record=data, sha256=hashlib.sha256(blob).hexdigest(),
                                    preserved_at=now,
                                    until=(item.effect_at or now) + TCO_PRESERVATION.as_timedelta())


def _hold_related_data(case: Case, items: list[RemovalItem], now: datetime) -> None:
    """The senders' account data is held on the platform as long as the content is kept."""
    accounts = sorted({i.sender_id for i in case.removal_items.all() if i.sender_id is not None})
    if not accounts or not items:
        return
    until = max(p.until for p in PreservedContent.objects.filter(item__case=case))
    PlatformActions(settings.LAWDESK_PLATFORM_DIR).place_hold(
        f"{case.number or case.pk}/removal", accounts, until, now)
    record(Action.REMOVAL_PRESERVATION_HELD, actor=None, target=case, now=now,
           params={"number": case.number, "accounts": accounts, "until": until.isoformat()})


def restore(*, case: Case, actor: User, now: datetime, reason: str,
            origin: Origin | None = None) -> int:
    """Reinstate the content (order quashed on scrutiny, Art. 4(2); complaint upheld, Art. 10)."""
    lifecycle.authorize("removal", actor=actor, now=now, case=case, origin=origin)
    if len(reason.strip()) < 3:
        raise DomainError(_("Say why the content is reinstated."), field="reason")
    actions = content_actions()
    reference = case.number or str(case.pk)
    items = [i for i in case.removal_items.all() if i.effect_at and i.restored_at is None]
    for item in items:
        actions.restore(reference=reference, target=item.target, now=now, reason=reason)
    with transaction.atomic():
        for item in items:
            item.restored_at, item.restore_reason = now, reason.strip()
            item.save(update_fields=["restored_at", "restore_reason"])
            record(Action.REMOVAL_MEASURE_RESTORED, actor=actor, target=case, origin=origin, now=now,
                   params={"number": case.number, "location": item.location,
                           "reason": reason.strip()})
    return len(items)


def second_review(*, case: Case, actor: User, now: datetime, agrees: bool, note: str = "",
                  origin: Origin | None = None) -> SecondReview:
    """Record the second pair of eyes on a measure taken. Never a condition of the measure."""
    lifecycle.authorize("removal", actor=actor, now=now, case=case, origin=origin)
    takers = {i.effect_by_id for i in case.removal_items.all() if i.effect_by_id}
    if not takers:
        raise DomainError(_("No measure has been taken on this order yet."), field="agrees")
    if takers == {actor.pk}:
        raise DomainError(_("The second review is by someone other than who took the measure."),
                          field="agrees", code="four_eyes")
    if not agrees and len(note.strip()) < 3:
        raise DomainError(_("Say what is wrong with the measure."), field="note")
    with transaction.atomic():
        review = SecondReview.objects.create(case=case, reviewer=actor, agrees=agrees,
                                             note=note.strip(), at=now)
        record(Action.REMOVAL_REVIEW_RECORDED, actor=actor, target=case, origin=origin, now=now,
               params={"number": case.number, "agrees": agrees, "note": note.strip()})
    return review


def restart_clock(case: Case, now: datetime) -> None:
    """TCO Art. 3(7) and (8): when the clarification arrives (or the impossibility ends) the
    provider has a full hour again from that moment — not what was left when it stopped."""
    case.deadline_at = now + TCO_REMOVAL.as_timedelta()
    case.urgency = legal_clock.urgency(case, now)
    case.save(update_fields=["deadline_at", "urgency"])
    record(Action.REMOVAL_CLOCK_RESTARTED, actor=None, target=case, now=now,
           params={"number": case.number, "deadline_at": case.deadline_at.isoformat()})


def minutes_left(case: Case, now: datetime) -> int:
    """Whole minutes left on the clock (negative once overdue)."""
    seconds = legal_clock.remaining(case, now).total_seconds()
    return int(seconds // 60)


def open_removals() -> Any:
    """Removal orders not yet given effect (or not yet reported), closest deadline first."""
    answered = [s for s in Status.values if s in flows.TERMINAL]
    return (Case.objects.filter(kind=RequestKind.REMOVAL).exclude(status__in=answered)
            .select_related("agency").order_by("deadline_at", "pk"))


def preservation_window(item: RemovalItem) -> timedelta | None:
    return None if not hasattr(item, "preserved") else item.preserved.until - item.preserved.preserved_at
