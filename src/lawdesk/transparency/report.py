"""Report counts from log leaves: the one function the server and the verifier share (no Django)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from lawdesk.transparency.leaves import Leaf

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


def in_scope(leaf: Leaf, period: str, country: str | None) -> bool:
    """Whether ``leaf`` counts in the report for ``period`` (year or quarter) and ``country``."""
    matches_period = leaf.period == period or leaf.period.startswith(period + "-")
    return matches_period and (country is None or leaf.country == country)


def compute_counts(leaves: Iterable[Leaf], *, period: str, country: str | None) -> dict[str, Any]:
    """Every count a report publishes, from the leaves (all countries when ``country`` is None)."""
    check_scope(period, country)
    requests = 0
    accounts = 0
    by_kind: Counter[str] = Counter()
    by_outcome: Counter[str] = Counter()
    by_kind_outcome: dict[str, Counter[str]] = {}
    accounts_by_outcome: Counter[str] = Counter()
    for leaf in leaves:
        if not in_scope(leaf, period, country):
            continue
        requests += 1
        accounts += leaf.accounts_affected
        by_kind[leaf.kind] += 1
        by_outcome[leaf.outcome] += 1
        by_kind_outcome.setdefault(leaf.kind, Counter())[leaf.outcome] += 1
        accounts_by_outcome[leaf.outcome] += leaf.accounts_affected
    return {
        "requests": requests,
        "accounts_affected": accounts,
        "by_kind": dict(sorted(by_kind.items())),
        "by_outcome": dict(sorted(by_outcome.items())),
        "by_kind_and_outcome": {k: dict(sorted(v.items())) for k, v in sorted(by_kind_outcome.items())},
        "accounts_affected_by_outcome": dict(sorted(accounts_by_outcome.items())),
    }


def build_report(leaves: Iterable[Leaf], *, period: str, country: str | None, origin: str,
                 size: int, root_hash: str) -> dict[str, Any]:
    """The report document: scope, the checkpoint it was computed from, and the counts."""
    return {
        "format": REPORT_FORMAT,
        "period": period,
        "country": country,
        "checkpoint": {"origin": origin, "size": size, "root_hash": root_hash},
        "counts": compute_counts(leaves, period=period, country=country),
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


def count_mismatches(claimed: Mapping[str, Any], computed: Mapping[str, Any]) -> list[str]:
    """Each count the report states differently from the leaves (an absent count is a zero)."""
    if not isinstance(claimed, Mapping):
        raise ReportError("report counts must be an object")
    said, actual = _flatten(claimed), _flatten(computed)
    problems = []
    for path in sorted(said.keys() | actual.keys()):
        a, b = said.get(path, 0), actual.get(path, 0)
        if a != b:
            how = "understated" if a < b else "overstated"
            problems.append(f"{path}: the report says {a}, the leaves give {b} ({how})")
    return problems


def count_rows(counts: Mapping[str, Any]) -> list[tuple[str, str, int]]:
    """The counts as ``(measure, category, value)`` rows, e.g. for CSV."""
    rows = []
    for path, value in _flatten(counts).items():
        measure, _, category = path.partition(".")
        rows.append((measure, category.replace(".", "/"), value))
    return rows
