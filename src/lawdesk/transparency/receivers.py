"""Follow cases through the ``cases`` signals: keep the counts and append closed cases to the log.

Both signals are sent inside the transaction of the change, so the counts, the leaf and the
case's new status commit together or not at all.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import connection, transaction

from lawdesk.cases import flows
from lawdesk.core.illegal_content import category_of
from lawdesk.law.vocabulary import EU_MEMBER_STATES, RequestKind
from lawdesk.transparency import counts, services
from lawdesk.transparency.leaves import OrderFacts, quarter_of
from lawdesk.transparency.tasks import publish_checkpoint_task


def on_case_received(sender: Any, *, case: Any, now: datetime, **kwargs: Any) -> None:
    counts.case_received(case)


def on_case_status_changed(sender: Any, *, case: Any, previous: str, now: datetime,
                           **kwargs: Any) -> None:
    counts.status_changed(case, previous)
    if case.status in flows.TERMINAL and previous not in flows.TERMINAL:
        log_closed_case(case, now=now)


def log_closed_case(case: Any, *, now: datetime) -> None:
    """Append the closed case's leaf (quarter of closing) and sign a checkpoint after commit."""
    closed = case.closed_at or now
    services.append_leaf(case_ref=case.number, period=quarter_of(closed.year, closed.month),
                         country=case.agency.country, kind=case.kind, outcome=case.outcome,
                         accounts_affected=int(case.accounts_affected or 0), now=now,
                         order=order_facts(case))
    # As ``lawdesk.core.tasks.enqueue_on_commit`` does, but one job per transaction however
    # many cases it closes (an import of history would otherwise queue one job per case).
    if not any(item[1] is _publish_soon for item in connection.run_on_commit):
        transaction.on_commit(_publish_soon)


def _publish_soon() -> None:
    publish_checkpoint_task.enqueue()


INFORMATION_KINDS = (RequestKind.PRODUCTION, RequestKind.EMERGENCY_DISCLOSURE)
EFFECT_OUTCOMES = ("fulfilled", "partly_fulfilled")


def _minutes(start: datetime, end: datetime | None) -> int | None:
    return None if end is None else max(0, int((end - start).total_seconds() // 60))


def order_facts(case: Any) -> OrderFacts:
    """What the EU reporting templates count of a closing case (leaf format v2).

    An order from an authority of a member state is an *order to act against illegal content*
    (DSA Art. 9, TCO and national removal orders: ``act``) or an *order to provide information*
    (production and emergency disclosure: ``info``, Art. 10); anything else is ``none``
    (preservation, or an authority outside the EU). Effect is given to an order to act when its
    last item is removed or disabled (the time the platform reported, ``RemovalItem.effect_at``),
    to an order to provide information when the data is delivered (or the answer given). The
    authority is informed of the receipt when the signed acknowledgement is issued to it
    (``Case.receipt_acknowledged_at``). Times are whole minutes from receipt; None when not
    recorded, or when no effect was given.
    """
    country = case.agency.country
    in_eu = country in EU_MEMBER_STATES
    order = ("act" if in_eu and case.kind == RequestKind.REMOVAL
             else "info" if in_eu and case.kind in INFORMATION_KINDS else "none")
    outcome = case.outcome
    effect: datetime | None = None
    not_removed = ""
    if case.kind == RequestKind.REMOVAL:
        items = list(case.removal_items.all())
        named = len(items)
        actioned = sum(1 for i in items if i.effect_at is not None)
        preserved = sum(1 for i in items if hasattr(i, "preserved"))
        if items and actioned == named:
            effect = max(i.effect_at for i in items)
        if not actioned:
            reasons = case.impossibilities.order_by("-declared_at", "-pk").values_list("reason", flat=True)
            reason = reasons.first()
            not_removed = reason or ""
    else:
        named = case.targets.count()
        actioned = named if outcome in EFFECT_OUTCOMES else 0
        preserved = 0
        if outcome in EFFECT_OUTCOMES:
            effect = case.delivered_at or case.decided_at or case.closed_at
    return OrderFacts(order=order, instrument=case.instrument_type,
                      category=category_of(case.offence_category), items=named, actioned=actioned,
                      preserved=preserved,
                      ack_min=_minutes(case.received_at, case.receipt_acknowledged_at),
                      effect_min=_minutes(case.received_at, effect), not_removed=not_removed)
