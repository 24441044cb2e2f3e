"""Public reads of the log: only what a checkpoint has signed, never case references or salts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet

from lawdesk.transparency import services
from lawdesk.transparency.leaves import OrderRow, leaf_fields, order_row
from lawdesk.transparency.models import Checkpoint, LogLeaf
from lawdesk.transparency.report import Tally, build_report, check_scope, quarters_in

MAX_PAGE = 1000
MAX_BUNDLE = 100_000


def published_size() -> int:
    """The size of the latest signed checkpoint: the part of the log that is public."""
    latest = services.latest_checkpoint()
    return latest.size if latest else 0


def leaf_data(start: int, end: int) -> list[str]:
    """The published data of leaves ``start`` to ``end`` (exclusive), in order."""
    return list(LogLeaf.objects.filter(index__gte=start, index__lt=end).order_by("index")
                .values_list("data", flat=True))


def leaf_lines(start: int, end: int) -> Iterator[bytes]:
    """The published data of leaves ``start`` to ``end``, one line each, read in chunks."""
    rows = (LogLeaf.objects.filter(index__gte=start, index__lt=end).order_by("index")
            .values_list("data", flat=True))
    chunk: list[str] = []
    for data in rows.iterator(chunk_size=10_000):
        chunk.append(data)
        if len(chunk) == 10_000:
            yield ("\n".join(chunk) + "\n").encode("ascii", "backslashreplace")
            chunk = []
    if chunk:
        yield ("\n".join(chunk) + "\n").encode("ascii", "backslashreplace")


def report_for(period: str, country: str | None, checkpoint: Checkpoint) -> dict[str, Any]:
    """The report for a year or quarter and a country (or all), from the leaves under ``checkpoint``."""
    check_scope(period, country)
    rows = LogLeaf.objects.filter(index__lt=checkpoint.size, period__startswith=period)
    if country is not None:
        rows = rows.filter(country=country)
    return build_report(tally_of(rows), period=period, country=country, origin=services.origin(),
                        size=checkpoint.size, root_hash=services.b64(bytes.fromhex(checkpoint.root_hash)))


def tally_of(rows: QuerySet[LogLeaf]) -> Tally:
    """The counts of the given leaves (read with the verifier's fast reader)."""
    tally = Tally()
    for data in rows.order_by().values_list("data", flat=True).iterator(chunk_size=10_000):
        tally.add(leaf_fields(data))
    return tally


def report_scopes(checkpoint: Checkpoint) -> list[tuple[str, str]]:
    """Every (year, country) with at least one leaf under ``checkpoint``."""
    # order_by(): without it DISTINCT also covers Meta.ordering's ``index`` and returns every leaf.
    pairs = (LogLeaf.objects.filter(index__lt=checkpoint.size)
             .values_list("period", "country").order_by().distinct())
    return sorted({(period[:4], country) for period, country in pairs})


def order_rows(period: str, size: int) -> list[OrderRow]:
    """The EU templates' facts of the leaves of a period under the first ``size`` leaves."""
    rows = (LogLeaf.objects.filter(index__lt=size, period__in=quarters_in(period)).order_by("index")
            .values_list("data", flat=True))
    return [r for r in (order_row(d) for d in rows.iterator(chunk_size=10_000)) if r is not None]
