"""Walking the audit chain and naming the first place it breaks."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection

from lawdesk.audit import triggers
from lawdesk.audit.hashing import GENESIS_HASH, event_hash
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


def verify_chain(*, batch_size: int = 5000) -> ChainReport:
    """Recompute every hash in sequence order; stop at the first inconsistency."""
    report = ChainReport(missing_triggers=triggers.missing(connection))
    expected_seq, prev_hash = 1, GENESIS_HASH
    rows = Event.objects.order_by("seq").iterator(chunk_size=batch_size)
    for event in rows:
        if event.seq != expected_seq:
            report.broken_seq = expected_seq
            report.problem = (
                f"sequence {expected_seq} is missing (next row found is {event.seq})"
                if event.seq > expected_seq
                else f"sequence {event.seq} appears out of order"
            )
            return report
        if event.prev_hash != prev_hash:
            report.broken_seq = event.seq
            report.problem = "its previous-hash does not match the event before it"
            return report
        digest = event_hash(
            seq=event.seq,
            at=event.at,
            actor_id=event.actor_id,
            actor=event.actor,
            action=event.action,
            target_type=event.target_type,
            target_id=event.target_id,
            params=event.params,
            ip=event.ip,
            user_agent=event.user_agent,
            prev_hash=event.prev_hash,
        )
        if digest != event.hash:
            report.broken_seq = event.seq
            report.problem = "its content does not match its hash (the row was modified)"
            return report
        report.length, prev_hash = event.seq, event.hash
        expected_seq += 1
    report.head_hash = prev_hash
    head = ChainHead.objects.filter(id=1).first()
    if head is None:
        report.problem = "the chain head record is missing"
    elif (head.seq, head.hash) != (report.length, report.head_hash):
        report.broken_seq = report.length + 1 if head.seq > report.length else head.seq
        report.problem = (
            f"the chain ends at sequence {report.length} but the head records "
            f"sequence {head.seq} ({head.hash[:12]}…): events were removed from the end"
            if head.seq > report.length
            else f"the head records sequence {head.seq} but the chain continues to "
            f"{report.length}: events were appended outside lawdesk"
        )
    return report
