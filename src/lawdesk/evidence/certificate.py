"""The certificate of authenticity: an HTML template rendered to PDF by WeasyPrint."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from django.template import Context, Engine

from lawdesk.evidence import bag

if TYPE_CHECKING:
    from lawdesk.evidence.package import PackageDescription, PackageFile, RecordSetSummary

_TEMPLATES = Path(__file__).parent / "templates"
# A standalone engine: the certificate renders the same with or without Django settings
# (benchmarks, scripts). Every value passed in is a string, so nothing consults i18n settings.
_engine = Engine(dirs=[str(_TEMPLATES)], autoescape=True)


def _human_size(n: int) -> str:
    return f"{n:,} bytes"


def certificate_html(*, description: PackageDescription, now: datetime, files: Sequence[PackageFile],
                     record_sets: Sequence[RecordSetSummary], key_fingerprint: str, bag_name: str) -> str:
    """The certificate as HTML (what the PDF is rendered from)."""
    d = description
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
        "producer": d.producer,
        "produced_at": now.strftime("%Y-%m-%d %H:%M:%S UTC"),
        "produced_at_iso": now.isoformat(),
        "systems": [str(s) for s in d.systems],
        "record_sets": [{"category": r.category, "target": r.target, "rows": f"{r.rows:,}",
                         "system": r.system or "", "files": f"{r.jsonl}, {r.csv}"} for r in record_sets],
        "not_held": [{"target": s.target, "category": s.category, "reason": s.reason.replace("_", " "),
                      "text": s.text()} for s in d.not_held],
        "files": [{"path": f.path, "size": _human_size(f.size), "sha256": f.sha256} for f in files],
        "key_fingerprint": key_fingerprint,
        "bag_name": bag_name,
        "signed_file": bag.SIGNED_FILE,
        "signature_file": bag.SIGNATURE_FILE,
        "public_key_file": bag.PUBLIC_KEY_FILE,
        "certificate_file": bag.CERTIFICATE_FILE,
    }
    return _engine.get_template("evidence/certificate.html").render(Context(ctx))


def render_certificate(*, description: PackageDescription, now: datetime, files: Sequence[PackageFile],
                       record_sets: Sequence[RecordSetSummary], key_fingerprint: str, bag_name: str) -> bytes:
    """The certificate as PDF bytes."""
    from weasyprint import HTML

    html = certificate_html(description=description, now=now, files=files, record_sets=record_sets,
                            key_fingerprint=key_fingerprint, bag_name=bag_name)
    pdf = HTML(string=html, base_url=str(_TEMPLATES)).write_pdf()
    assert pdf is not None  # write_pdf() without a target returns the bytes
    return pdf
