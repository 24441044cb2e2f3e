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
from django.utils.safestring import SafeString

from lawdesk.evidence import bag
from lawdesk.evidence.i18n import Catalogue, available, catalogue, gettext_noop, template_libraries
from lawdesk.evidence.package import NOT_HELD_LABEL

if TYPE_CHECKING:
    from lawdesk.evidence.package import PackageDescription, PackageFile, RecordSetSummary

_TEMPLATES = Path(__file__).parent / "templates"
# A standalone engine: the certificate renders the same with or without Django settings
# (benchmarks, scripts). Its {% translate %} tags read the catalogue of the version being
# written (lawdesk.evidence.i18n), never Django's active language.
_engine = Engine(dirs=[str(_TEMPLATES)], autoescape=True, libraries=template_libraries())

CATEGORY_LABELS = {
    "subscriber": gettext_noop("Subscriber data"),
    "identification": gettext_noop("Identification data (IP address, port, time)"),
    "traffic": gettext_noop("Traffic data"),
    "content": gettext_noop("Content data"),
}
_VERSION_LABELS = {
    "own": gettext_noop("Version in the language of the requesting authority"),
    "en": gettext_noop("Version in English"),
}
# Thousands separators, as each language writes a count (English: 1,234; French: 1 234).
_THOUSANDS = {"en": ",", "fr": "\u202f"}


def languages(description: PackageDescription) -> list[str]:
    """The certificate's versions: the requesting authority's language, then English.

    A language whose catalogue is not compiled is left out (logged) rather than written in
    English under a French label."""
    own = description.language
    return [own, "en"] if own and own != "en" and available(own) else ["en"]


def category_label(category: str, cat: Catalogue | None = None) -> str:
    """A data category as a person reads it."""
    label = CATEGORY_LABELS.get(category, category.replace("_", " ").capitalize())
    return cat.gettext(label) if cat else label


def _count(n: int, language: str) -> str:
    return f"{n:,}".replace(",", _THOUSANDS.get(language, ","))


def _results(description: PackageDescription, record_sets: Sequence[RecordSetSummary],
             cat: Catalogue, language: str) -> list[dict[str, Any]]:
    """One line per record set and per statement, grouped by target then category.

    A record set with no rows is never shown bare: it carries the statements recorded for its
    (target, category), or, when the producer recorded none, the plain fact that the search
    found nothing.
    """
    def label(reason: str) -> str:
        return cat.gettext(NOT_HELD_LABEL.get(reason, reason))

    statements: dict[tuple[str, str], list[Any]] = {}
    for s in description.not_held:
        statements.setdefault((s.target, s.category), []).append(s)
    used: set[tuple[str, str]] = set()
    lines: list[dict[str, Any]] = []
    for r in record_sets:
        key = (r.target, r.category)
        said = statements.get(key, [])
        used.add(key)
        line = {"category": category_label(r.category, cat), "target": r.target,
                "rows": _count(r.rows, language), "produced": r.rows > 0,
                "system": cat.gettext(r.system) if r.system else "", "files": f"{r.jsonl}, {r.csv}",
                "statements": [{"label": label(s.reason), "text": s.text(cat)} for s in said]}
        if not r.rows and not said:
            line["statements"] = [{"label": cat.gettext("No records"),
                                   "text": cat.gettext("The search of this system found no records "
                                                       "of this kind for this target.")}]
        lines.append(line)
    for s in description.not_held:
        if (s.target, s.category) in used:
            continue
        lines.append({"category": category_label(s.category, cat), "target": s.target,
                      "rows": "0", "produced": False, "system": "", "files": "",
                      "statements": [{"label": label(s.reason), "text": s.text(cat)}]})
    return lines


def _body(language: str, *, description: PackageDescription, now: datetime,
          files: Sequence[PackageFile], record_sets: Sequence[RecordSetSummary],
          key_fingerprint: str, bag_name: str, encrypted: bool) -> SafeString:
    """One version of the certificate, in ``language``."""
    d = description
    cat = catalogue(language)
    words = d.wording.get(language, {})
    total = sum(r.rows for r in record_sets)
    custodian = d.custodian
    name = custodian.name if custodian else d.producer
    ctx = {
        "catalogue": cat,
        "case_number": d.case_number,
        "authority": d.authority.name,
        "country": d.authority.country,
        "instrument_type": words.get("instrument_type") or d.instrument.type.replace("_", " "),
        "instrument_reference": d.instrument.reference,
        "instrument_date": d.instrument.date.isoformat(),
        "instrument_issuer": words.get("instrument_issuer") or d.instrument.issuer,
        "file_number": d.authority.file_number,
        "platform": d.platform_name,
        "custodian": ", ".join(p for p in (name, words.get("custodian_title")
                                           or (custodian.title if custodian else "")) if p),
        "custodian_organisation": (custodian.organisation if custodian else "") or d.platform_name,
        "produced_at": now.strftime("%Y-%m-%d %H:%M:%S UTC"),
        # The systems by their names in the catalogue, when they are there (the collector's are).
        "systems": [cat.gettext(str(s)) for s in d.systems],
        "results": _results(d, record_sets, cat, language),
        "total_rows": _count(total, language),
        "has_records": total > 0,
        "files": [{"path": f.path, "size": cat.gettext("%(size)s bytes") % {"size": _count(f.size, language)},
                   "sha256": f.sha256} for f in files],
        "key_fingerprint": key_fingerprint,
        "bag_name": bag_name,
        "encrypted": encrypted,
        "signed_file": bag.SIGNED_FILE,
        "signature_file": bag.SIGNATURE_FILE,
        "public_key_file": bag.PUBLIC_KEY_FILE,
        "certificate_file": bag.CERTIFICATE_FILE,
        "not_held_file": bag.NOT_HELD_FILE,
    }
    return SafeString(_engine.get_template("evidence/_certificate_body.html").render(Context(ctx)))


def certificate_html(*, description: PackageDescription, now: datetime, files: Sequence[PackageFile],
                     record_sets: Sequence[RecordSetSummary], key_fingerprint: str, bag_name: str,
                     encrypted: bool = False) -> str:
    """The certificate as HTML (what the PDF is rendered from): the requesting authority's
    language first, then English, each version complete and starting on its own page."""
    chosen = languages(description)
    versions = []
    for language in chosen:
        label = _VERSION_LABELS["en" if language == "en" else "own"]
        versions.append({
            "language": language, "label": catalogue(language).gettext(label),
            "body": _body(language, description=description, now=now, files=files,
                          record_sets=record_sets, key_fingerprint=key_fingerprint,
                          bag_name=bag_name, encrypted=encrypted)})
    return _engine.get_template("evidence/certificate.html").render(Context({
        "catalogue": catalogue(chosen[0]), "languages": chosen, "versions": versions,
        "case_number": description.case_number, "platform": description.platform_name,
        "produced_at_iso": now.isoformat()}))


def render_certificate(*, description: PackageDescription, now: datetime, files: Sequence[PackageFile],
                       record_sets: Sequence[RecordSetSummary], key_fingerprint: str, bag_name: str,
                       encrypted: bool = False) -> bytes:
    """The certificate as PDF bytes."""
    # reason: start-up time: weasyprint loads only when this runs
    from weasyprint import HTML

    html = certificate_html(description=description, now=now, files=files, record_sets=record_sets,
                            key_fingerprint=key_fingerprint, bag_name=bag_name, encrypted=encrypted)
    pdf = HTML(string=html, base_url=str(_TEMPLATES)).write_pdf()
    assert pdf is not None  # write_pdf() without a target returns the bytes
    return pdf
