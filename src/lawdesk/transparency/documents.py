"""Reading the figures back out of the published statistics: JSON, CSV and PDF (no Django).

The verifier recounts every figure the log's leaves determine and compares it with what each
document says; these readers turn each format into the same ``{name: count or band}`` mapping
(names as ``report.log_figures`` gives them).
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from typing import Any

from lawdesk.evidence.catalogue import LOCALE_DIR, Message, available, catalogue, gettext_noop
from lawdesk.transparency.charts import OUTCOME_LABELS
from lawdesk.transparency.report import CLOSED_OUTCOMES, TABLE_MEASURES, ReportError, statistics_figures

_FIGURE = r"[0-9][0-9,]*(?:\u2013[0-9][0-9,]*)?"
# A count grouped as its language writes it: 2,072, or 2 072 with a no-break space or a narrow
# one (French). Read before the line's spaces fold, which would split the figure in two.
_GROUPING = re.compile(r"(?<=[0-9])[\u00a0\u202f](?=[0-9]{3}(?![0-9]))")


@dataclass(frozen=True)
class Document:
    """One published document of the statistics of a period and country (None: all countries)."""

    name: str  # statistics.json | statistics.csv | report.pdf
    period: str
    country: str | None
    body: bytes


def parse_figure(text: str) -> int | dict[str, int] | str:
    """``1,386`` → 1386, two counts joined by an en dash → a band; anything else as it is."""
    text = text.strip()
    if re.fullmatch(r"[0-9][0-9,]*", text):
        return int(text.replace(",", ""))
    match = re.fullmatch(r"([0-9][0-9,]*)\u2013([0-9][0-9,]*)", text)
    if match:
        return {"from": int(match[1].replace(",", "")), "to": int(match[2].replace(",", ""))}
    return text


def json_figures(body: bytes) -> tuple[dict[str, Any], dict[str, Any]]:
    """The document and its log-checkable figures."""
    try:
        doc = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ReportError(Message(gettext_noop("not JSON"))) from exc
    if not isinstance(doc, dict):
        raise ReportError(Message(gettext_noop("not a statistics document")))
    return doc, statistics_figures(doc)


def csv_figures(body: bytes) -> dict[str, Any]:
    """The log-checkable figures of the CSV (section, key, measure, value)."""
    try:
        rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ReportError(Message(gettext_noop("not a CSV file"))) from exc
    if not rows or rows[0] != ["section", "key", "measure", "value"]:
        raise ReportError(Message(gettext_noop("not the statistics CSV (header section,key,measure,value)")))
    out: dict[str, Any] = {}
    for row in rows[1:]:
        if len(row) != 4:
            continue
        section, key, measure, value = row
        name = None
        if section == "headline" and measure == "requests_fulfilled":
            name = "requests_fulfilled"
        elif section == "headline" and (measure in CLOSED_OUTCOMES or measure == "accounts_affected"):
            name = f"headline.{measure}"
        elif section == "by_kind" and measure in TABLE_MEASURES:
            name = f"by_kind.{key}.{measure}"
        elif section == "quarterly" and " " in key:
            country, quarter = key.split(" ", 1)
            name = f"quarterly.{country}.{quarter}.{measure}"
        elif section == "quarterly_total":
            name = f"quarterly_total.{key}.{measure}"
        if name is not None:
            out[name] = parse_figure(value)
    return out


PDF_NAMES = ("headline.", "requests_fulfilled", "quarterly.")
"""The figures a PDF shows in a readable place: the tiles, the outcomes and the quarterly table."""


@dataclass(frozen=True)
class _PdfWords:
    """The words the PDF report prints its figures under, in one language."""

    fulfilled: str  # the tile "Requests fulfilled", lower case
    affected: str  # the tile "Users affected", lower case
    ended: str  # the heading "How requests ended"
    refused: str  # what starts a refusal reason's row ("Refused: ")
    outcomes: dict[str, str]  # outcome label → outcome


def _words(language: str) -> _PdfWords:
    cat = catalogue(language)
    return _PdfWords(
        fulfilled=cat.gettext("Requests fulfilled").lower(), affected=cat.gettext("Users affected").lower(),
        ended=cat.gettext("How requests ended"),
        refused=cat.gettext("Refused: %(label)s").split("%(label)s")[0],
        outcomes={" ".join(cat.gettext(label).split()): key for key, label in OUTCOME_LABELS.items()})


def pdf_languages() -> list[str]:
    """English, and every language whose catalogue is compiled: the PDF is in its reader's language."""
    found = sorted(p.name for p in LOCALE_DIR.iterdir() if p.is_dir() and p.name != "en") \
        if LOCALE_DIR.is_dir() else []
    return ["en", *[language for language in found if available(language)]]


def pdf_figures(body: bytes) -> dict[str, Any]:
    """The figures printed in the PDF, read from its text: requests fulfilled and users affected,
    how requests ended (an outcome not listed had none), and the quarterly table. The PDF is in
    its reader's language: its words are looked up in each language lawdesk has a catalogue for,
    and its counts are grouped with a comma (English, and French PDFs of earlier releases) or a
    no-break space (French)."""
    try:
        # reason: start-up time: pypdf loads only when this runs
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError
    except ImportError as exc:  # pragma: no cover - pypdf is a dependency
        raise ReportError("reading PDFs needs the pypdf package") from exc
    try:
        text = "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(body)).pages)
    except (PdfReadError, ValueError, KeyError) as exc:
        raise ReportError(Message(gettext_noop("not a readable PDF (%(error)s)"), error=exc)) from exc
    lines = [" ".join(_GROUPING.sub(",", line).split()) for line in text.splitlines()]
    words = next((w for w in map(_words, pdf_languages()) if w.ended in lines), None)
    if words is None:
        raise ReportError(Message(gettext_noop("the PDF has no table of how requests ended")))
    out: dict[str, Any] = {}
    tiles = {words.fulfilled: "requests_fulfilled", words.affected: "headline.accounts_affected"}
    for i, line in enumerate(lines[:-1]):
        name = tiles.get(line.lower())
        if name is not None and name not in out:
            out[name] = parse_figure(lines[i + 1])
        quarter = re.fullmatch(rf"([A-Z]{{2}}) ([0-9]{{4}}-Q[1-4]) ({_FIGURE}) ({_FIGURE})", line)
        if quarter:
            prefix = f"quarterly.{quarter[1]}.{quarter[2]}"
            out[f"{prefix}.requests_fulfilled"] = parse_figure(quarter[3])
            out[f"{prefix}.users_affected"] = parse_figure(quarter[4])
    if len([n for n in out if not n.startswith("quarterly.")]) < len(tiles):
        raise ReportError(Message(gettext_noop(
            "the PDF does not show requests fulfilled and users affected where expected")))
    for outcome in CLOSED_OUTCOMES:
        out[f"headline.{outcome}"] = 0
    for line in lines[lines.index(words.ended) + 1:]:
        match = re.fullmatch(rf"(.+?) ({_FIGURE})", line)
        if match is None:
            break
        if match[1].startswith(words.refused.strip()) or words.outcomes.get(match[1]) == "pending":
            continue
        if match[1] not in words.outcomes:
            break
        out[f"headline.{words.outcomes[match[1]]}"] = parse_figure(match[2])
    return out
