"""The worker's clock: one failing step never keeps the later ones from running."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lawdesk.cli import clock_tick
from lawdesk.collection.models import CollectionJob
from lawdesk.collection.services import recover

pytestmark = pytest.mark.django_db


def test_a_failing_step_is_logged_and_the_collections_are_still_recovered(caplog) -> None:
    ran: list[str] = []

    def send_statements(*, now: datetime) -> None:  # a remote service that is down
        raise ConnectionError("the DSA database does not answer")

    def counted_recover(*, now: datetime) -> int:
        ran.append("recover")
        return recover(now=now)

    failed = clock_tick((send_statements, counted_recover),
                        clock=lambda: datetime(2026, 12, 1, 12, tzinfo=UTC))
    assert failed == ["send_statements"] and ran == ["recover"]
    assert "clock step send_statements failed" in caplog.text
    assert not CollectionJob.objects.exists()
