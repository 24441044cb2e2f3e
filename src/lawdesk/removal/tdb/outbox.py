"""The outbox of statements for the DSA Transparency Database, sent by the worker.

Each ``StatementOfReasons`` row is the outbox entry; nothing lives only in memory, so a restart
loses nothing. ``send_due`` claims up to 100 due rows with one conditional UPDATE (a lease, like
collection jobs), checks each again under the enumerations in force and for personal data, posts
them as one batch, and records the database's uuids. Anything short of an answer — timeout,
connection lost, 5xx, 429, a refused token — puts the rows back with a growing delay. A row that
was attempted before is first looked up with ``existing-puid``: if the database already has it
(the answer to an earlier POST was lost, or the worker died mid-batch) it is recorded as sent and
not posted again, so a retry never creates a duplicate.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q

from lawdesk.audit.actions import Action
from lawdesk.audit.services import record
from lawdesk.removal.models import StatementOfReasons
from lawdesk.removal.tdb import fields, personal_data
from lawdesk.removal.tdb.client import TdbClient, TdbError

LEASE = timedelta(minutes=5)
State = StatementOfReasons.State


@dataclass
class Report:
    sent: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)  # found by existing-puid, not posted again
    refused: list[str] = field(default_factory=list)
    retry: list[str] = field(default_factory=list)


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min … at most an hour."""
    return min(timedelta(seconds=30) * 2 ** max(attempts - 1, 0), timedelta(hours=1))


def configured_client() -> TdbClient | None:
    url = getattr(settings, "LAWDESK_TDB_URL", "")
    return TdbClient(url, settings.LAWDESK_TDB_TOKEN) if url else None


def claim(*, now: datetime, limit: int = fields.MAX_BATCH) -> list[StatementOfReasons]:
    """Take up to ``limit`` due rows for this worker (a lease others respect until it expires)."""
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    ids = list(
        StatementOfReasons.objects.filter(
            free, state__in=[State.PENDING, State.SENDING], due_at__lte=now, next_attempt_at__lte=now
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[: min(limit, fields.MAX_BATCH)]
    )
    if not ids:
        return []
    token = uuid.uuid4().hex
    with transaction.atomic():
        StatementOfReasons.objects.filter(free, pk__in=ids).update(
            claim=token, claimed_until=now + LEASE, state=State.SENDING, attempts=F("attempts") + 1
        )
    return list(StatementOfReasons.objects.filter(claim=token).select_related("case").order_by("pk"))


def send_due(*, now: datetime, client: TdbClient | None = None, limit: int = fields.MAX_BATCH) -> Report:
    """Send one batch of due statements (run by the worker's clock loop until none are due)."""
    client = client or configured_client()
    if client is None:
        return Report()
    rows = claim(now=now, limit=limit)
    return send_claimed(rows, client=client, now=now) if rows else Report()


def send_all_due(*, now: datetime, client: TdbClient | None = None) -> Report:
    """Batches until nothing is due now (what the clock loop calls)."""
    total = Report()
    while True:
        report = send_due(now=now, client=client)
        if not (report.sent or report.already or report.refused):
            total.retry += report.retry
            return total
        for name in ("sent", "already", "refused", "retry"):
            getattr(total, name).extend(getattr(report, name))


def send_claimed(rows: list[StatementOfReasons], *, client: TdbClient, now: datetime) -> Report:
    report = Report()
    enums = fields.in_force(now.date())
    ready: list[StatementOfReasons] = []
    try:
        for row in rows:
            if row.attempts > 1:
                found = client.existing(row.puid)
                if found:
                    _sent(row, {"uuid": found}, now)
                    report.already.append(row.puid)
                    continue
            errors = [e.as_dict() for e in fields.validate(row.body, enums)]
            for name in fields.FREE_TEXT:
                if isinstance(row.body.get(name), str):
                    errors += [
                        {
                            "field": name,
                            "code": "personal_data",
                            "message": f"personal data in {name} ({f.kind})",
                        }
                        for f in personal_data.find(row.body[name])
                    ]
            if errors:
                _refuse(row, errors, now)
                report.refused.append(row.puid)
            else:
                ready.append(row)
        if ready:
            _post(ready, client, now, report)
    except TdbError as exc:
        _retry([r for r in rows if r.state == State.SENDING], str(exc), now, report)
    _audit(rows, now)
    return report


def _post(ready: list[StatementOfReasons], client: TdbClient, now: datetime, report: Report) -> None:
    answer = client.submit([r.body for r in ready])
    if answer.status == 201:
        created = answer.body.get("statements") if isinstance(answer.body, dict) else answer.body
        by_puid = {c.get("puid"): c for c in created or [] if isinstance(c, dict)}
        for row in ready:
            _sent(row, by_puid.get(row.puid, {}), now, save=False)
            report.sent.append(row.puid)
        _save_sent(ready, now)
    elif answer.status == 422:
        _unprocessable(ready, answer.body, client, now, report)
    else:
        reason = (
            "the database refused the token"
            if answer.status in (401, 403)
            else f"the database answered {answer.status}"
        )
        _retry(ready, reason, now, report)


def _unprocessable(
    ready: list[StatementOfReasons], body: Any, client: TdbClient, now: datetime, report: Report
) -> None:
    """A 422 created nothing: the statements it names are refused (or, if their puid is taken,
    looked up); the others go in the next batch. If it names none, each is tried alone."""
    errors = body.get("errors") if isinstance(body, dict) else None
    named: dict[int, list[dict[str, str]]] = defaultdict(list)
    for key, messages in (errors or {}).items():
        parts = str(key).split(".", 2)
        if len(parts) == 3 and parts[0] == "statements" and parts[1].isdigit():
            for message in messages if isinstance(messages, list) else [messages]:
                named[int(parts[1])].append(
                    {"field": parts[2], "code": "database", "message": str(message)[:300]}
                )
    if not named:
        if len(ready) > 1:
            for row in ready:
                _post([row], client, now, report)
            return
        named[0] = [
            {"field": str(k), "code": "database", "message": str(v)[:300]}
            for k, v in (errors or {"statement": "refused"}).items()
        ]
    for i, row in enumerate(ready):
        if i not in named:
            _release(row, now)
            report.retry.append(row.puid)
            continue
        only_taken = all(e["field"] == "puid" and "taken" in e["message"] for e in named[i])
        found = client.existing(row.puid) if only_taken else None
        if found:
            _sent(row, {"uuid": found}, now)
            report.already.append(row.puid)
        else:
            _refuse(row, named[i], now)
            report.refused.append(row.puid)


_SENT_FIELDS = ["state", "sent_at", "claim", "claimed_until", "db_uuid", "permalink", "last_error"]


def _sent(row: StatementOfReasons, created: dict[str, Any], now: datetime, *, save: bool = True) -> None:
    row.state, row.sent_at, row.claim, row.claimed_until = State.SENT, now, "", None
    row.db_uuid = str(created.get("uuid") or "")[:64]
    row.permalink = str(created.get("permalink") or "")[:500]
    row.last_error = ""
    if save:
        row.save(update_fields=_SENT_FIELDS)


def _save_sent(rows: list[StatementOfReasons], now: datetime) -> None:
    """Record a whole batch as sent: one UPDATE for what they share, one statement for the uuids
    (Django's bulk_update builds a CASE per field and row, slower than the HTTP call here)."""
    table = StatementOfReasons._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        StatementOfReasons.objects.filter(pk__in=[r.pk for r in rows]).update(
            state=State.SENT, sent_at=now, claim="", claimed_until=None, last_error="")
        cursor.executemany(f"UPDATE {table} SET db_uuid = %s, permalink = %s WHERE id = %s",  # noqa: S608 - our table name
                           [(r.db_uuid, r.permalink, r.pk) for r in rows])


def _refuse(row: StatementOfReasons, errors: list[dict[str, str]], now: datetime) -> None:
    row.state, row.errors, row.claim, row.claimed_until = State.REFUSED, errors, "", None
    row.save(update_fields=["state", "errors", "claim", "claimed_until"])
    record(
        Action.REMOVAL_STATEMENT_REFUSED,
        actor=None,
        target=row.case,
        now=now,
        params={
            "number": row.case.number,
            "puid": row.puid,
            "errors": sorted({f"{e['field']}:{e['code']}" for e in errors}),
        },
    )


def _release(row: StatementOfReasons, now: datetime) -> None:
    row.state, row.claim, row.claimed_until, row.next_attempt_at = State.PENDING, "", None, now
    row.save(update_fields=["state", "claim", "claimed_until", "next_attempt_at"])


def _retry(rows: list[StatementOfReasons], reason: str, now: datetime, report: Report) -> None:
    for row in rows:
        row.state, row.claim, row.claimed_until = State.PENDING, "", None
        row.next_attempt_at, row.last_error = now + backoff(row.attempts), reason[:500]
        row.save(update_fields=["state", "claim", "claimed_until", "next_attempt_at", "last_error"])
        report.retry.append(row.puid)


def _audit(rows: list[StatementOfReasons], now: datetime) -> None:
    """One audit event per case for the statements this batch put in the database."""
    by_case: dict[int, list[StatementOfReasons]] = defaultdict(list)
    for row in rows:
        if row.state == State.SENT and row.sent_at == now:
            by_case[row.case_id].append(row)
    for sent in by_case.values():
        record(
            Action.REMOVAL_STATEMENT_SENT,
            actor=None,
            target=sent[0].case,
            now=now,
            params={
                "number": sent[0].case.number,
                "puids": [r.puid for r in sent],
                "uuids": [r.db_uuid for r in sent],
            },
        )
