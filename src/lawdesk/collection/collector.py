"""Turn an approved scope into record sets: exactly the approved targets, categories, window.

Everything goes through the platform connector; what the platform cannot give is stated per
target and category, never silently left out, and with the reason that applies — these are
different statements on a certificate:

- not held (no such account, account deleted, end-to-end encrypted);
- held, but no records in the period asked for (the search ran over data the platform keeps);
- deleted under retention before the order was received (or after: no hold protected it),
  read from the retention job's log of runs.

The scope also records which systems it queried, so the certificate names only those.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_noop

from lawdesk.cases.models import Case, Proposal, Target
from lawdesk.evidence.package import NotHeld, NotHeldReason, RecordSet
from lawdesk.law.decision import CategoryResult
from lawdesk.law.vocabulary import DataCategory
from lawdesk.platform.connector import Account, PlatformConnector
from lawdesk.platform.ibis_connector import open_connector
from lawdesk.platform.identifiers import Window
from lawdesk.platform.retention import RetentionRun, retention_runs

# Systems of the platform, as the certificate names them (in English; it translates them).
ACCOUNTS = gettext_noop("accounts")
CONNECTION_LOG = gettext_noop("connection log")
MESSAGE_METADATA = gettext_noop("message metadata")
CLOUD_MESSAGES = gettext_noop("cloud messages")
IP_TOLERANCE = timedelta(minutes=5)

# What the platform policy's field names mean in the subscriber record.
SUBSCRIBER_FIELDS: dict[str, Callable[[Any], Any]] = {
    "phone_number": lambda r: r.account.phone,
    "username": lambda r: r.account.username,
    "display_name": lambda r: r.account.display_name,
    "created_at": lambda r: r.account.created_at,
    "last_seen": lambda r: r.account.last_seen,
    "deleted": lambda r: r.account.deleted,
    "registration_ip": lambda r: r.registration_ip,
    "service": lambda r: r.service,
    "app": lambda r: r.app,
    "usernames_held": lambda r: [
        {"username": u.username, "from": u.held_from, "until": u.held_until} for u in r.usernames],
}
IDENTIFICATION_FIELDS = {"ip_address": "ip", "source_port": "port", "timestamp": "ts"}


@lru_cache(maxsize=1)
def connector() -> PlatformConnector:
    """The platform connector configured for this deployment (one per process)."""
    return open_connector(settings.LAWDESK_PLATFORM_DIR)


@dataclass
class Scope:
    """What was approved: targets, categories (with field limits) and time window."""

    case: Case
    proposal: Proposal
    targets: list[Target]
    categories: list[str]
    fields: dict[str, list[str] | None]
    not_held: list[NotHeld] = field(default_factory=list)
    accounts: set[int] = field(default_factory=set)  # every account whose data went in
    systems: list[str] = field(default_factory=list)  # queried for this order, in order
    retention: list[RetentionRun] = field(default_factory=list)

    @classmethod
    def of(cls, case: Case) -> Scope:
        proposal = case.proposals.filter(outcome="approved").order_by("-decided_at").first()
        if proposal is None:
            raise ValueError(f"case {case.number} has no approved disclosure")
        targets = [t for t in case.targets.order_by("position") if t.pk in proposal.target_ids]
        decided = case.legal.categories if case.legal is not None else {}
        fields = {c: _fields(decided.get(DataCategory(c))) for c in proposal.categories}
        data_dir = Path(settings.LAWDESK_PLATFORM_DIR)
        runs = retention_runs(data_dir) if data_dir.is_dir() else []
        return cls(case, proposal, targets, list(proposal.categories), fields, retention=runs)

    def queried(self, system: str) -> None:
        """Note that ``system`` was searched for this order."""
        if system not in self.systems:
            self.systems.append(system)

    def window(self, target: Target) -> Window:
        start = max(target.window_start, self.proposal.window_start or target.window_start)
        end = min(target.window_end, self.proposal.window_end or target.window_end)
        return Window(start, end)

    def units(self) -> int:
        return len(self.targets) * len(self.categories)


def _fields(result: CategoryResult | None) -> list[str] | None:
    """The fields the analysis limits a category to (None: the whole category)."""
    return list(result.fields) if result is not None and result.fields is not None else None


def label(target: Target) -> str:
    """How a target is named in the package (its normalised identifier)."""
    if target.kind == Target.Kind.IP:
        port = f":{target.port}" if target.port else ""
        return f"ip-{target.value}{port}@{target.at:%Y%m%dT%H%M%SZ}" if target.at else target.value
    return f"{target.kind}-{target.value}"


def resolve_accounts(conn: PlatformConnector, target: Target) -> list[Account]:
    """The accounts a target designates (an IP target: the accounts using it at that moment)."""
    if target.kind == Target.Kind.IP:
        assert target.at is not None
        events = conn.who_used_ip(target.value, target.port, target.at, IP_TOLERANCE)
        ids = sorted({e.account_id for e in events})
        return [conn.subscriber(i).account for i in ids]
    prefix = {"phone": "", "username": "@", "account_id": "", "public_link": "https://msgr.example/"}
    accounts: dict[int, Account] = {}
    for hit in conn.resolve(prefix.get(target.kind, "") + target.value):
        if hit.account is not None:
            accounts[hit.account.account_id] = hit.account
        elif hit.chat is not None:  # a group or channel: its owner is the account concerned
            accounts.setdefault(hit.chat.owner_id, conn.subscriber(hit.chat.owner_id).account)
    return [accounts[k] for k in sorted(accounts)]


def record_sets(scope: Scope, conn: PlatformConnector,
                on_unit: Callable[[str, str], None]) -> Iterator[RecordSet]:
    """Yield one record set per (approved target, approved category), lazily.

    ``on_unit`` is called before each unit (progress and lease renewal).
    """
    for target in scope.targets:
        name = label(target)
        accounts = resolve_accounts(conn, target)
        scope.queried(CONNECTION_LOG if target.kind == Target.Kind.IP else ACCOUNTS)
        for category in scope.categories:
            on_unit(name, category)
            if not accounts:
                scope.not_held.extend(_nobody(scope, target, name, category))
                continue
            live = [a for a in accounts if not a.deleted]
            for gone in (a for a in accounts if a.deleted and category != "subscriber"):
                scope.not_held.append(NotHeld(f"{name} (account {gone.account_id})", category,
                                              NotHeldReason.ACCOUNT_DELETED))
            chosen = accounts if category == "subscriber" else live
            if not chosen:
                continue
            scope.accounts.update(a.account_id for a in chosen)
            yield from _category(scope, conn, target, name, category, chosen)


def _category(scope: Scope, conn: PlatformConnector, target: Target, name: str, category: str,
              accounts: list[Account]) -> Iterator[RecordSet]:
    window = scope.window(target)
    ids = [a.account_id for a in accounts]
    limit = scope.fields.get(category)
    if category == "subscriber":
        keys = ["account_id", *(limit or list(SUBSCRIBER_FIELDS))]
        scope.queried(ACCOUNTS)
        yield RecordSet("subscriber", name, _subscriber_rows(conn, ids, keys), fields=keys,
                        system=ACCOUNTS)
    elif category == "identification":
        keys = ["account_id", *(limit or list(IDENTIFICATION_FIELDS))]
        scope.queried(CONNECTION_LOG)
        searched = _ip_window(target) or window
        held = _retention_statements(scope, name, category, searched, ids)
        yield RecordSet("identification", name, _counted(
            _ip_rows(conn, target, ids, window, keys), scope, name, category, held, CONNECTION_LOG),
            fields=keys, system=CONNECTION_LOG)
    elif category == "traffic":
        scope.queried(CONNECTION_LOG)
        scope.queried(MESSAGE_METADATA)
        sessions = f"{name}-sessions"
        held = _retention_statements(scope, sessions, category, window, ids)
        yield RecordSet("traffic", sessions, _counted(
            _session_rows(conn, ids, window), scope, sessions, category, held, CONNECTION_LOG),
            system=CONNECTION_LOG)
        meta = f"{name}-messages"
        yield RecordSet("traffic", meta, _counted(
            _meta_rows(conn, ids, window), scope, meta, category, window, MESSAGE_METADATA),
            system=MESSAGE_METADATA)
    elif category == "content":
        scope.queried(CLOUD_MESSAGES)
        stream = conn.content(window, account_ids=ids)
        if stream.batches is not None:
            # Arrow batches straight from the engine: encoded without a Python object per message
            # (the same bytes as the rows below would give; tests/evidence/test_arrow_records.py).
            yield RecordSet.from_batches("content", name, _counted_batches(
                stream.batches, scope, name, category, window, CLOUD_MESSAGES), system=CLOUD_MESSAGES)
        else:
            yield RecordSet("content", name, _counted(
                _message_rows(stream), scope, name, category, window, CLOUD_MESSAGES),
                system=CLOUD_MESSAGES)
        for statement in stream.not_held:
            scope.not_held.append(_encrypted(name, statement.what))


def _when(t: datetime) -> str:
    return f"{t:%Y-%m-%d %H:%M} UTC"


_SECRET_CHAT = re.compile(r"content of secret chat (\S+)")


def _encrypted(name: str, what: str) -> NotHeld:
    """The connector's statement that some content is end-to-end encrypted, as a message."""
    chat = _SECRET_CHAT.fullmatch(what)
    if chat:
        return NotHeld(name, "content", NotHeldReason.END_TO_END_ENCRYPTED, gettext_noop(
            "content of secret chat %(chat)s: end-to-end encrypted; the platform holds no key and "
            "cannot read it."), {"chat": chat.group(1)})
    return NotHeld(name, "content", NotHeldReason.END_TO_END_ENCRYPTED, gettext_noop(
        "%(what)s: end-to-end encrypted; the platform holds no key and cannot read it."),
        {"what": what})


def _ip_window(target: Target) -> Window | None:
    """What a lookup of an IP target searches: the connection log around its moment."""
    if target.kind == Target.Kind.IP and target.at is not None:
        return Window(target.at - IP_TOLERANCE, target.at + IP_TOLERANCE)
    return None


def _retention_statements(scope: Scope, name: str, category: str, window: Window,
                          ids: list[int]) -> Window | None:
    """State what retention deleted from the connection log in ``window``; return what is left.

    A run deleted the rows older than its cutoff of every account no hold protected. Rows
    before the highest cutoff of the runs before the order arrived were gone when it arrived;
    rows before a later run's cutoff were deleted after it arrived. Returns the part of the
    window the log still covers (None when nothing is left).
    """
    received = scope.case.received_at
    # With no account known (an IP nobody used), any run may have deleted the rows.
    relevant = [r for r in scope.retention if not ids or not set(ids) <= r.kept_accounts]
    before = max((r.cutoff for r in relevant if r.run_at <= received), default=None)
    after = max((r.cutoff for r in relevant if r.run_at > received), default=None)
    start = window.start
    if before is not None and start < before:
        run = max((r for r in relevant if r.run_at <= received), key=lambda r: r.cutoff)
        end = min(before, window.end)
        scope.not_held.append(NotHeld(name, category, NotHeldReason.PAST_RETENTION, gettext_noop(
            "Connection records from %(start)s to %(end)s were deleted when their retention "
            "period (%(days)s days) ended, before the order was received on %(received)s."),
            {"start": _when(start), "end": _when(end), "days": str(run.keep_for.days),
             "received": _when(received)}))
        start = end
    if after is not None and start < after and start < window.end:
        end = min(after, window.end)
        scope.not_held.append(NotHeld(name, category, NotHeldReason.DELETED_AFTER_RECEIPT, gettext_noop(
            "Connection records from %(start)s to %(end)s were deleted when their retention "
            "period ended, after the order was received on %(received)s; no preservation hold "
            "covered them."), {"start": _when(start), "end": _when(end), "received": _when(received)}))
        start = end
    return Window(start, window.end) if start < window.end else None


# "Held, but none in the period", per system (one sentence each: a system's name is not
# spliced into a translated sentence).
_HOLDS = {
    CONNECTION_LOG: gettext_noop(
        "The connection log holds data for the period from %(start)s to %(end)s; the search "
        "found no records of this kind for this target in it."),
    MESSAGE_METADATA: gettext_noop(
        "The message metadata holds data for the period from %(start)s to %(end)s; the search "
        "found no records of this kind for this target in it."),
    CLOUD_MESSAGES: gettext_noop(
        "The cloud messages holds data for the period from %(start)s to %(end)s; the search "
        "found no records of this kind for this target in it."),
}


def _counted(rows: Iterator[dict[str, Any]], scope: Scope, name: str, category: str,
             held: Window | None, system: str) -> Iterator[dict[str, Any]]:
    """Pass rows through; when there were none, state that the data held had no match."""
    n = 0
    for row in rows:
        n += 1
        yield row
    if n == 0 and held is not None:
        scope.not_held.append(NotHeld(name, category, NotHeldReason.NONE_IN_WINDOW, _HOLDS[system],
                                      {"start": _when(held.start), "end": _when(held.end)}))


def _counted_batches(batches: Iterator[Any], scope: Scope, name: str, category: str,
                     held: Window | None, system: str) -> Iterator[Any]:
    """:func:`_counted` for record batches: pass them through, counting their rows."""
    n = 0
    for batch in batches:
        n += batch.num_rows
        yield batch
    if n == 0:
        yield from _counted(iter(()), scope, name, category, held, system)


def _nobody(scope: Scope, target: Target, name: str, category: str) -> list[NotHeld]:
    """Why a target designates no account: no such account, or no connection at that moment."""
    searched = _ip_window(target)
    if searched is None:
        return [NotHeld(name, category, NotHeldReason.NO_SUCH_ACCOUNT)]
    mark = len(scope.not_held)
    held = _retention_statements(scope, name, category, searched, [])
    said = scope.not_held[mark:]
    del scope.not_held[mark:]
    if held is not None:
        said.append(NotHeld(name, category, NotHeldReason.NONE_IN_WINDOW, gettext_noop(
            "The connection log holds data for %(start)s to %(end)s; no account connected from "
            "this address (and port) in that period."),
            {"start": _when(held.start), "end": _when(held.end)}))
    return said


def _subscriber_rows(conn: PlatformConnector, ids: list[int], keys: list[str]
                     ) -> Iterator[dict[str, Any]]:
    for account_id in ids:
        rec = conn.subscriber(account_id)
        yield {"account_id": account_id,
               **{k: SUBSCRIBER_FIELDS[k](rec) for k in keys[1:] if k in SUBSCRIBER_FIELDS}}


def _ip_rows(conn: PlatformConnector, target: Target, ids: list[int], window: Window,
             keys: list[str]) -> Iterator[dict[str, Any]]:
    if target.kind == Target.Kind.IP and target.at is not None:
        events = [e for e in conn.who_used_ip(target.value, target.port, target.at, IP_TOLERANCE)]
    else:
        events = [e for i in ids for e in conn.ip_history(i, window)]
    for event in events:
        yield {"account_id": event.account_id,
               **{k: getattr(event, IDENTIFICATION_FIELDS[k]) for k in keys[1:]
                  if k in IDENTIFICATION_FIELDS}}


def _session_rows(conn: PlatformConnector, ids: list[int], window: Window
                  ) -> Iterator[dict[str, Any]]:
    for account_id in ids:
        for event in conn.ip_history(account_id, window):
            yield {"account_id": account_id, "ip": event.ip, "port": event.port, "ts": event.ts,
                   "app": event.app}


def _meta_rows(conn: PlatformConnector, ids: list[int], window: Window
               ) -> Iterator[dict[str, Any]]:
    for account_id in ids:
        for meta in conn.traffic(account_id, window).messages:
            yield {"message_id": meta.message_id, "chat_id": meta.chat_id,
                   "sender_id": meta.sender_id, "recipient_id": meta.recipient_id,
                   "ts": meta.ts, "size": meta.size}


def _message_rows(stream: Any) -> Iterator[dict[str, Any]]:
    for message in stream:
        yield {"message_id": message.message_id, "chat_id": message.chat_id,
               "sender_id": message.sender_id, "recipient_id": message.recipient_id,
               "ts": message.ts, "text": message.text, "media_ref": message.media_ref,
               "media_size": message.media_size, "media_sha256": message.media_sha256}


def unit_count(case: Case) -> int:
    """How many (target, category) units the approved scope has (for the progress bar)."""
    return Scope.of(case).units()


