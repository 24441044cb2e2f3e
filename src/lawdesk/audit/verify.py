"""Walking the audit chain and naming the first place it breaks."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db import connection
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


def verify_chain(*, batch_size: int = 5000) -> ChainReport:
    """Recompute every hash in sequence order; stop at the first inconsistency.

    Reads raw rows through a server-side cursor (PostgreSQL) or a lazily stepped one (SQLite),
    ``batch_size`` rows at a time, and rebuilds each event's canonical bytes without the ORM:
    the same bytes, hence the same hashes, as ``hashing.event_hash`` (``tests/audit``).
    """
    report = ChainReport(missing_triggers=triggers.missing(connection))
    expected_seq, prev_hash = 1, GENESIS_HASH
    sqlite = connection.vendor == "sqlite"
    # The head is read first and the walk stops at it: events appended while a long verification
    # runs (a live system) are not mistaken for tampering; they are checked against the head
    # again at the end.
    head = ChainHead.objects.filter(id=1).first()
    if head is None:
        report.problem = "the chain head record is missing"
        return report
    sql = f"SELECT {_COLUMNS.format(at='CAST(at AS TEXT)' if sqlite else 'at')} FROM audit_event WHERE seq <= %s ORDER BY seq"  # noqa: S608, E501
    actors: dict[str, str] = {}
    params_cache: dict[str, str] = {}
    sha256, json_text, sqlite_time, time = hashlib.sha256, _json_text, _sqlite_time, canonical_time
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, [head.seq])
        while rows := cursor.fetchmany(batch_size):
            for (seq, at, actor_id, actor, action, target_type, target_id, params, ip, user_agent,
                 stored_prev, stored_hash) in rows:
                if seq != expected_seq:
                    report.broken_seq = expected_seq
                    report.problem = (
                        f"sequence {expected_seq} is missing (next row found is {seq})"
                        if seq > expected_seq
                        else f"sequence {seq} appears out of order"
                    )
                    return report
                if stored_prev != prev_hash:
                    report.broken_seq = seq
                    report.problem = "its previous-hash does not match the event before it"
                    return report
                encoded = canonical_bytes(
                    action, json_text(actor, actors), actor_id, sqlite_time(at) if sqlite else time(at),
                    ip, json_text(params, params_cache), stored_prev, seq, target_id, target_type,
                    user_agent,
                )
                if sha256(encoded).hexdigest() != stored_hash:
                    report.broken_seq = seq
                    report.problem = "its content does not match its hash (the row was modified)"
                    return report
                report.length, prev_hash = seq, stored_hash
                expected_seq += 1
    report.head_hash = prev_hash
    if (head.seq, head.hash) != (report.length, report.head_hash):
        report.broken_seq = report.length + 1 if head.seq > report.length else head.seq
        report.problem = (
            f"the chain ends at sequence {report.length} but the head records "
            f"sequence {head.seq} ({head.hash[:12]}…): events were removed from the end"
            if head.seq > report.length
            else f"the head records sequence {head.seq} but its hash {head.hash[:12]}… is not "
            f"the hash of event {head.seq}"
        )
        return report
    # Rows beyond the head read at the start: appended since (the head has moved on to cover
    # them), or written outside lawdesk (the head does not cover them).
    last = Event.objects.aggregate(last=Max("seq"))["last"] or 0
    if last > head.seq:
        now_head = ChainHead.objects.filter(id=1).first()
        if now_head is None or now_head.seq < last:
            report.broken_seq = head.seq + 1
            report.problem = (
                f"the head records sequence {now_head.seq if now_head else head.seq} but the "
                f"chain continues to {last}: events were appended outside lawdesk"
            )
    return report
