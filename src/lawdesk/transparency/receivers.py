"""Follow cases through the ``cases`` signals: keep the counts and append closed cases to the log.

Both signals are sent inside the transaction of the change, so the counts, the leaf and the
case's new status commit together or not at all.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import connection, transaction

from lawdesk.cases import flows
from lawdesk.transparency import counts, services
from lawdesk.transparency.leaves import quarter_of
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
                         accounts_affected=int(case.accounts_affected or 0), now=now)
    # As ``lawdesk.core.tasks.enqueue_on_commit`` does, but one job per transaction however
    # many cases it closes (an import of history would otherwise queue one job per case).
    if not any(item[1] is _publish_soon for item in connection.run_on_commit):
        transaction.on_commit(_publish_soon)


def _publish_soon() -> None:
    publish_checkpoint_task.enqueue()
