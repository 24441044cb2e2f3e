"""Public statistics from the count tables, checked against the log (reads only; no personal data).

The count tables give what the log does not carry (received, pending, emergency, non-disclosure,
medians, categories, instruments, refusal grounds). For closed cases both exist: the document
states the log's counts under the checkpoint it names and whether the two agree.
"""

from __future__ import annotations

import csv
import io
import re
import statistics as stats
from collections import Counter
from typing import Any

from django.db.models import Sum

from lawdesk.transparency import counts
from lawdesk.transparency.models import DurationSample, QuarterCount
from lawdesk.transparency.report import ReportError, band, band_text

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
                        "fulfil_hours": _median_hours(by.get(("fulfil", k), [])),
                        "acknowledged": len(by.get(("acknowledge", k), [])),
                        "fulfilled": len(by.get(("fulfil", k), []))} for k in kinds},
    }


def quarterly(period: str, country: str | None) -> list[dict[str, Any]]:
    """The platform's two-number view: per country and quarter of the period, requests fulfilled
    and users affected."""
    rows = (_rows(counts.quarters_in(period), country).filter(dimension="total")
            .filter(measure__in=("fulfilled", "partly_fulfilled", "accounts_affected"))
            .values_list("country", "quarter", "measure").annotate(total=Sum("n")).order_by())
    table: dict[str, dict[str, Counter[str]]] = {}
    for c, q, m, n in rows:
        table.setdefault(c, {}).setdefault(q, Counter())[
            "users_affected" if m == "accounts_affected" else "requests_fulfilled"] += n
    return [{"country": c, "quarters": [
        {"quarter": q, "requests_fulfilled": table[c].get(q, Counter())["requests_fulfilled"],
         "users_affected": table[c].get(q, Counter())["users_affected"]}
        for q in counts.quarters_in(period)]} for c in sorted(table)]


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
        "quarterly": (per_country := quarterly(period, country)),
        "quarterly_total": [
            {"quarter": q,
             "requests_fulfilled": sum(c["quarters"][i]["requests_fulfilled"] for c in per_country),
             "users_affected": sum(c["quarters"][i]["users_affected"] for c in per_country)}
            for i, q in enumerate(counts.quarters_in(period))],
    }


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


def banded(figures: dict[str, Any], below: int) -> dict[str, Any]:
    """The figures as published: every count from 1 to ``below - 1`` as a band, and no median
    over fewer than ``below`` requests (a median of three cases tells about each of them)."""
    if below <= 1:
        return figures

    def b(n: int) -> Any:
        return band(n, below)

    def medians_of(m: dict[str, Any]) -> dict[str, Any]:
        return {"acknowledge_hours": m["acknowledge_hours"] if m["acknowledged"] >= below else None,
                "fulfil_hours": m["fulfil_hours"] if m["fulfilled"] >= below else None,
                "acknowledged": b(m["acknowledged"]), "fulfilled": b(m["fulfilled"])}

    med = figures["medians"]
    return {
        "headline": {k: b(v) for k, v in figures["headline"].items()},
        "requests_fulfilled": b(figures["requests_fulfilled"]),
        "refused_by_reason": {k: b(v) for k, v in figures["refused_by_reason"].items()},
        **{section: {k: {m: b(v) for m, v in per.items()} for k, per in figures[section].items()}
           for section in ("by_kind", "by_category", "by_instrument")},
        "medians": {**medians_of(med), "by_kind": {k: medians_of(v) for k, v in med["by_kind"].items()}},
        "quarterly": [{"country": c["country"], "quarters": [
            {"quarter": q["quarter"], "requests_fulfilled": b(q["requests_fulfilled"]),
             "users_affected": b(q["users_affected"])} for q in c["quarters"]]}
            for c in figures["quarterly"]],
        "quarterly_total": [{"quarter": q["quarter"], "requests_fulfilled": b(q["requests_fulfilled"]),
                             "users_affected": b(q["users_affected"])} for q in figures["quarterly_total"]],
    }


def csv_text(doc: dict[str, Any]) -> str:
    """The document as the published CSV file."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["section", "key", "measure", "value"])
    writer.writerows(csv_rows(doc))
    return out.getvalue()


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
    for q in s["quarterly_total"]:
        rows += [("quarterly_total", q["quarter"], "requests_fulfilled", q["requests_fulfilled"]),
                 ("quarterly_total", q["quarter"], "users_affected", q["users_affected"])]
    if doc["checkpoint"]:
        rows += [("checkpoint", "origin", "", doc["checkpoint"]["origin"]),
                 ("checkpoint", "size", "", doc["checkpoint"]["size"]),
                 ("checkpoint", "root_hash", "", doc["checkpoint"]["root_hash"]),
                 ("checkpoint", "agrees_with_log", "", doc["agrees_with_log"])]
    # A band is written as people read it (1 to 9 with an en dash); exact counts stay integers.
    return [(a, b, c, band_text(v) if isinstance(v, dict) else v) for a, b, c, v in rows]
