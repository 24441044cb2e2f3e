"""The EU reporting templates, computed from the log's leaves (no Django: the verifier shares it).

Two documents per period, each reproducible by anyone from the published leaves:

- the **"Member States orders" sheet** of Commission Implementing Regulation (EU) 2024/2835 (DSA
  Art. 15(1)(a)): one row per issuing member state and category of illegal content, the template's
  20 columns in its order and with its headers — orders to act against illegal content and
  orders to provide information, their items, and the median times (in hours) to inform the
  authority of the receipt and to give effect;
- the **TCO transparency report** of Regulation (EU) 2021/784 Art. 7(3): removal orders, items
  removed or disabled, orders not given effect and why (the Annex III reasons), preservation —
  and, named as *not recorded by lawdesk*, what lawdesk does not hold (no invented zeros).

Each is a JSON document naming the checkpoint it was computed from, a CSV and an XLSX of the
same table. The CSV and XLSX bytes are a function of the document alone (the XLSX is written
here, stored uncompressed with fixed timestamps), so ``lawdesk transparency verify`` recomputes
all three from the leaves and compares them: a figure changed anywhere fails, named.

Counted from leaf format v2 (``leaves.OrderFacts``); a v1 leaf (written before these templates)
carries none of their facts and is left out, which the context columns say.
"""

from __future__ import annotations

import csv
import hashlib
import io
import statistics
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from lawdesk.evidence.catalogue import Message, gettext_noop
from lawdesk.transparency.leaves import OrderRow
from lawdesk.transparency.report import ReportError, check_scope, quarters_in

SHEET_FORMAT = "lawdesk-eu-member-states-orders/v1"
TCO_FORMAT = "lawdesk-tco-transparency-report/v1"
SHEET_NAME = "Member States orders"
TCO_SHEET_NAME = "TCO Art. 7 report"
TCO_INSTRUMENT = "tco_removal_order"
ANNEX_III_REASONS = ("force_majeure", "manifest_errors", "insufficient_information")

# The template's metric columns (7-13), in its order and words (INTEROP.md section 3.2).
METRICS = (
    "Number of orders to act against illegal content received",
    "Number of specific items of information included in the total number of orders to act against "
    "illegal content",
    "Median time to inform the authority of the receipt of the order to act against illegal content",
    "Median time to give effect to the order to act against illegal content",
    "Number of orders to provide information",
    "Median time to inform the authority of the receipt of the order to provide information",
    "Median time to give effect to the order to provide information",
)
COLUMNS = (
    "Applicability",
    "Service",
    "Reporting period",
    "Category of illegal content",
    'Description of the sub-category "Other"',
    "Scope",
    *METRICS,
    *(f"Contextual information on {m[0].lower()}{m[1:]}" for m in METRICS),
)
assert len(COLUMNS) == 20


class TemplateError(ReportError):
    """A template document is malformed."""


# --- Computing the documents from the leaves -------------------------------------------------

def period_dates(period: str) -> tuple[date, date]:
    """The first and last day of a year, half-year or quarter."""
    quarters = quarters_in(period)
    year, first, last = int(period[:4]), int(quarters[0][-1]), int(quarters[-1][-1])
    start = date(year, 3 * first - 2, 1)
    end = date(year + (last == 4), 1 if last == 4 else 3 * last + 1, 1) - timedelta(days=1)
    return start, end


def _in(rows: Iterable[OrderRow], period: str) -> list[OrderRow]:
    quarters = set(quarters_in(period))
    return [r for r in rows if r[0] in quarters]


def median_hours(minutes: Sequence[int]) -> float | None:
    """The median of minutes, in hours to two decimals (an even count takes the mean of the two
    middle values); None without any."""
    return round(statistics.median(minutes) / 60, 2) if minutes else None


def category_label(category: str) -> str:
    """``risk_for_public_security`` → ``Risk for public security`` (the statement category)."""
    return category.replace("_", " ").capitalize()


def _times(rows: list[OrderRow], column: int) -> list[int]:
    return sorted(r[column] for r in rows if r[column] is not None)  # type: ignore[misc]


def _ack_context(rows: list[OrderRow], times: list[int]) -> str:
    if not rows:
        return "No order of this type."
    return (f"Hours from receipt to the signed acknowledgement of receipt issued to the authority; "
            f"median of {len(times)} of {len(rows)} orders (for the others it is not recorded).")


def _effect_context(rows: list[OrderRow], times: list[int], what: str) -> str:
    if not rows:
        return "No order of this type."
    return (f"Hours from receipt to {what}; median of {len(times)} of {len(rows)} orders (the others "
            f"were not given effect).")


def member_states_orders(rows: Iterable[OrderRow], *, period: str, service: str) -> dict[str, Any]:
    """The "Member States orders" sheet of a period from the leaves' order facts."""
    check_scope(period, None)
    start, end = period_dates(period)
    groups: dict[tuple[str, str], list[OrderRow]] = {}
    for row in _in(rows, period):
        if row[2] in ("act", "info"):
            groups.setdefault((row[1], row[4]), []).append(row)
    out = []
    for (country, category), group in sorted(groups.items()):
        act = [r for r in group if r[2] == "act"]
        info = [r for r in group if r[2] == "info"]
        act_ack, act_eff = _times(act, 8), _times(act, 9)
        info_ack, info_eff = _times(info, 8), _times(info, 9)
        tco = sum(1 for r in act if r[3] == TCO_INSTRUMENT)
        art9 = sum(1 for r in act if r[3] == "dsa_art9_order")
        out.append([
            "Applicable", service, f"{start.isoformat()} to {end.isoformat()}", category_label(category), "",
            country, len(act), sum(r[5] for r in act), median_hours(act_ack), median_hours(act_eff),
            len(info), median_hours(info_ack), median_hours(info_eff),
            (f"Orders to act closed in the period (lawdesk counts an order when its case closes): "
             f"{tco} TCO removal orders, {art9} DSA Art. 9 orders, {len(act) - tco - art9} other; "
             f"{sum(1 for r in act if r[9] is not None)} given effect.") if act else "No order of this type.",
            (f"Items (URLs) named by the orders: {sum(r[6] for r in act)} given effect (removed or access "
             f"disabled), {sum(r[7] for r in act)} preserved.") if act else "No order of this type.",
            _ack_context(act, act_ack),
            _effect_context(act, act_eff, "the last item removed or disabled, as the platform reported it"),
            (f"Production and emergency disclosure orders closed in the period; "
             f"{sum(1 for r in info if r[9] is not None)} given effect.")
            if info else "No order of this type.",
            _ack_context(info, info_ack),
            _effect_context(info, info_eff, "the delivery of the data"),
        ])
    return {"format": SHEET_FORMAT, "period": period, "service": service, "columns": list(COLUMNS),
            "units": {"median": "hours"}, "rows": out}


def _measure(point: str, measure: str, value: int | float | None, note: str) -> dict[str, Any]:
    return {"point": point, "measure": measure, "value": value, "note": note}


NOT_RECORDED = "Not recorded by lawdesk"


def tco_report(rows: Iterable[OrderRow], *, period: str, service: str) -> dict[str, Any]:
    """The TCO transparency report (Reg. (EU) 2021/784 Art. 7(3)) of a period from the leaves."""
    check_scope(period, None)
    tco = [r for r in _in(rows, period) if r[3] == TCO_INSTRUMENT]
    given = [r for r in tco if r[6] > 0]
    not_given = [r for r in tco if r[6] == 0]
    effect = _times(tco, 9)
    counted = ("TCO removal orders closed in the period (lawdesk counts an order when its case "
               "closes; an order still open at the end of the period is counted when it closes).")
    measures = [
        _measure("7(3)(a)", "measures_to_identify_and_remove", None,
                 f"{NOT_RECORDED}: the provider describes its measures to identify and remove "
                 "terrorist content in its own words."),
        _measure("7(3)(b)", "measures_against_reappearance", None,
                 f"{NOT_RECORDED}: lawdesk runs no tool against the reappearance of removed content."),
        _measure("7(3)(c)", "removal_orders_received", len(tco), counted),
        _measure("7(3)(c)", "removal_orders_given_effect", len(given),
                 "Orders with at least one item removed or disabled in all member states."),
        _measure("7(3)(c)", "removal_orders_given_effect_within_one_hour",
                 sum(1 for t in effect if t <= 60),
                 "Every item given effect within 60 minutes of receipt (the clock restarts of Art. 3(7)-(8) "
                 "are not in the log: measured from receipt)."),
        _measure("7(3)(c)", "median_hours_to_give_effect", median_hours(effect),
                 f"Hours from receipt to the last item removed or disabled; median of {len(effect)} orders."),
        _measure("7(3)(c)", "items_named_in_removal_orders", sum(r[5] for r in tco), counted),
        _measure("7(3)(c)", "items_removed_or_disabled_following_removal_orders", sum(r[6] for r in tco),
                 "Items removed, or to which access was disabled in all member states."),
        _measure("7(3)(c)", "items_removed_or_disabled_following_specific_measures", None,
                 f"{NOT_RECORDED}: lawdesk records no specific measures (Art. 5)."),
        _measure("7(3)(c)", "removal_orders_not_given_effect", len(not_given),
                 "Orders closed without any item removed or disabled, by reason below."),
        *(_measure("7(3)(c)", f"not_given_effect:{reason}", sum(1 for r in not_given if r[10] == reason),
                   f"Annex III reason: {reason.replace('_', ' ')} (Art. 3(7)-(8)).")
          for reason in ANNEX_III_REASONS),
        _measure("7(3)(c)", "not_given_effect:no_annex_iii_reason",
                 sum(1 for r in not_given if r[10] not in ANNEX_III_REASONS),
                 "Refused or withdrawn without an Annex III form."),
        _measure("7(3)(d)", "complaints_handled", None,
                 f"{NOT_RECORDED}: complaints of content providers (Art. 10) are handled outside lawdesk."),
        _measure("7(3)(e)", "review_proceedings_brought", None,
                 f"{NOT_RECORDED}: administrative or judicial review brought by the provider."),
        _measure("7(3)(f)", "reinstated_after_review_proceedings", None,
                 f"{NOT_RECORDED} in the log: lawdesk records a reinstatement on the item after the case's "
                 "leaf is written, so it cannot be counted from the log."),
        _measure("7(3)(g)", "reinstated_after_complaint", None,
                 f"{NOT_RECORDED} in the log: as for 7(3)(f)."),
        _measure("6", "items_preserved", sum(r[7] for r in tco),
                 "Removed content and related data preserved for six months (Art. 6)."),
    ]
    return {"format": TCO_FORMAT, "period": period, "service": service, "measures": measures}


# --- Tables, CSV and XLSX --------------------------------------------------------------------

Table = list[list[Any]]


def sheet_table(doc: Mapping[str, Any]) -> Table:
    """The sheet as a table: the 20 headers, then one line per row."""
    return [list(doc["columns"]), *[list(r) for r in doc["rows"]]]


TCO_COLUMNS = ["Article", "Measure", "Value", "Note"]


def tco_table(doc: Mapping[str, Any]) -> Table:
    """The TCO report as a table: article point, measure, value (blank: not recorded), note."""
    return [TCO_COLUMNS, *[[m["point"], m["measure"], m["value"], m["note"]] for m in doc["measures"]]]


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def csv_bytes(table: Table) -> bytes:
    """The table as CSV (UTF-8, ``\\n`` line ends, medians to two decimals, blank for none)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in table:
        writer.writerow([_cell_text(v) for v in row])
    return out.getvalue().encode("utf-8")


def _column(n: int) -> str:
    name = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        name = chr(65 + rest) + name
    return name


def _xml_text(value: str) -> str:
    # Characters XML 1.0 cannot carry are dropped (none is expected: the text is ours).
    clean = "".join(c for c in value if c in "\t\n\r" or ord(c) >= 0x20)
    return clean.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _sheet_xml(table: Table) -> str:
    lines = []
    for r, row in enumerate(table, start=1):
        cells = []
        for c, value in enumerate(row):
            ref = f"{_column(c)}{r}"
            if value is None:
                continue
            if isinstance(value, int | float) and not isinstance(value, bool):
                cells.append(f'<c r="{ref}"><v>{_cell_text(value)}</v></c>')
            else:
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">'
                             f"{_xml_text(str(value))}</t></is></c>")
        lines.append(f'<row r="{r}">{"".join(cells)}</row>')
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f'<sheetData>{"".join(lines)}</sheetData></worksheet>')


def xlsx_bytes(table: Table, sheet_name: str) -> bytes:
    """The table as a one-sheet Office Open XML workbook (SpreadsheetML), byte for byte the same
    for the same table: entries stored uncompressed, in a fixed order, with a fixed timestamp."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            "</Types>"),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{pkg}">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{main}" '
            f'xmlns:r="{rel}"><sheets><sheet name="{_xml_text(sheet_name[:31])}" sheetId="1" r:id="rId1"/>'
            "</sheets></workbook>"),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{pkg}">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            "</Relationships>"),
        "xl/worksheets/sheet1.xml": _sheet_xml(table),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        for name, text in parts.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            archive.writestr(info, text.encode("utf-8"))
    return out.getvalue()


# --- Verifying published documents -----------------------------------------------------------

def _label(row: Sequence[Any]) -> str:
    return f"{row[5]} / {row[3]}"


def sheet_mismatches(said: Any, computed: Mapping[str, Any], *, source: str) -> list[str]:
    """Each figure of a published sheet that differs from the one computed from the log, named by
    its row (member state / category) and column header."""
    if not isinstance(said, Mapping) or said.get("format") != SHEET_FORMAT:
        return [Message(gettext_noop("not a %(format)s document"), format=SHEET_FORMAT)]
    if said.get("columns") != computed["columns"]:
        return [Message(gettext_noop("the columns are not the 20 columns of the template, in its order"))]
    rows_said = {(r[5], r[3]): r for r in said.get("rows", []) if isinstance(r, list) and len(r) == 20}
    rows_log = {(r[5], r[3]): r for r in computed["rows"]}
    problems: list[str] = []
    for key in sorted(rows_said.keys() | rows_log.keys()):
        a, b = rows_said.get(key), rows_log.get(key)
        if a is None or b is None:
            problems.append(Message(gettext_noop("row %(where)s: missing from the report (%(source)s a row)"),
                                    where=f"{key[0]} / {key[1]}", source=source) if a is None else
                            Message(gettext_noop("row %(where)s: not in the log (%(source)s no such row)"),
                                    where=f"{key[0]} / {key[1]}", source=source))
            continue
        for header, x, y in zip(computed["columns"], a, b, strict=True):
            if x != y:
                problems.append(Message(gettext_noop("row %(where)s, %(header)s: the report says %(said)s, "
                                                     "%(source)s %(value)s"), where=_label(b),
                                        header=repr(header), said=repr(x), source=source, value=repr(y)))
    if len(said.get("rows", [])) != len(rows_said):
        problems.append(Message(gettext_noop("a row does not have the template's 20 columns")))
    return problems


def tco_mismatches(said: Any, computed: Mapping[str, Any], *, source: str) -> list[str]:
    """Each figure of a published TCO report that differs from the one computed from the log."""
    if not isinstance(said, Mapping) or said.get("format") != TCO_FORMAT:
        return [Message(gettext_noop("not a %(format)s document"), format=TCO_FORMAT)]
    try:
        stated = {m["measure"]: m for m in said.get("measures", [])}
    except (TypeError, KeyError):
        return [Message(gettext_noop("the measures are malformed"))]
    problems: list[str] = []
    for m in computed["measures"]:
        s = stated.get(m["measure"])
        where = f"{m['point']} {m['measure']}"
        if s is None:
            problems.append(Message(gettext_noop("%(where)s: missing from the report"), where=where))
        elif s.get("value") != m["value"]:
            problems.append(Message(gettext_noop("%(where)s: the report says %(said)s, %(source)s %(value)s"),
                                    where=where, said=repr(s.get("value")), source=source,
                                    value=repr(m["value"])))
        elif s != m:
            problems.append(Message(gettext_noop("%(where)s: the report's note is not the log's (%(note)s)"),
                                    where=where, note=repr(m["note"])))
    for name in sorted(set(stated) - {m["measure"] for m in computed["measures"]}):
        problems.append(Message(gettext_noop("%(name)s: not a measure the log gives"), name=name))
    return problems


def file_mismatch(name: str, body: bytes, expected: bytes) -> list[str]:
    """Whether a published CSV or XLSX is byte for byte the one the log's figures give; for a CSV,
    the first line that differs."""
    if body == expected:
        return []
    if name.endswith(".csv"):
        got, want = body.decode("utf-8", "replace").split("\n"), expected.decode("utf-8").split("\n")
        for i, (a, b) in enumerate(zip(got, want, strict=False), start=1):
            if a != b:
                return [Message(gettext_noop("line %(line)s is %(said)s, the log gives %(value)s"), line=i,
                                said=repr(a), value=repr(b))]
        return [Message(gettext_noop("%(lines)s lines, the log gives %(expected)s"), lines=len(got),
                        expected=len(want))]
    return [Message(gettext_noop("the workbook (SHA-256 %(said)s…) is not the one the log's figures give "
                                 "(SHA-256 %(expected)s…)"), said=hashlib.sha256(body).hexdigest()[:16],
                    expected=hashlib.sha256(expected).hexdigest()[:16])]
