"""Closing a case by hand for the counting tests (the case fixtures are in tests/conftest.py)."""

from datetime import datetime, timedelta

from lawdesk.transparency import counts


def count_closed(*, country: str, kind: str, outcome: str, accounts: int, closed: datetime) -> None:
    """Count a closed case in the tables as the ``cases`` receivers do (received a day earlier);
    with ``services.append_leaf`` beside it, tables and log agree and the period can be published."""
    facts = counts.Facts(country=country, kind=kind, instrument="prosecutor_requisition",
                         categories=("subscriber",), received_at=closed - timedelta(days=1),
                         acknowledged_at=None, decided_at=closed, delivered_at=None, closed_at=closed,
                         emergency=False, nondisclosure=False, outcome=outcome, refusal_ground="",
                         accounts_affected=accounts)
    counts._apply(counts.received_deltas(facts) + counts.closed_deltas(facts))
