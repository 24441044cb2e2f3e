"""Publishers running at the same moment (the worker's clock, a command signing a checkpoint)
publish each period once: real transactions and threads, so this module stands alone."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import override_settings

from lawdesk.audit.actions import Action
from lawdesk.audit.models import Event
from lawdesk.transparency import publication, services
from lawdesk.transparency.models import PublishedFigures
from tests.transparency.test_publication import closed


@pytest.mark.django_db(transaction=True)
@override_settings(LAWDESK_TRANSPARENCY_DELAY_DAYS=45)
def test_two_publishers_at_once_publish_each_period_once(now, flushable) -> None:
    """The worker's clock and a checkpoint signed by a command both refresh the publication; run
    at the same moment, each used to insert the same period and one failed on its unique key."""
    if connection.vendor == "sqlite":
        pytest.skip("the SQLite test database is shared-cache memory, where threads meet table locks; "
                    "a real SQLite file serialises writers with IMMEDIATE transactions")
    closed(12, quarter="2026-Q2")
    closed(12, quarter="2026-Q3", country="DE")
    services.publish_checkpoint(now=now)  # 2 November: Q3 is not due yet, Q2 and H1 are
    later = datetime(2026, 11, 15, 0, 1, tzinfo=UTC)  # now Q3 is due too (45 days)
    for _round in range(3):
        PublishedFigures.objects.all().delete()
        before = Event.objects.filter(action=Action.PERIOD_PUBLISHED).count()
        start, errors = threading.Barrier(3), []

        def publish() -> None:
            try:
                start.wait()
                publication.refresh(now=later)
            except Exception as exc:
                errors.append(repr(exc))
            finally:
                connection.close()

        threads = [threading.Thread(target=publish) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert errors == []
        periods = sorted(PublishedFigures.objects.filter(country="").values_list("period", flat=True))
        assert periods == ["2026-H1", "2026-Q2", "2026-Q3"]
        published = Event.objects.filter(action=Action.PERIOD_PUBLISHED).count() - before
        assert published == len(periods)  # each once, not once per publisher
