"""Appending many events in one transaction: correct chain, and a cost per event that stays flat."""

from __future__ import annotations

import time

import pytest
from django.db import IntegrityError, transaction

from lawdesk.audit.models import ChainHead, Event
from lawdesk.audit.services import record
from lawdesk.audit.verify import verify_chain

# Each test runs inside the test's own transaction, so these blocks are savepoints of it: the
# same code paths as a request's transaction with nested atomic blocks.
pytestmark = pytest.mark.django_db


def test_many_events_in_one_transaction_leave_a_valid_chain_and_head(now):
    with transaction.atomic():
        events = [record("test:thing:done", params={"i": i}, now=now) for i in range(50)]
    head = ChainHead.objects.get(id=1)
    assert (head.seq, head.hash) == (50, events[-1].hash)
    assert verify_chain().intact


def test_a_rolled_back_savepoint_takes_its_events_and_the_head_with_it(now):
    with transaction.atomic():
        record("test:thing:done", params={"i": 1}, now=now)
        with pytest.raises(IntegrityError), transaction.atomic():
            record("test:thing:done", params={"i": 2}, now=now)
            record("test:thing:done", params={"i": 3}, now=now)
            raise IntegrityError("the caller's change failed")
        last = record("test:thing:done", params={"i": 4}, now=now)
    assert list(Event.objects.order_by("seq").values_list("seq", flat=True)) == [1, 2]
    assert Event.objects.get(seq=2).params == {"i": 4}
    head = ChainHead.objects.get(id=1)
    assert (head.seq, head.hash) == (2, last.hash)
    assert verify_chain().intact


def test_a_rolled_back_transaction_leaves_the_head_where_it_was(now):
    first = record("test:thing:done", now=now)
    with pytest.raises(RuntimeError), transaction.atomic():
        record("test:thing:done", now=now)
        raise RuntimeError("boom")
    second = record("test:thing:done", now=now)
    assert second.seq == 2 and second.prev_hash == first.hash
    assert verify_chain().intact


def _min_ms_per_event(now, chunks: int = 5, size: int = 100) -> float:
    best = float("inf")
    for _ in range(chunks):
        t0 = time.perf_counter()
        for i in range(size):
            record("test:thing:done", params={"i": i}, now=now)
        best = min(best, (time.perf_counter() - t0) * 1000 / size)
    return best


@pytest.mark.slow
def test_cost_per_event_does_not_grow_with_the_transaction(now):
    """Before issue 18, on PostgreSQL, the 5,000th event of a transaction cost 3-4x the first."""
    with transaction.atomic():
        start = _min_ms_per_event(now)
        for i in range(4000):
            record("test:thing:done", params={"i": i}, now=now)
        end = _min_ms_per_event(now)
        transaction.set_rollback(True)
    assert end < 1.6 * start, f"{start:.2f} ms per event at the start, {end:.2f} ms after 4,500 events"
