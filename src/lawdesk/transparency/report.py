"""Report counts from log leaves: the one function the server and the verifier share (no Django)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from lawdesk.evidence.catalogue import Figure, Message, gettext_noop
from lawdesk.transparency.leaves import Fields, Leaf

REPORT_FORMAT = "lawdesk-transparency-report/v1"
_PERIOD_FILTER = re.compile(r"[0-9]{4}(-Q[1-4]|-H[12])?")
_COUNTRY_FILTER = re.compile(r"[A-Z]{2}")


class ReportError(ValueError):
    """A report is malformed or asks for an invalid period or country."""


def check_scope(period: str, country: str | None) -> None:
    """Refuse a period that is not ``YYYY``, ``YYYY-Hn`` or ``YYYY-Qn``, or a country not alpha-2."""
    if not isinstance(period, str) or not _PERIOD_FILTER.fullmatch(period):
        raise ReportError(Message(gettext_noop(
            "period must be a year (2024), a half-year (2024-H1) or a quarter (2024-Q3)")))
    if country is not None and not _COUNTRY_FILTER.fullmatch(country):
        raise ReportError(Message(gettext_noop("country must be an ISO 3166 alpha-2 code such as FR")))


def quarters_in(period: str) -> list[str]:
    """The quarters a period covers: ``2024`` → four, ``2024-H2`` → Q3 and Q4, ``2024-Q1`` → itself."""
    year, _, part = period.partition("-")
    if not part:
        return [f"{year}-Q{i}" for i in range(1, 5)]
    if part.startswith("H"):
        first = 1 if part == "H1" else 3
        return [f"{year}-Q{first}", f"{year}-Q{first + 1}"]
    return [period]


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
    quarters = set(quarters_in(period))
    for leaf in leaves:
        if leaf.period in quarters and (country is None or leaf.country == country):
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
                     source: str = Message(gettext_noop("the leaves give"))) -> list[str]:
    """Each count the report states differently from the leaves (an absent count is a zero)."""
    if not isinstance(claimed, Mapping):
        raise ReportError(Message(gettext_noop("report counts must be an object")))
    said, actual = _flatten(claimed), _flatten(computed)
    problems: list[str] = []
    for path in sorted(said.keys() | actual.keys()):
        a, b = said.get(path, 0), actual.get(path, 0)
        if a != b:
            problems.append(Message(gettext_noop("%(name)s: the report says %(said)s, %(source)s %(count)s "
                                                 "(%(how)s)"), name=path, said=a, source=source, count=b,
                                    how=_UNDERSTATED if a < b else _OVERSTATED))
    return problems


_UNDERSTATED, _OVERSTATED = Message(gettext_noop("understated")), Message(gettext_noop("overstated"))


def count_rows(counts: Mapping[str, Any]) -> list[tuple[str, str, int]]:
    """The counts as ``(measure, category, value)`` rows, e.g. for CSV."""
    rows = []
    for path, value in _flatten(counts).items():
        measure, _, category = path.partition(".")
        rows.append((measure, category.replace(".", "/"), value))
    return rows


# --- Bands: small counts published as a range (decision 0018) -----------------------------

def band(n: int, below: int) -> int | dict[str, int]:
    """``n`` as published: a count from 1 to ``below - 1`` becomes ``{"from": 1, "to": below - 1}``."""
    return {"from": 1, "to": below - 1} if 0 < n < below else n


def band_bounds(value: Any) -> tuple[int, int] | None:
    """The lowest and highest count a published figure allows (an exact count or a band); None if
    it is neither."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value, value
    if (isinstance(value, Mapping) and set(value) == {"from", "to"}
            and all(isinstance(value[k], int) and not isinstance(value[k], bool) for k in ("from", "to"))):
        return int(value["from"]), int(value["to"])
    return None


def band_text(value: Any) -> str:
    """A published figure in plain English digits: ``1,386``, or a band with an en dash (1 to 9);
    what the verifier says. Pages and PDFs group figures in their reader's language (``figure``)."""
    bounds = band_bounds(value)
    if bounds is None:
        return str(value)
    low, high = bounds
    return f"{low:,}" if low == high else f"{low:,}\u2013{high:,}"


# --- Figures of the public statistics that the log can check -------------------------------

# Outcomes of closed cases the statistics headline shows (the log counts every one of them).
CLOSED_OUTCOMES = ("fulfilled", "partly_fulfilled", "refused", "withdrawn", "preserved",
                   "converted_to_production", "actioned")
TABLE_MEASURES = ("fulfilled", "partly_fulfilled", "refused", "withdrawn", "accounts_affected")


def log_figures(tally: Tally, *, period: str, country: str | None) -> dict[str, int]:
    """Every figure of a statistics document that the log's leaves determine, by name.

    ``headline.<outcome>``, ``headline.accounts_affected``, ``requests_fulfilled``,
    ``by_kind.<kind>.<measure>``, ``quarterly.<country>.<quarter>.<measure>`` and
    ``quarterly_total.<quarter>.<measure>`` (measures ``requests_fulfilled``, ``users_affected``).
    """
    quarters = quarters_in(period)
    out: dict[str, int] = {}

    def add(name: str, n: int) -> None:
        out[name] = out.get(name, 0) + n

    for outcome in CLOSED_OUTCOMES:
        add(f"headline.{outcome}", 0)
    add("headline.accounts_affected", 0)
    add("requests_fulfilled", 0)
    for q in quarters:
        add(f"quarterly_total.{q}.requests_fulfilled", 0)
        add(f"quarterly_total.{q}.users_affected", 0)
    for (quarter, where, kind, outcome), (n, accounts) in tally.cells.items():
        if quarter not in quarters or (country is not None and where != country):
            continue
        fulfilled = n if outcome in ("fulfilled", "partly_fulfilled") else 0
        add(f"headline.{outcome}", n)
        add("headline.accounts_affected", accounts)
        add("requests_fulfilled", fulfilled)
        if outcome in TABLE_MEASURES:
            add(f"by_kind.{kind}.{outcome}", n)
        add(f"by_kind.{kind}.accounts_affected", accounts)
        for prefix in (f"quarterly.{where}.{quarter}", f"quarterly_total.{quarter}"):
            add(f"{prefix}.requests_fulfilled", fulfilled)
            add(f"{prefix}.users_affected", accounts)
    return out


def statistics_figures(doc: Mapping[str, Any]) -> dict[str, Any]:
    """The log-checkable figures a statistics document publishes (exact counts or bands), by the
    names ``log_figures`` uses; raises ``ReportError`` if the document is not one."""
    try:
        s = doc["statistics"]
        out: dict[str, Any] = {f"headline.{k}": v for k, v in s["headline"].items()
                               if k in CLOSED_OUTCOMES or k == "accounts_affected"}
        out["requests_fulfilled"] = s["requests_fulfilled"]
        for kind, per in s["by_kind"].items():
            out.update({f"by_kind.{kind}.{m}": v for m, v in per.items() if m in TABLE_MEASURES})
        for c in s["quarterly"]:
            for q in c["quarters"]:
                for m in ("requests_fulfilled", "users_affected"):
                    out[f"quarterly.{c['country']}.{q['quarter']}.{m}"] = q[m]
        for q in s.get("quarterly_total", []):
            for m in ("requests_fulfilled", "users_affected"):
                out[f"quarterly_total.{q['quarter']}.{m}"] = q[m]
    except (KeyError, TypeError, AttributeError) as exc:
        raise ReportError(f"not a statistics document ({exc})") from exc
    return out


def figure_mismatches(published: Mapping[str, Any], exact: Mapping[str, int], *, source: str,
                      only_published: bool = False) -> list[str]:
    """Each published figure (count or band) that does not hold the log's exact count, named.

    A figure the log determines but the document leaves out counts as zero. With
    ``only_published`` only the figures present are checked (a PDF shows a selection).
    """
    problems: list[str] = []
    names = set(published) if only_published else set(published) | set(exact)
    for name in sorted(names):
        n = exact.get(name, 0)
        value = published.get(name, 0)
        bounds = band_bounds(value)
        if bounds is None:
            problems.append(Message(gettext_noop("%(name)s: %(value)s is not a count"), name=name,
                                    value=repr(value)))
            continue
        low, high = bounds
        if low <= n <= high:
            continue
        how = _UNDERSTATED if high < n else _OVERSTATED
        if low != high:
            problems.append(Message(gettext_noop("%(name)s: the band %(band)s does not hold the exact count, "
                                                 "%(source)s %(count)s (%(how)s)"), name=name,
                                    band=Message("%(low)s\u2013%(high)s", low=Figure(low), high=Figure(high)),
                                    source=source, count=Figure(n), how=how))
        else:
            problems.append(Message(gettext_noop("%(name)s: the document says %(said)s, %(source)s %(count)s "
                                                 "(%(how)s)"), name=name, said=Figure(low), source=source,
                                    count=Figure(n), how=how))
    return problems
