"""Write the public log to a directory that ``lawdesk transparency verify DIR`` checks offline."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings

from lawdesk.core import keys
from lawdesk.transparency import anchors, eu_publication, publication, selectors, services, statistics
from lawdesk.transparency.cosign import cosigned_note
from lawdesk.transparency.models import Checkpoint
from lawdesk.transparency.views import page_context, render_pdf


def export_log(directory: Path, *, pdf: bool = True) -> Checkpoint | None:
    """Export the latest checkpoint, the key, its leaves, and the published reports and statistics
    (JSON, CSV and, with ``pdf``, the PDF) of each scope a verifier checks, and the EU reporting
    templates of each such period (``eu/<period>-member-states-orders|tco-art7.json|csv|xlsx``).

    The same files the server publishes, and nothing else: no case reference, no salt.
    Returns the exported checkpoint, or None (and writes nothing) before the first one.
    """
    checkpoint = services.latest_checkpoint()
    if checkpoint is None:
        return None
    for folder in ("reports", "statistics", "eu"):
        (directory / folder).mkdir(parents=True, exist_ok=True)

    (directory / "checkpoint").write_text(cosigned_note(services.origin(), checkpoint.size,
                                                        checkpoint.note_text), "utf-8")
    (directory / "key").write_text(services.verifier().encode() + "\n", "utf-8")
    (directory / "key.pem").write_bytes(keys.public_key_pem("checkpoint"))
    leaves = selectors.leaf_data(0, checkpoint.size)
    (directory / "leaves.json").write_text(
        json.dumps({"tree_size": checkpoint.size, "leaves": leaves}, indent=0), "utf-8")
    periods, countries = publication.published_scopes()
    base_url = settings.LAWDESK_BASE_URL.rstrip("/") + "/transparency/"
    for period, country in publication.report_scopes():
        name = f"{period}-{country or 'all'}"
        report = publication.report_document(period, country)
        (directory / "reports" / f"{name}.json").write_text(json.dumps(report, indent=1), "utf-8")
        doc = publication.statistics_document(period, country)
        assert doc is not None
        (directory / "statistics" / f"{name}.json").write_text(json.dumps(doc, indent=1), "utf-8")
        (directory / "statistics" / f"{name}.csv").write_text(statistics.csv_text(doc), "utf-8")
        if pdf:
            context = page_context(period, country, periods=periods, countries=countries, base_url=base_url)
            (directory / "statistics" / f"{name}.pdf").write_bytes(render_pdf(context))
        if country is None:  # the EU templates: one per period, every member state in it
            for which, template in eu_publication.TEMPLATES.items():
                eu_doc = eu_publication.published(which, period)
                assert eu_doc is not None
                for fmt in eu_publication.FORMATS:
                    (directory / "eu" / f"{period}-{template.slug}.{fmt}").write_bytes(
                        eu_publication.render(which, eu_doc, fmt))
    anchors.export(directory / "anchors")
    return checkpoint
