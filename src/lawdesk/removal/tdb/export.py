"""What was sent to the DSA Transparency Database, as CSV or JSON (the statements as sent)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from typing import Any

from lawdesk.removal.models import StatementOfReasons

COLUMNS = (
    "sent_at",
    "case",
    "puid",
    "uuid",
    "permalink",
    "enum_version",
    "decision_visibility",
    "category",
    "territorial_scope",
    "content_date",
    "application_date",
)


def sent(start: date | None = None, end: date | None = None) -> list[StatementOfReasons]:
    rows = StatementOfReasons.objects.filter(state=StatementOfReasons.State.SENT).select_related("case")
    if start:
        rows = rows.filter(sent_at__date__gte=start)
    if end:
        rows = rows.filter(sent_at__date__lte=end)
    return list(rows.order_by("sent_at", "pk"))


def as_json(rows: list[StatementOfReasons]) -> str:
    out: list[dict[str, Any]] = [
        {
            "sent_at": r.sent_at.isoformat() if r.sent_at else None,
            "case": r.case.number,
            "uuid": r.db_uuid,
            "permalink": r.permalink,
            "enum_version": r.enum_version,
            "statement": r.body,
        }
        for r in rows
    ]
    return json.dumps({"schema": "lawdesk/dsa-tdb-export/1", "statements": out}, indent=1, ensure_ascii=False)


def as_csv(rows: list[StatementOfReasons]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for r in rows:
        b = r.body
        writer.writerow(
            [
                r.sent_at.isoformat() if r.sent_at else "",
                r.case.number,
                r.puid,
                r.db_uuid,
                r.permalink,
                r.enum_version,
                " ".join(b.get("decision_visibility") or []),
                b.get("category", ""),
                " ".join(b.get("territorial_scope") or []),
                b.get("content_date", ""),
                b.get("application_date", ""),
            ]
        )
    return buffer.getvalue()
