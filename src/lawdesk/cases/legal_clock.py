"""Legal clocks: deadlines from the rule engine, pauses, urgency levels, and the deadline's
legal basis in words. (``core/clock.py`` only reads the time.)"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils.translation import gettext as _

from lawdesk.cases import flows
from lawdesk.cases.models import Case, Status, Urgency
from lawdesk.core.citations import cite
from lawdesk.core.plain import regime_label
from lawdesk.law.deadlines import Duration

# A case is "due soon" in the last quarter of its period, and never later than this before
# its deadline (so a 10-day order warns 2.5 days ahead; a 1-hour TCO order 15 minutes ahead).
DUE_SOON_FRACTION = 0.25


def urgency(case: Case, now: datetime) -> str:
    """How urgent the case is right now."""
    if case.status in flows.TERMINAL:
        return Urgency.DONE
    if case.paused_at is not None:
        return Urgency.PAUSED
    if case.status in flows.ANSWERED and case.status not in flows.HOLD_STATES:
        return Urgency.DONE
    remaining = case.deadline_at - now
    if remaining <= timedelta(0):
        return Urgency.OVERDUE
    period = case.deadline_at - case.received_at
    if remaining <= period * DUE_SOON_FRACTION:
        return Urgency.DUE_SOON
    return Urgency.ON_TIME


def pause(case: Case, now: datetime) -> None:
    """Stop the clock (e-Evidence Art. 10(6): awaiting the authority's clarification)."""
    if case.paused_at is None:
        case.paused_remaining = max(case.deadline_at - now, timedelta(0))
        case.paused_at = now


def resume(case: Case, now: datetime) -> None:
    """Restart the clock with the time that was left when it stopped."""
    if case.paused_at is not None:
        case.deadline_at = now + (case.paused_remaining or timedelta(0))
        case.paused_at = None
        case.paused_remaining = None


def remaining(case: Case, now: datetime) -> timedelta:
    """Time left on the clock (frozen while paused)."""
    if case.paused_at is not None:
        return case.paused_remaining or timedelta(0)
    return case.deadline_at - now


OPEN_FOR_QUEUE = [s for s in Status.values if s not in flows.TERMINAL]


def _period(duration: Duration) -> str:
    n = duration.amount
    if duration.unit == "hours":
        return _("%(n)s hours") % {"n": n} if n != 1 else _("1 hour")
    return _("%(n)s days") % {"n": n} if n != 1 else _("1 day")


def deadline_basis(case: Case) -> str:
    """Why the case's deadline is what it is, in words: 'EU e-Evidence Regulation, Art. 10(2): …'
    (never ``eu_eevidence: …``) — on the pages, the acknowledgement, the mails and the API."""
    legal = case.legal
    deadline = legal.deadline if legal is not None else None
    if deadline is not None:
        regime, article = deadline.reason.regime, deadline.reason.article
    else:
        stored = str(case.deadline_article or "")
        regime, _sep, article = stored.partition(": ")
        if not article:
            return stored  # a free-text basis (imported history): already words
    text = _("%(law)s, %(article)s") % {"article": cite(article), "law": regime_label(regime)}
    if deadline is not None:
        text = _("%(basis)s: an answer is due within %(period)s of receipt") % {
            "basis": text, "period": _period(deadline.duration)}
    return text
