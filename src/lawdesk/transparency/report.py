"""Report counts from log leaves: the one function the server and the verifier share (no Django)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from lawdesk.transparency.leaves import Fields, Leaf

REPORT_FORMAT = "lawdesk-transparency-report/v1"
_PERIOD_FILTER = re.compile(r"[0-9]{4}(-Q[1-4])?")
_COUNTRY_FILTER = re.compile(r"[A-Z]{2}")


class ReportError(ValueError):
    """A report is malformed or asks for an invalid period or country."""


def check_scope(period: str, country: str | None) -> None:
    """Refuse a period that is not ``YYYY`` or ``YYYY-Qn``, or a country that is not alpha-2."""
    if not _PERIOD_FILTER.fullmatch(period):
        raise ReportError("period must be a year (2024) or a quarter (2024-Q3)")
    if country is not None and not _COUNTRY_FILTER.fullmatch(country):
        raise ReportError("country must be an ISO 3166 alpha-2 code such as FR")


def quarters_in(period: str) -> list[str]:
    """The quarters a period covers: ``2024`` → four, ``2024-H2`` → Q3 and Q4, ``2024-Q1`` → itself."""
    year, _, part = period.partition("-")
    if not part:
        return [f"{year}-Q{i}" for i in range(1, 5)]
    if part.startswith("H"):
        first = 1 if part == "H1" else 3
        return [f"{year}-Q{first}", f"{year}-Q{first + 1}"]
    return [period]


def in_scope(leaf: Leaf, period: str, country: str | None) -> bool:
    """Whether ``leaf`` counts in the report for ``period`` (year or quarter) and ``country``."""
    matches_period = leaf.period == period or leaf.period.startswith(period + "-")
    return matches_period and (country is None or leaf.country == country)


class Tally:
    """Closed cases summed per (quarter, country, kind, outcome): every report count derives from it.

    What a verifier keeps between runs instead of the leaves: it is small (bounded by the
    number of quarters, countries, kinds and outcomes), and adding the new leaves to it makes
    an incremental verification cost what the new leaves cost.
    """

    def __init__(self, rows: Iterable[tuple[str, str, str, str, int, int]] = ()) -> None:
        # key -> [cases, accounts affected]
        self.cells: dict[tuple[str, str, str, str], list[int]] = {}
        for period, country, kind, outcome, n, accounts in rows:
            self.cells[(period, country, kind, outcome)] = [n, accounts]

    def add(self, fields: Fields) -> None:
        """Count one leaf, given as ``leaves.leaf_fields`` returns it."""
        period, country, kind, outcome, accounts = fields
        cell = self.cells.get((period, country, kind, outcome))
        if cell is None:
            self.cells[(period, country, kind, outcome)] = [1, accounts]
        else:
            cell[0] += 1
            cell[1] += accounts

    def rows(self) -> list[tuple[str, str, str, str, int, int]]:
        """The tally as sorted rows ``(period, country, kind, outcome, cases, accounts)``."""
        return [(*key, n, a) for key, (n, a) in sorted(self.cells.items())]

    def counts(self, *, period: str, country: str | None) -> dict[str, Any]:
        """The report counts for a year, half-year or quarter and a country (all when None)."""
        quarters = set(quarters_in(period))
        requests = accounts = 0
        by_kind: Counter[str] = Counter()
        by_outcome: Counter[str] = Counter()
        by_kind_outcome: dict[str, Counter[str]] = {}
        accounts_by_outcome: Counter[str] = Counter()
        for (quarter, where, kind, outcome), (n, a) in self.cells.items():
            if quarter not in quarters or (country is not None and where != country):
                continue
            requests += n
            accounts += a
            by_kind[kind] += n
            by_outcome[outcome] += n
            by_kind_outcome.setdefault(kind, Counter())[outcome] += n
            accounts_by_outcome[outcome] += a
        return {
            "requests": requests,
            "accounts_affected": accounts,
            "by_kind": dict(sorted(by_kind.items())),
            "by_outcome": dict(sorted(by_outcome.items())),
            "by_kind_and_outcome": {k: dict(sorted(v.items())) for k, v in sorted(by_kind_outcome.items())},
            "accounts_affected_by_outcome": dict(sorted(accounts_by_outcome.items())),
        }

    def quarter_figures(self, quarter: str) -> dict[str, dict[str, int]]:
        """Per country, the closed cases of one quarter: ``{country: {outcome…, accounts_affected}}``."""
        out: dict[str, Counter[str]] = {}
        for (q, where, _kind, outcome), (n, a) in self.cells.items():
            if q == quarter:
                per = out.setdefault(where, Counter())
                per[outcome] += n
                per["accounts_affected"] += a
        return {c: dict(v) for c, v in sorted(out.items())}


def compute_counts(leaves: Iterable[Leaf], *, period: str, country: str | None) -> dict[str, Any]:
    """Every count a report publishes, from the leaves (all countries when ``country`` is None)."""
    check_scope(period, country)
    tally = Tally()
    for leaf in leaves:
        if in_scope(leaf, period, country):
            tally.add((leaf.period, leaf.country, leaf.kind, leaf.outcome, leaf.accounts_affected))
    return tally.counts(period=period, country=country)


def build_report(tally: Tally, *, period: str, country: str | None, origin: str,
                 size: int, root_hash: str) -> dict[str, Any]:
    """The report document: scope, the checkpoint it was computed from, and the counts."""
    check_scope(period, country)
    return {
        "format": REPORT_FORMAT,
        "period": period,
        "country": country,
        "checkpoint": {"origin": origin, "size": size, "root_hash": root_hash},
        "counts": tally.counts(period=period, country=country),
    }


def _flatten(counts: Mapping[str, Any], prefix: str = "") -> dict[str, int]:
    flat: dict[str, int] = {}
    for key, value in counts.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, path + "."))
        elif isinstance(value, int) and not isinstance(value, bool):
            flat[path] = value
        else:
            raise ReportError(f"count {path} is not an integer")
    return flat


def count_mismatches(claimed: Mapping[str, Any], computed: Mapping[str, Any], *,
                     source: str = "the leaves give") -> list[str]:
    """Each count the report states differently from the leaves (an absent count is a zero)."""
    if not isinstance(claimed, Mapping):
        raise ReportError("report counts must be an object")
    said, actual = _flatten(claimed), _flatten(computed)
    problems = []
    for path in sorted(said.keys() | actual.keys()):
        a, b = said.get(path, 0), actual.get(path, 0)
        if a != b:
            how = "understated" if a < b else "overstated"
            problems.append(f"{path}: the report says {a}, {source} {b} ({how})")
    return problems


def count_rows(counts: Mapping[str, Any]) -> list[tuple[str, str, int]]:
    """The counts as ``(measure, category, value)`` rows, e.g. for CSV."""
    rows = []
    for path, value in _flatten(counts).items():
        measure, _, category = path.partition(".")
        rows.append((measure, category.replace(".", "/"), value))
    return rows
