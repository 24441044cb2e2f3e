"""Public reads of the log: only what a checkpoint has signed, never case references or salts."""

from __future__ import annotations

from typing import Any

from lawdesk.transparency import services
from lawdesk.transparency.leaves import decode_leaf
from lawdesk.transparency.models import Checkpoint, LogLeaf
from lawdesk.transparency.report import build_report, check_scope

MAX_PAGE = 1000


def published_size() -> int:
    """The size of the latest signed checkpoint: the part of the log that is public."""
    latest = services.latest_checkpoint()
    return latest.size if latest else 0


def leaf_data(start: int, end: int) -> list[str]:
    """The published data of leaves ``start`` to ``end`` (exclusive), in order."""
    return list(LogLeaf.objects.filter(index__gte=start, index__lt=end).order_by("index")
                .values_list("data", flat=True))


def report_for(period: str, country: str | None, checkpoint: Checkpoint) -> dict[str, Any]:
    """The report for a year or quarter and a country (or all), from the leaves under ``checkpoint``."""
    check_scope(period, country)
    rows = LogLeaf.objects.filter(index__lt=checkpoint.size, period__startswith=period)
    if country is not None:
        rows = rows.filter(country=country)
    leaves = [decode_leaf(d) for d in rows.order_by("index").values_list("data", flat=True)]
    return build_report(leaves, period=period, country=country, origin=services.origin(),
                        size=checkpoint.size, root_hash=services.b64(bytes.fromhex(checkpoint.root_hash)))


def report_scopes(checkpoint: Checkpoint) -> list[tuple[str, str]]:
    """Every (year, country) with at least one leaf under ``checkpoint``."""
    pairs = (LogLeaf.objects.filter(index__lt=checkpoint.size)
             .values_list("period", "country").distinct())
    return sorted({(period[:4], country) for period, country in pairs})
