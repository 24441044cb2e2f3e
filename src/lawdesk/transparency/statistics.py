"""Public statistics from the count tables, checked against the log (reads only; no personal data).

The count tables give what the log does not carry (received, pending, emergency, non-disclosure,
medians, categories, instruments, refusal grounds). For closed cases both exist: the document
states the log's counts under the checkpoint it names and whether the two agree.
"""

from __future__ import annotations

import re
import statistics as stats
from collections import Counter
from typing import Any

from django.db.models import Sum

from lawdesk.transparency import counts, selectors, services
from lawdesk.transparency.models import Checkpoint, DurationSample, LogLeaf, QuarterCount
from lawdesk.transparency.report import ReportError

FORMAT = "lawdesk-transparency-statistics/v1"
_PERIOD = re.compile(r"[0-9]{4}(-Q[1-4]|-H[12])?")
_COUNTRY = re.compile(r"[A-Z]{2}")
HEADLINE = ("received", "fulfilled", "partly_fulfilled", "refused", "withdrawn", "preserved",
            "converted_to_production", "actioned", "pending", "accounts_affected", "emergency",
            "nondisclosure")
MEASURES = ("received", "fulfilled", "partly_fulfilled", "refused", "withdrawn", "pending",
            "accounts_affected")


def check_scope(period: str, country: str | None) -> None:
    """Refuse a period that is not a year, half-year or quarter, or a country not alpha-2."""
    if not isinstance(period, str) or not _PERIOD.fullmatch(period):
        raise ReportError("period must be a year (2024), a half-year (2024-H1) or a quarter (2024-Q3)")
    if country is not None and not _COUNTRY.fullmatch(country):
        raise ReportError("country must be an ISO 3166 alpha-2 code such as FR")


def scopes() -> tuple[list[str], list[str]]:
    """The years and the countries with any count; the latest year with closed requests first."""
    rows = QuarterCount.objects.filter(n__gt=0, dimension="total")
    pairs = set(rows.values_list("quarter", "country").distinct())
    closed = {q[:4] for q in rows.filter(measure__in=counts.CLOSED_OUTCOMES)
              .values_list("quarter", flat=True)}
    years = sorted({q[:4] for q, _ in pairs}, key=lambda y: (y in closed, y), reverse=True)
    return years, sorted({c for _, c in pairs})


def _rows(quarters: list[str], country: str | None) -> Any:
    rows = QuarterCount.objects.filter(quarter__in=quarters)
    return rows.filter(country=country) if country else rows


def _median_hours(values: list[int]) -> float | None:
    return round(stats.median(values) / 3600, 1) if values else None


def medians(quarters: list[str], country: str | None) -> dict[str, Any]:
    """Median time to acknowledge and to give effect (hours), overall and per kind of request."""
    samples = DurationSample.objects.filter(quarter__in=quarters)
    if country:
        samples = samples.filter(country=country)
    by: dict[tuple[str, str], list[int]] = {}
    for kind, measure, seconds in samples.values_list("kind", "measure", "seconds").iterator(chunk_size=5000):
        by.setdefault((measure, ""), []).append(seconds)
        by.setdefault((measure, kind), []).append(seconds)
    kinds = sorted({k for _, k in by if k})
    return {
        "acknowledge_hours": _median_hours(by.get(("acknowledge", ""), [])),
        "fulfil_hours": _median_hours(by.get(("fulfil", ""), [])),
        "acknowledged": len(by.get(("acknowledge", ""), [])),
        "fulfilled": len(by.get(("fulfil", ""), [])),
        "by_kind": {k: {"acknowledge_hours": _median_hours(by.get(("acknowledge", k), [])),
                        "fulfil_hours": _median_hours(by.get(("fulfil", k), []))} for k in kinds},
    }


def quarterly(year: str, country: str | None) -> list[dict[str, Any]]:
    """The platform's two-number view: per country and quarter, requests fulfilled, users affected."""
    rows = (_rows(counts.quarters_in(year), country).filter(dimension="total")
            .filter(measure__in=("fulfilled", "partly_fulfilled", "accounts_affected"))
            .values_list("country", "quarter", "measure").annotate(total=Sum("n")).order_by())
    table: dict[str, dict[str, Counter[str]]] = {}
    for c, q, m, n in rows:
        table.setdefault(c, {}).setdefault(q, Counter())[
            "users_affected" if m == "accounts_affected" else "requests_fulfilled"] += n
    return [{"country": c, "quarters": [
        {"quarter": q, "requests_fulfilled": table[c].get(q, Counter())["requests_fulfilled"],
         "users_affected": table[c].get(q, Counter())["users_affected"]}
        for q in counts.quarters_in(year)]} for c in sorted(table)]


def compute(period: str, country: str | None) -> dict[str, Any]:
    """Every published figure for a period (year, half-year or quarter) and country (or all)."""
    check_scope(period, country)
    quarters = counts.quarters_in(period)
    summed = counts.sum_rows(_rows(quarters, country).values_list("dimension", "value", "measure")
                             .annotate(total=Sum("n")).order_by())
    total = summed["total"].get("", Counter())
    headline = {m: total[m] for m in HEADLINE}

    def table(dimension: str) -> dict[str, dict[str, int]]:
        return {v: {m: c[m] for m in MEASURES} for v, c in sorted(summed[dimension].items())}

    return {
        "headline": headline,
        "requests_fulfilled": total["fulfilled"] + total["partly_fulfilled"],
        "refused_by_reason": {m.partition(":")[2]: n for m, n in sorted(total.items())
                              if m.startswith("refused:") and n},
        "by_kind": table("kind"),
        "by_category": table("category"),
        "by_instrument": table("instrument"),
        "medians": medians(quarters, country),
        "quarterly": quarterly(period[:4], country),
    }


def log_counts(period: str, country: str | None, checkpoint: Checkpoint) -> dict[str, Any]:
    """The log's counts of closed cases for the period, over the leaves under ``checkpoint``."""
    rows = LogLeaf.objects.filter(index__lt=checkpoint.size, period__in=counts.quarters_in(period))
    if country:
        rows = rows.filter(country=country)
    return selectors.tally_of(rows).counts(period=period, country=country)


def agreement(figures: dict[str, Any], logged: dict[str, Any]) -> list[str]:
    """Where the count tables and the log disagree on closed cases (empty when they agree)."""
    headline = figures["headline"]
    problems = []
    for outcome in sorted(set(counts.CLOSED_OUTCOMES) | set(logged["by_outcome"])):
        a, b = headline.get(outcome, 0), logged["by_outcome"].get(outcome, 0)
        if a != b:
            problems.append(f"{outcome}: the tables say {a}, the signed log {b}")
    if headline["accounts_affected"] != logged["accounts_affected"]:
        problems.append(f"accounts affected: the tables say {headline['accounts_affected']}, "
                        f"the signed log {logged['accounts_affected']}")
    return problems


def document(period: str, country: str | None, checkpoint: Checkpoint | None) -> dict[str, Any]:
    """The published statistics: scope, the checkpoint they were checked against, the figures."""
    figures = compute(period, country)
    doc: dict[str, Any] = {"format": FORMAT, "period": period, "country": country,
                           "checkpoint": None, "log_counts": None, "agrees_with_log": None}
    if checkpoint is not None:
        logged = log_counts(period, country, checkpoint)
        differences = agreement(figures, logged)
        doc.update(checkpoint={"origin": services.origin(), "size": checkpoint.size,
                               "root_hash": services.b64(bytes.fromhex(checkpoint.root_hash))},
                   log_counts=logged, agrees_with_log=not differences,
                   log_differences=differences)
    doc["statistics"] = figures
    return doc


def csv_rows(doc: dict[str, Any]) -> list[tuple[str, str, str, Any]]:
    """The document as ``(section, key, measure, value)`` rows."""
    s = doc["statistics"]
    rows: list[tuple[str, str, str, Any]] = [("scope", "period", "", doc["period"]),
                                             ("scope", "country", "", doc["country"] or "all")]
    rows += [("headline", "", m, v) for m, v in s["headline"].items()]
    rows.append(("headline", "", "requests_fulfilled", s["requests_fulfilled"]))
    rows += [("refused_by_reason", k, "refused", v) for k, v in s["refused_by_reason"].items()]
    for section in ("by_kind", "by_category", "by_instrument"):
        rows += [(section, k, m, v) for k, per in s[section].items() for m, v in per.items()]
    med = s["medians"]
    rows += [("median_hours", "all", "acknowledge", med["acknowledge_hours"]),
             ("median_hours", "all", "fulfil", med["fulfil_hours"])]
    for kind, per in med["by_kind"].items():
        rows += [("median_hours", kind, "acknowledge", per["acknowledge_hours"]),
                 ("median_hours", kind, "fulfil", per["fulfil_hours"])]
    for c in s["quarterly"]:
        for q in c["quarters"]:
            key = f"{c['country']} {q['quarter']}"
            rows += [("quarterly", key, "requests_fulfilled", q["requests_fulfilled"]),
                     ("quarterly", key, "users_affected", q["users_affected"])]
    if doc["checkpoint"]:
        rows += [("checkpoint", "origin", "", doc["checkpoint"]["origin"]),
                 ("checkpoint", "size", "", doc["checkpoint"]["size"]),
                 ("checkpoint", "root_hash", "", doc["checkpoint"]["root_hash"]),
                 ("checkpoint", "agrees_with_log", "", doc["agrees_with_log"])]
    return rows
