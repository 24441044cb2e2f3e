"""The certificate of authenticity: an HTML template rendered to PDF by WeasyPrint.

A certificate is signed testimony, so every sentence in it follows from the data: the systems
named are the ones queried for this order, each (target, category) asked for is accounted for
(records produced, or the reason there are none), the person certifying is the deployment's
named custodian of records, and the verification steps match the package as delivered
(encrypted to the authority's age key, or not).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.template import Context, Engine

from lawdesk.evidence import bag

if TYPE_CHECKING:
    from lawdesk.evidence.package import PackageDescription, PackageFile, RecordSetSummary

_TEMPLATES = Path(__file__).parent / "templates"
# A standalone engine: the certificate renders the same with or without Django settings
# (benchmarks, scripts). Every value passed in is a string, so nothing consults i18n settings.
_engine = Engine(dirs=[str(_TEMPLATES)], autoescape=True)

CATEGORY_LABELS = {
    "subscriber": "Subscriber data",
    "identification": "Identification data (IP address, port, time)",
    "traffic": "Traffic data",
    "content": "Content data",
}


def _t(text: str) -> str:
    """Translate when Django is configured (the web app); as is otherwise (scripts, benchmarks)."""
    from django.conf import settings

    if not settings.configured:
        return text
    from django.utils.translation import gettext

    return gettext(text)


def category_label(category: str) -> str:
    """A data category as a person reads it."""
    return _t(CATEGORY_LABELS.get(category, category.replace("_", " ").capitalize()))


def _human_size(n: int) -> str:
    return f"{n:,} bytes"


def _results(description: PackageDescription, record_sets: Sequence[RecordSetSummary]
             ) -> list[dict[str, Any]]:
    """One line per record set and per statement, grouped by target then category.

    A record set with no rows is never shown bare: it carries the statements recorded for its
    (target, category), or, when the producer recorded none, the plain fact that the search
    found nothing.
    """
    from lawdesk.evidence.package import NOT_HELD_LABEL

    statements: dict[tuple[str, str], list[Any]] = {}
    for s in description.not_held:
        statements.setdefault((s.target, s.category), []).append(s)
    used: set[tuple[str, str]] = set()
    lines: list[dict[str, Any]] = []
    for r in record_sets:
        key = (r.target, r.category)
        said = statements.get(key, [])
        used.add(key)
        line = {"category": category_label(r.category), "target": r.target, "rows": f"{r.rows:,}",
                "system": r.system or "", "files": f"{r.jsonl}, {r.csv}",
                "status": _t("Produced") if r.rows else _t("No records"),
                "statements": [{"label": _t(NOT_HELD_LABEL.get(s.reason, s.reason)), "text": s.text()}
                               for s in said]}
        if not r.rows and not said:
            line["statements"] = [{"label": _t("No records"),
                                   "text": _t("The search of this system found no records of this "
                                              "kind for this target.")}]
        lines.append(line)
    for s in description.not_held:
        if (s.target, s.category) in used:
            continue
        lines.append({"category": category_label(s.category), "target": s.target, "rows": "0",
                      "system": "", "files": "", "status": _t(NOT_HELD_LABEL.get(s.reason, s.reason)),
                      "statements": [{"label": _t(NOT_HELD_LABEL.get(s.reason, s.reason)),
                                      "text": s.text()}]})
    return lines


def certificate_html(*, description: PackageDescription, now: datetime, files: Sequence[PackageFile],
                     record_sets: Sequence[RecordSetSummary], key_fingerprint: str, bag_name: str,
                     encrypted: bool = False) -> str:
    """The certificate as HTML (what the PDF is rendered from)."""
    d = description
    total = sum(r.rows for r in record_sets)
    custodian = d.custodian
    ctx = {
        "case_number": d.case_number,
        "authority": d.authority.name,
        "country": d.authority.country,
        "instrument_type": d.instrument.type.replace("_", " "),
        "instrument_reference": d.instrument.reference,
        "instrument_date": d.instrument.date.isoformat(),
        "instrument_issuer": d.instrument.issuer,
        "file_number": d.authority.file_number,
        "platform": d.platform_name,
        "custodian_name": custodian.name if custodian else d.producer,
        "custodian_title": custodian.title if custodian else "",
        "custodian_organisation": (custodian.organisation if custodian else "") or d.platform_name,
        "produced_at": now.strftime("%Y-%m-%d %H:%M:%S UTC"),
        "produced_at_iso": now.isoformat(),
        "systems": [str(s) for s in d.systems],
        "results": _results(d, record_sets),
        "total_rows": f"{total:,}",
        "has_records": total > 0,
        "set_count": len(record_sets),
        "files": [{"path": f.path, "size": _human_size(f.size), "sha256": f.sha256} for f in files],
        "key_fingerprint": key_fingerprint,
        "bag_name": bag_name,
        "encrypted": encrypted,
        "signed_file": bag.SIGNED_FILE,
        "signature_file": bag.SIGNATURE_FILE,
        "public_key_file": bag.PUBLIC_KEY_FILE,
        "certificate_file": bag.CERTIFICATE_FILE,
        "not_held_file": bag.NOT_HELD_FILE,
    }
    return _engine.get_template("evidence/certificate.html").render(Context(ctx))


def render_certificate(*, description: PackageDescription, now: datetime, files: Sequence[PackageFile],
                       record_sets: Sequence[RecordSetSummary], key_fingerprint: str, bag_name: str,
                       encrypted: bool = False) -> bytes:
    """The certificate as PDF bytes."""
    from weasyprint import HTML

    html = certificate_html(description=description, now=now, files=files, record_sets=record_sets,
                            key_fingerprint=key_fingerprint, bag_name=bag_name, encrypted=encrypted)
    pdf = HTML(string=html, base_url=str(_TEMPLATES)).write_pdf()
    assert pdf is not None  # write_pdf() without a target returns the bytes
    return pdf
