"""The EU reporting templates of a period, from the signed log: for the desk, and once the period
is published (decision 0018), for everyone — JSON, CSV and XLSX.

The figures come from the leaves under a signed checkpoint (``eu_templates`` computes them, the
same code the verifier runs), never from the case tables: what the desk downloads and files
with the Digital Services Coordinator is what anyone can recompute from the public log.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings

from lawdesk.transparency import eu_templates, publication, selectors, services
from lawdesk.transparency.leaves import OrderRow
from lawdesk.transparency.models import LogLeaf, PublishedFigures
from lawdesk.transparency.report import check_scope

FORMATS = ("json", "csv", "xlsx")
CONTENT_TYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class Template:
    """One of the two templates: how it is computed, tabulated and named."""

    def __init__(self, slug: str, compute: Callable[..., dict[str, Any]],
                 table: Callable[[dict[str, Any]], eu_templates.Table], sheet: str) -> None:
        self.slug, self.compute, self.table, self.sheet = slug, compute, table, sheet


TEMPLATES = {
    "orders": Template("member-states-orders", eu_templates.member_states_orders, eu_templates.sheet_table,
                       eu_templates.SHEET_NAME),
    "tco": Template("tco-art7", eu_templates.tco_report, eu_templates.tco_table, eu_templates.TCO_SHEET_NAME),
}


def document(which: str, period: str, *, size: int, root_hex: str,
             rows: list[OrderRow] | None = None) -> dict[str, Any]:
    """The template ``which`` of ``period`` from the first ``size`` leaves, naming that checkpoint."""
    check_scope(period, None)
    template = TEMPLATES[which]
    found = selectors.order_rows(period, size) if rows is None else rows
    doc = template.compute(found, period=period, service=settings.LAWDESK_PLATFORM_NAME)
    return {**doc, "checkpoint": {"origin": services.origin(), "size": size,
                                  "root_hash": services.b64(bytes.fromhex(root_hex))}}


def for_desk(which: str, period: str) -> dict[str, Any] | None:
    """The template under the latest checkpoint (staff file it, published or not); None before
    the first checkpoint."""
    latest = services.latest_checkpoint()
    if latest is None:
        return None
    return document(which, period, size=latest.size, root_hex=latest.root_hash)


def published(which: str, period: str) -> dict[str, Any] | None:
    """The template of a published period (under the checkpoint its figures were verified
    against); None while the period is not published."""
    check_scope(period, None)
    row = PublishedFigures.objects.filter(period=period, country="").first()
    if row is None:
        return None
    return document(which, period, size=row.checkpoint_size, root_hex=row.checkpoint_root)


def render(which: str, doc: dict[str, Any], fmt: str) -> bytes:
    """The document as JSON, CSV or XLSX (the CSV and XLSX carry the template's table only)."""
    template = TEMPLATES[which]
    if fmt == "csv":
        return eu_templates.csv_bytes(template.table(doc))
    if fmt == "xlsx":
        return eu_templates.xlsx_bytes(template.table(doc), template.sheet)
    # reason: start-up time: json is needed only for this format
    import json

    return json.dumps(doc, indent=1, ensure_ascii=False).encode("utf-8")


def filename(which: str, period: str, fmt: str) -> str:
    return f"{TEMPLATES[which].slug}-{period}.{fmt}"


def desk_periods() -> list[str]:
    """The years, half-years and quarters with leaves under the latest checkpoint, newest first."""
    latest = services.latest_checkpoint()
    if latest is None:
        return []
    quarters = set(LogLeaf.objects.filter(index__lt=latest.size).values_list("period", flat=True)
                   .order_by().distinct())
    return sorted(publication.periods_of(quarters), key=lambda p: (-int(p[:4]), len(p) > 4, p))
