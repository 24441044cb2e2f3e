"""Walking the audit chain and naming the first place it breaks."""

from __future__ import annotations

import hashlib
import itertools
import json
import multiprocessing as mp
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db import connection, connections
from django.db.models import Max
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from lawdesk.audit import triggers
from lawdesk.audit.hashing import (
    GENESIS_HASH,
    canonical_bytes,
    canonical_json,
    canonical_json_of_decoded,
    canonical_time,
)
from lawdesk.audit.models import ChainHead, Event
from lawdesk.core.said import Message, gettext_noop


@dataclass
class ChainReport:
    """The outcome of one verification run."""

    length: int = 0
    head_hash: str = GENESIS_HASH
    broken_seq: int | None = None
    problem: str = ""
    missing_triggers: set[str] = field(default_factory=set)

    @property
    def intact(self) -> bool:
        return self.broken_seq is None and not self.problem and not self.missing_triggers


_COLUMNS = ("seq, {at}, actor_id, actor, action, target_type, target_id, params, ip, user_agent, "
            "prev_hash, hash")
# What Django writes for an aware datetime on SQLite: naive UTC, microseconds only when not zero.
_SQLITE_TIME = re.compile(r"[1-9]\d{3}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?")


# PostgreSQL renders the canonical time itself (``canonical_time``: UTC, microseconds, "Z"), so
# no datetime is built per row; FM drops the zero padding of years before 1000, as strftime does.
_PG_TIME = "to_char(at AT TIME ZONE 'UTC', 'FMYYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"


def _sqlite_time(text: str) -> str:
    """The canonical time of a stored SQLite timestamp, as the ORM would have read it."""
    if _SQLITE_TIME.fullmatch(text):
        datetime.fromisoformat(text)  # a date that does not exist fails here as it did in the ORM
        fraction = text[20:26] if len(text) == 26 else "000000"
        return f"{text[:10]}T{text[11:19]}.{fraction}Z"
    value = parse_datetime(text)  # any other spelling: exactly the ORM's conversion
    if value is not None and not timezone.is_aware(value):
        value = timezone.make_aware(value, UTC)
    return canonical_time(value)  # type: ignore[arg-type]


def _json_text(value: str | None, cache: dict[str, str]) -> str:
    """Canonical JSON of a stored JSON column, read as ``JSONField`` reads it.

    Actors and parameters repeat (the same officer, the same page view), so the canonical form
    of each stored text is remembered; the cache is emptied when it grows, to keep memory flat.
    """
    if value is None:
        return "null"
    found = cache.get(value)
    if found is None:
        try:
            found = canonical_json_of_decoded(json.loads(value))
        except json.JSONDecodeError:
            found = canonical_json(value)  # JSONField hands back the text it could not decode
        if len(cache) >= 4096:
            cache.clear()
        cache[value] = found
    return found


@dataclass
class RangeResult:
    """What one range of sequence numbers held, checked on its own.

    The first row's content is checked, but not whether it follows the range before (its
    sequence number and previous-hash): that join is checked when the ranges are put together.
    """

    first_seq: int | None = None
    first_prev: str = ""
    last_seq: int = 0  # the last row verified (before ``problem``, if any)
    last_hash: str = ""
    problem: tuple[int, str] | None = None  # (broken sequence number, what is wrong)
    pid: int = field(default_factory=os.getpid)  # the process that checked it


_CONTENT = Message(gettext_noop("its content does not match its hash (the row was modified)"))
_PREVIOUS = Message(gettext_noop("its previous-hash does not match the event before it"))


def _gap(expected: int, seq: int) -> tuple[int, str]:
    return expected, (Message(gettext_noop("sequence %(seq)s is missing (next row found is %(next)s)"),
                              seq=expected, next=seq) if seq > expected
                      else Message(gettext_noop("sequence %(seq)s appears out of order"), seq=seq))


def check_range(lo: int | None, hi: int | None, *, batch_size: int = 5000) -> RangeResult:
    """Check the rows with ``lo <= seq < hi`` (None: unbounded) in sequence order."""
    out = RangeResult()
    sqlite = connection.vendor == "sqlite"
    bounds, args = [], []
    if lo is not None:
        bounds.append("seq >= %s")
        args.append(lo)
    if hi is not None:
        bounds.append("seq < %s")
        args.append(hi)
    where = f" WHERE {' AND '.join(bounds)}" if bounds else ""
    sql = (f"SELECT {_COLUMNS.format(at='CAST(at AS TEXT)' if sqlite else _PG_TIME)} FROM audit_event"  # noqa: S608
           f"{where} ORDER BY seq")
    actors: dict[str, str] = {}
    params_cache: dict[str, str] = {}
    sha256, json_text, sqlite_time = hashlib.sha256, _json_text, _sqlite_time
    expected_seq: int | None = None
    prev_hash = ""
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, args)
        while rows := cursor.fetchmany(batch_size):
            for (seq, at, actor_id, actor, action, target_type, target_id, params, ip, user_agent,
                 stored_prev, stored_hash) in rows:
                if expected_seq is None:  # the first row: its join is checked by the caller
                    out.first_seq, out.first_prev = seq, stored_prev
                else:
                    if seq != expected_seq:
                        out.problem = _gap(expected_seq, seq)
                        return out
                    if stored_prev != prev_hash:
                        out.problem = (seq, _PREVIOUS)
                        return out
                encoded = canonical_bytes(
                    action, json_text(actor, actors), actor_id, sqlite_time(at) if sqlite else at,
                    ip, json_text(params, params_cache), stored_prev, seq, target_id, target_type,
                    user_agent,
                )
                if sha256(encoded).hexdigest() != stored_hash:
                    out.problem = (seq, _CONTENT)
                    return out
                out.last_seq, out.last_hash = seq, stored_hash
                prev_hash = stored_hash
                expected_seq = seq + 1
    return out


def _check_range_in_worker(bounds: tuple[int | None, int | None]) -> RangeResult:
    try:
        return check_range(*bounds)
    finally:
        connection.close()


def _ranges(workers: int, upto: int) -> list[tuple[int | None, int | None]]:
    """Sequence ranges covering every row up to ``upto`` (the head): a few per worker, so an
    early problem stops the work soon."""
    end = upto + 1
    if workers <= 1:
        return [(None, end)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT MIN(seq) FROM audit_event")
        (low,) = cursor.fetchone()
    if low is None or low >= end:
        return [(None, end)]
    width = max(1, -(-(end - low) // (workers * 4)))
    cuts = list(range(low + width, end, width))
    bounds: list[int | None] = [None, *cuts, end]
    return list(itertools.pairwise(bounds))


def _results(ranges: list[tuple[int | None, int | None]], workers: int,
             batch_size: int) -> Iterator[RangeResult]:
    """Each range's result, in order: from worker processes when the database allows it."""
    in_memory = connection.vendor == "sqlite" and connection.is_in_memory_db()  # type: ignore[attr-defined]
    forkable = "fork" in mp.get_all_start_methods()
    if len(ranges) == 1 or in_memory or connection.in_atomic_block or not forkable:
        # Other processes cannot see this database (in memory, or uncommitted rows): the same
        # ranges, checked here one after the other.
        for lo, hi in ranges:
            yield check_range(lo, hi, batch_size=batch_size)
        return
    connections.close_all()  # a forked worker must not share this process's connection
    with mp.get_context("fork").Pool(workers) as pool:
        yield from pool.imap(_check_range_in_worker, ranges)


PARALLEL_FROM = 200_000  # events: below this, starting worker processes costs more than it saves


def auto_workers() -> int:
    """Worker processes for the chain as it is: one per core (at most 8) for long chains."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT MAX(seq) FROM audit_event")
        (high,) = cursor.fetchone()
    return min(8, os.cpu_count() or 1) if (high or 0) >= PARALLEL_FROM else 1


def verify_chain(*, batch_size: int = 5000, workers: int = 1) -> ChainReport:
    """Recompute every hash in sequence order; stop at the first inconsistency.

    Reads raw rows through a server-side cursor (PostgreSQL) or a lazily stepped one (SQLite),
    ``batch_size`` rows at a time, and rebuilds each event's canonical bytes without the ORM:
    the same bytes, hence the same hashes, as ``hashing.event_hash`` (``tests/audit``).

    With ``workers`` > 1 the chain is cut into ranges of sequence numbers checked in that many
    processes; each range checks its own links, and here the ranges are joined in order (each
    first row must carry the next sequence number and the hash the range before ended on). The
    first problem in sequence order is reported, as the one-process walk reports it.
    """
    report = ChainReport(missing_triggers=triggers.missing(connection))
    expected_seq, prev_hash = 1, GENESIS_HASH
    # The head is read first and the walk stops at it: events appended while a long verification
    # runs (a live system) are not mistaken for tampering; they are checked against the head
    # again at the end.
    head = ChainHead.objects.filter(id=1).first()
    if head is None:
        report.problem = Message(gettext_noop("the chain head record is missing"))
        return report
    for result in _results(_ranges(workers, head.seq), workers, batch_size):
        if result.first_seq is None:
            continue  # an empty range (events deleted): the next row must still follow
        if result.first_seq != expected_seq:
            report.broken_seq, report.problem = _gap(expected_seq, result.first_seq)
            return report
        if result.first_prev != prev_hash:
            report.broken_seq, report.problem = result.first_seq, _PREVIOUS
            return report
        if result.last_hash:  # at least one row of the range verified
            report.length, prev_hash = result.last_seq, result.last_hash
            expected_seq = result.last_seq + 1
        if result.problem is not None:
            report.broken_seq, report.problem = result.problem
            return report
    report.head_hash = prev_hash
    if (head.seq, head.hash) != (report.length, report.head_hash):
        report.broken_seq = report.length + 1 if head.seq > report.length else head.seq
        report.problem = (
            Message(gettext_noop("the chain ends at sequence %(length)s but the head records sequence "
                                 "%(seq)s (%(hash)s…): events were removed from the end"),
                    length=report.length, seq=head.seq, hash=head.hash[:12])
            if head.seq > report.length
            else Message(gettext_noop("the head records sequence %(seq)s but its hash %(hash)s… is not the "
                                      "hash of event %(seq)s"), seq=head.seq, hash=head.hash[:12])
        )
        return report
    # Rows beyond the head read at the start: appended since (the head has moved on to cover
    # them), or written outside lawdesk (the head does not cover them).
    last = Event.objects.aggregate(last=Max("seq"))["last"] or 0
    if last > head.seq:
        now_head = ChainHead.objects.filter(id=1).first()
        if now_head is None or now_head.seq < last:
            report.broken_seq = head.seq + 1
            report.problem = Message(gettext_noop("the head records sequence %(seq)s but the chain continues "
                                                  "to %(last)s: events were appended outside lawdesk"),
                                     seq=now_head.seq if now_head else head.seq, last=last)
    return report
