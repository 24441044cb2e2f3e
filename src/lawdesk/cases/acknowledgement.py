"""The acknowledgement of receipt: a printable PDF the officer files, signed by the platform.

The PDF states the case number, the time of receipt, the legal deadline and its basis in
words, and the SHA-256 of what was received (the canonical receipt JSON and each attached
file). It is rendered deterministically from the case's receipt — the same bytes on every
download — and signed with a detached Ed25519 signature over those bytes, which anyone can
check with ``lawdesk verify-receipt`` or ``openssl pkeyutl -verify -rawin`` against the
platform's receipt key published at ``/keys/receipt.pem`` (decision 0013: one key per purpose).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext

from lawdesk.cases.legal_clock import deadline_basis
from lawdesk.cases.models import Case
from lawdesk.core import keys
from lawdesk.core.locale import language_of_country


def _when(value: str | datetime) -> str:
    at = datetime.fromisoformat(value) if isinstance(value, str) else value
    return f"{at:%Y-%m-%d %H:%M:%S} UTC"


def context(case: Case) -> dict[str, Any]:
    """What the acknowledgement states: all of it from the receipt as issued at receipt time."""
    receipt = case.receipt
    return {
        "platform": settings.LAWDESK_PLATFORM_NAME,
        "case_number": case.number,
        "agency": receipt["agency"]["name"],
        "country": receipt["agency"]["country"],
        "officer": receipt["officer"],
        "kind": str(case.get_kind_display()),
        "instrument": f"{case.get_instrument_type_display()} {case.instrument_reference}",
        "instrument_date": receipt["instrument"]["date"],
        "file_number": case.authority_file_number,
        "received_at": _when(receipt["received_at"]),
        "deadline_at": _when(receipt["deadline_at"]),
        "deadline_basis": deadline_basis(case),
        "receipt_sha256": case.receipt_sha256,
        "attachments": receipt.get("attachments", []),
        "targets": len(receipt.get("targets", [])),
        "key_url": f"{settings.LAWDESK_BASE_URL.rstrip('/')}/keys/receipt.pem",
        "file_stem": f"{case.number}-acknowledgement",
    }


def languages(case: Case) -> list[str]:
    """The acknowledgement's languages: the requesting authority's (from its country, when
    lawdesk speaks it), then English. Fixed by the case, never by who downloads it: the PDF
    must be the same bytes on every download (its signature covers them)."""
    own = language_of_country(case.agency.country)
    return [own, "en"] if own and own != "en" else ["en"]


def acknowledgement_html(case: Case) -> str:
    """The acknowledgement in the authority's language and in English, one after the other."""
    chosen = languages(case)
    versions = []
    for language in chosen:
        with translation.override(language):
            versions.append({"language": language, "label": gettext("Version in English")
                             if language == "en" else gettext("Version in the language of the "
                                                              "requesting authority"),
                             "body": render_to_string("cases/_acknowledgement_body.html",
                                                      context(case))})
    with translation.override(chosen[0]):
        return render_to_string("cases/acknowledgement.html", {
            **context(case), "versions": versions, "languages": chosen})


def acknowledgement_pdf(case: Case) -> bytes:
    """The acknowledgement as PDF bytes: the same bytes every time for the same case."""
    # reason: start-up time: weasyprint loads only when this runs
    from weasyprint import HTML

    html = acknowledgement_html(case)
    # No creation or modification date in the metadata: it would make every copy different
    # and the detached signature valid for one download only.
    pdf = HTML(string=html).write_pdf(uncompressed_pdf=False)
    assert pdf is not None
    return pdf


def sign(pdf: bytes) -> bytes:
    """The detached Ed25519 signature over the PDF bytes (the only signing call for receipts)."""
    return keys.sign(pdf, purpose="receipt")
