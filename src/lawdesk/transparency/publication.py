"""Publishing the public figures: closed periods only, after a delay, small counts as bands.

A period (quarter, half-year, year) is published once it has ended and the publication delay
has passed (``LAWDESK_TRANSPARENCY_DELAY_DAYS``, 30 by default), so nobody can watch a count
move while a request is being handled. Publishing computes the figures from the count tables,
counts the same period's leaves under the latest checkpoint, requires the two to agree on closed
cases, and stores both (``PublishedFigures``): the pages, JSON, CSV and PDF read that one row.
Counts from 1 to ``LAWDESK_TRANSPARENCY_BAND_BELOW - 1`` are published as a band; the log keeps
the exact leaves, and the verifier checks each band contains the exact count.

:func:`refresh` is idempotent and cheap when nothing changed; it runs after every checkpoint
(``services.publish_checkpoint``) and on the worker's clock.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction

from lawdesk.audit.actions import Action
from lawdesk.audit.services import record
from lawdesk.transparency import selectors, services, statistics
from lawdesk.transparency.models import Checkpoint, LogLeaf, PublishedFigures, QuarterCount
from lawdesk.transparency.report import build_report, quarters_in


def delay() -> timedelta:
    """How long after its end a period is published."""
    return timedelta(days=settings.LAWDESK_TRANSPARENCY_DELAY_DAYS)


def band_below() -> int:
    """Counts below this are published as a band (1 or less: every count exactly)."""
    return int(settings.LAWDESK_TRANSPARENCY_BAND_BELOW)


def period_end(period: str) -> datetime:
    """The first instant after the period (UTC)."""
    last = quarters_in(period)[-1]
    year, quarter = int(last[:4]), int(last[-1])
    return datetime(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1, tzinfo=UTC)


def publication_date(period: str) -> datetime:
    """When the period's figures become public."""
    return period_end(period) + delay()


def periods_of(quarters: set[str]) -> set[str]:
    """The quarters, and the half-years and years they belong to."""
    out = set(quarters)
    for q in quarters:
        out |= {q[:4], f"{q[:4]}-H{1 if q[-1] in '12' else 2}"}
    return out


def _quarters_with_data() -> set[str]:
    counted = QuarterCount.objects.filter(n__gt=0).values_list("quarter", flat=True).order_by().distinct()
    logged = LogLeaf.objects.values_list("period", flat=True).order_by().distinct()
    return set(counted) | set(logged)


def refresh(*, now: datetime) -> list[str]:
    """Publish every due period not yet published, and republish each published period whose
    quarters gained leaves since it was verified. Returns the periods held back, with why."""
    latest = services.latest_checkpoint()
    if latest is None:
        return []
    published = dict(PublishedFigures.objects.filter(country="").values_list("period", "checked_size"))
    stale: set[str] = set()
    oldest = min(published.values(), default=latest.size)
    if oldest < latest.size:
        touched = set(LogLeaf.objects.filter(index__gte=oldest, index__lt=latest.size)
                      .values_list("period", flat=True).order_by().distinct())
        stale = {p for p, size in published.items() if size < latest.size and set(quarters_in(p)) & touched}
        # Nothing of the others changed: they stay as published, checked up to this checkpoint.
        (PublishedFigures.objects.filter(checked_size__lt=latest.size).exclude(period__in=stale)
         .update(checked_size=latest.size))
    due = {p for p in periods_of(_quarters_with_data()) if publication_date(p) <= now}
    held: list[str] = []
    for period in sorted((due - set(published)) | stale):
        held += publish_period(period, checkpoint=latest, now=now)
    return held


def publish_period(period: str, *, checkpoint: Checkpoint, now: datetime) -> list[str]:
    """Publish (or republish) one period for every country and for all: verified against the
    leaves under ``checkpoint`` first; nothing is published if the two disagree."""
    quarters = quarters_in(period)
    with transaction.atomic():
        # Two publishers may run at once (the worker's clock and a checkpoint signed elsewhere):
        # one at a time under the log's lock, and the second finds the work done. Without it both
        # inserted the period and the second failed on its unique key (seen on PostgreSQL).
        services.lock_log()
        if PublishedFigures.objects.filter(period=period, country="",
                                           checked_size__gte=checkpoint.size).exists():
            return []
        leaves = LogLeaf.objects.filter(index__lt=checkpoint.size, period__in=quarters)
        tally = selectors.tally_of(leaves)
        countries = set(QuarterCount.objects.filter(quarter__in=quarters, n__gt=0)
                        .values_list("country", flat=True).order_by().distinct())
        countries |= {c for (q, c, _k, _o) in tally.cells}
        origin, root = services.origin(), services.b64(bytes.fromhex(checkpoint.root_hash))
        rows = []
        for country in [None, *sorted(countries)]:
            figures = statistics.compute(period, country)
            differences = statistics.agreement(figures, tally.counts(period=period, country=country))
            if differences:
                where = country or "all countries"
                return [f"{period} {where}: not published, the count tables and the log disagree: "
                        + "; ".join(differences)]
            rows.append(PublishedFigures(
                period=period, country=country or "", checkpoint_size=checkpoint.size,
                checkpoint_root=checkpoint.root_hash, checked_size=checkpoint.size, published_at=now,
                statistics={"format": statistics.FORMAT, "period": period, "country": country,
                            "published_at": now.isoformat(), "bands_below": max(band_below(), 1),
                            "statistics": statistics.banded(figures, band_below())},
                report=build_report(tally, period=period, country=country, origin=origin,
                                    size=checkpoint.size, root_hash=root)))
        PublishedFigures.objects.filter(period=period).delete()
        PublishedFigures.objects.bulk_create(rows)
        record(Action.PERIOD_PUBLISHED, actor=None, target_type="transparency_period",
               target_id=period, params={"period": period, "countries": sorted(countries),
                                         "checkpoint_size": checkpoint.size}, now=now)
    return []


def _with_checkpoint(row: PublishedFigures, doc: dict[str, Any], *, key: str) -> dict[str, Any]:
    checkpoint = {"origin": services.origin(), "size": row.checkpoint_size,
                  "root_hash": services.b64(bytes.fromhex(row.checkpoint_root))}
    if key == "report":
        return {**doc, "checkpoint": checkpoint}
    return {**doc, "checkpoint": checkpoint, "agrees_with_log": True}


def statistics_document(period: str, country: str | None) -> dict[str, Any] | None:
    """The published statistics of a period and country (None if not published), naming the
    checkpoint they were verified against."""
    row = PublishedFigures.objects.filter(period=period, country=country or "").first()
    return None if row is None else _with_checkpoint(row, row.statistics, key="statistics")


def report_document(period: str, country: str | None) -> dict[str, Any] | None:
    """The verifiable report (exact closed-case counts from the leaves), None if not published."""
    row = PublishedFigures.objects.filter(period=period, country=country or "").first()
    return None if row is None else _with_checkpoint(row, row.report, key="report")


def published_scopes() -> tuple[list[str], list[str]]:
    """The periods published (newest first, years before their halves and quarters) and the
    countries that have figures in any of them."""
    pairs = list(PublishedFigures.objects.values_list("period", "country").order_by())
    periods = sorted({p for p, _ in pairs}, key=lambda p: (-int(p[:4]), len(p) > 4, p))
    return periods, sorted({c for _, c in pairs if c})


def report_scopes() -> list[tuple[str, str | None]]:
    """The reports a verifier checks: each published year (or, before a year is complete, each
    published quarter), for all countries and for each country."""
    pairs = list(PublishedFigures.objects.values_list("period", "country").order_by())
    years = {p for p, _ in pairs if len(p) == 4}
    chosen = [(p, c or None) for p, c in pairs
              if len(p) == 4 or (p[:4] not in years and "-Q" in p)]
    return sorted(chosen, key=lambda pc: (pc[0], pc[1] or ""))
