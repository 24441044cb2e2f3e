"""The Annex II feedback of Reg. (EU) 2021/784 (Art. 3(6)): what was done, per URL, and when.

Section A: addressee, issuing authority, file references, time and date of receipt.
Section B: per URL, the content removed or access disabled in all member states, with the
exact time of the measure. Section C: the provider, the person who acted, contact, date.
The same facts go out as a machine document (JSON) and as a PDF rendered from them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

from lawdesk.cases.models import Case
from lawdesk.removal.models import RemovalItem
from lawdesk.removal.services import is_tco

SCHEMA = "lawdesk/tco-annex-ii/1"
_MEASURES: dict[str, str] = {RemovalItem.Measure.REMOVE.value: "removed",
                             RemovalItem.Measure.DISABLE_EU.value: "access_disabled_in_all_member_states",
                             RemovalItem.Measure.DISABLE_SOME.value: "access_disabled_in_named_countries"}


def _iso(at: datetime | None) -> str | None:
    return None if at is None else at.isoformat(timespec="microseconds")


def annex_ii(case: Case) -> dict[str, Any]:
    """The feedback as a machine document (only items given effect are reported as done)."""
    items = list(case.removal_items.select_related("effect_by"))
    done = [i for i in items if i.effect_at is not None]
    last = max((i.effect_at for i in done if i.effect_at), default=None)
    actors = sorted({i.effect_by.full_name for i in done if i.effect_by is not None})
    return {
        "schema": SCHEMA,
        "section_a": {
            "addressee": settings.LAWDESK_PLATFORM_NAME,
            "issuing_authority": case.agency.name,
            "issuing_member_state": case.agency.country,
            "removal_order_reference": case.instrument_reference,
            "authority_file_number": case.authority_file_number,
            "provider_file_number": case.number,
            "received_at": _iso(case.received_at),
        },
        "section_b": [
            {"url": i.location,
             "measure": _MEASURES.get(i.measure, "not_actioned"),
             "measure_at": _iso(i.effect_at),
             "reinstated_at": _iso(i.restored_at)}
            for i in items
        ],
        "section_c": {
            "provider": settings.LAWDESK_PLATFORM_NAME,
            "authorised_persons": actors,
            "contact": settings.DEFAULT_FROM_EMAIL,
            "date": _iso(last),
        },
        "complete": bool(items) and len(done) == len(items),
    }


def annex_ii_pdf(case: Case) -> bytes:
    """The feedback as a PDF rendered from the same document."""
    # reason: start-up time: weasyprint loads only when this runs
    from weasyprint import HTML

    # Only a TCO removal order's feedback is the Annex II of Reg. (EU) 2021/784; a national
    # order gets the same facts under a title that cites no instrument it was not given under.
    html = render_to_string("removal/annex_ii.html", {"doc": annex_ii(case), "case": case,
                                                      "tco": is_tco(case)})
    pdf = HTML(string=html).write_pdf()
    assert pdf is not None
    return pdf
