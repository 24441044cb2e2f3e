"""The desk's removal queue and one-screen action; the officer's view of the effect given."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from lawdesk.cases.models import Status
from lawdesk.platform.content_actions import Withheld
from lawdesk.removal import services
from tests.removal.conftest import CHANNEL, tco_payload

pytestmark = pytest.mark.django_db


def test_the_queue_puts_the_fewest_minutes_left_first(client, submit, channel_messages, reviewer,
                                                      now, settings):
    later = submit(**tco_payload(channel_messages[:1]), at=now)
    sooner = submit(**tco_payload(channel_messages[1:2]), at=now - timedelta(minutes=50))
    client.force_login(reviewer)
    page = client.get("/desk/removals/").content.decode()
    assert page.index(sooner.number) < page.index(later.number)


def test_one_screen_shows_the_content_and_applies_the_measure(client, tco, channel_messages,
                                                              reviewer):
    client.force_login(reviewer)
    page = client.get(f"/desk/removals/{tco.pk}/").content.decode()
    assert channel_messages[0].text[:40] in page.replace("&#x27;", "'").replace("&quot;", '"')
    # Without the confirmation: a field error, nothing happens.
    refused = client.post(f"/desk/removals/{tco.pk}/", {"action": "apply", "mv-measure": "remove"})
    assert refused.status_code == 400 and services.content_actions().measures() == []
    # A partial geo-block: refused on the countries field.
    partial = client.post(f"/desk/removals/{tco.pk}/", {
        "action": "apply", "mv-measure": "disable_some", "mv-countries": "FR DE", "mv-confirm": "on"})
    assert partial.status_code == 400 and "all member states" in partial.content.decode()
    done = client.post(f"/desk/removals/{tco.pk}/", {
        "action": "apply", "mv-measure": "remove", "mv-confirm": "on"})
    assert done.status_code == 302
    tco.refresh_from_db()
    assert tco.status == Status.ACTIONED
    seen = services.platform_view().read(CHANNEL, channel_messages[0].message_id, country="FR")
    assert isinstance(seen, Withheld)


def test_the_officer_sees_the_effect_per_item_and_downloads_annex_ii(client, tco, reviewer, officer,
                                                                     now, make_agency,
                                                                     make_officer):
    client.force_login(officer)
    assert client.get(f"/portal/cases/{tco.pk}/annex-ii.json").status_code == 404  # nothing yet
    services.apply_measure(case=tco, actor=reviewer, now=now, measure="remove")
    page = client.get(f"/portal/cases/{tco.pk}/").content.decode()
    assert page.count('data-testid="effect-row"') == 2 and "annex-ii.pdf" in page
    doc = json.loads(client.get(f"/portal/cases/{tco.pk}/annex-ii.json").content)
    assert doc["complete"] and len(doc["section_b"]) == 2
    pdf = client.get(f"/portal/cases/{tco.pk}/annex-ii.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    stranger = make_officer(make_agency(name="Polizei", country="DE", domain="polizei.example"))
    client.force_login(stranger)
    assert client.get(f"/portal/cases/{tco.pk}/annex-ii.json").status_code == 404


def test_an_auditor_sees_but_cannot_act(client, tco, make_staff):
    client.force_login(make_staff("auditor", email="auditor@platform.example"))
    page = client.get(f"/desk/removals/{tco.pk}/").content.decode()
    assert 'data-testid="apply-form"' not in page
    response = client.post(f"/desk/removals/{tco.pk}/", {
        "action": "apply", "mv-measure": "remove", "mv-confirm": "on"})
    assert response.status_code == 403 and services.content_actions().measures() == []


def test_a_tco_order_sent_from_the_portal_names_a_channel_without_a_window(client, officer,
                                                                          channel_messages):
    """The portal asks no window for a removal order; the target still resolves."""
    from lawdesk.cases.models import Case
    from tests.removal.conftest import url

    client.force_login(officer)
    form = {"kind": "removal", "instrument_type": "tco_removal_order",
            "instrument_reference": "TCO-FR-9", "instrument_date": "2026-11-30",
            "issuer_name": "Anne Roussel", "issuer_role": "prosecutor",
            "authority_file_number": "TCO-J3-9", "offence_category": "terrorism",
            "offence_description": "Instructions for making explosives in a public channel.",
            "targets": "https://msgr.example/demo_channel",
            "content_locations": url(channel_messages[0])}
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.factories import PDF_BYTES

    form["attachments"] = SimpleUploadedFile("order.pdf", PDF_BYTES, "application/pdf")
    response = client.post("/portal/cases/new/?kind=removal", form)
    assert response.status_code == 302, response.content.decode()[:3000]
    case = Case.objects.get(authority_file_number="TCO-J3-9")
    target = case.targets.get()
    assert (target.window_end - target.window_start).days == 365
    assert case.removal_items.get().target.endswith(str(channel_messages[0].message_id))


def _sections(page: str) -> dict[str, str]:
    """Each ``<section … data-testid="X">`` of the page and its content."""
    import re

    return {m.group(1): m.group(2) for m in re.finditer(
        r'<section[^>]*data-testid="([^"]+)"[^>]*>(.*?)</section>', page, re.S)}


@pytest.mark.parametrize(("instrument", "heading", "heading_fr", "absent"), [
    ("tco_removal_order", "Feedback to the authority (Annex II)",
     "Retour d'information à l'autorité (annexe II)", "Art. 9(1)"),
    ("dsa_art9_order", "Report of the effect given to the authority (DSA Art. 9(1))",
     "Rapport à l'autorité sur la suite donnée (DSA art. 9, par. 1)", "Annex II"),
    ("court_order", "Feedback to the authority", "Retour d'information à l'autorité", "Art. 9(1)"),
])
def test_what_goes_back_to_the_authority_is_named_per_kind_of_order(
        client, submit, channel_messages, reviewer, now, instrument, heading, heading_fr, absent):
    from html import unescape

    case = submit(**tco_payload(channel_messages[:1], instrument_type=instrument,
                                offence_category="terrorism" if instrument != "dsa_art9_order"
                                else "threats"))
    services.apply_measure(case=case, actor=reviewer, now=now, measure="remove")
    client.force_login(reviewer)
    page = unescape(client.get(f"/desk/removals/{case.pk}/").content.decode())
    sections = _sections(page)
    assert f'data-testid="feedback-heading">{heading}</h2>' in sections["feedback"]
    assert absent not in sections["feedback"]
    # The reinstatement has its own section, after the second review, and only it holds the form.
    assert 'data-testid="restore-form"' in sections["reinstatement"]
    assert 'name="action" value="restore"' not in sections["second-review"]
    assert 'name="action" value="review"' in sections["second-review"]
    assert page.index('data-testid="second-review"') < page.index('data-testid="reinstatement"')
    french = unescape(client.get(f"/desk/removals/{case.pk}/",
                                 headers={"Accept-Language": "fr"}).content.decode())
    assert f'data-testid="feedback-heading">{heading_fr}</h2>' in french
    assert "Rétablissement" in _sections(french)["reinstatement"]


def test_the_case_is_locked_before_the_measure_takes_the_audit_chain(tco, reviewer, now):
    """The intake locks the agency, then the audit chain head; the measure must take them in the
    same order, or an order arriving while a measure is recorded deadlocks (PostgreSQL)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        services.apply_measure(case=tco, actor=reviewer, now=now, measure="remove")
    sql = [q["sql"] for q in queries.captured_queries]
    lock = next(i for i, q in enumerate(sql) if q.startswith("SELECT") and '"cases_case"' in q
                and '"accounts_agency"' in q and (connection.vendor != "postgresql" or "FOR UPDATE" in q))
    chain = next(i for i, q in enumerate(sql) if "audit_chain_head" in q or 'INTO "audit_event"' in q)
    assert lock < chain, (sql[lock], sql[chain])


@pytest.mark.parametrize(("instrument", "title", "cites_annex_ii"), [
    ("tco_removal_order", "Feedback on a removal order (Regulation (EU) 2021/784, Annex II)", True),
    ("court_order", "Feedback on a removal order", False),
])
def test_the_feedback_pdf_names_the_instrument_and_the_measure(submit, channel_messages, reviewer, now,
                                                                 instrument, title, cites_annex_ii):
    """Only a TCO order's feedback cites Annex II; a geo-block in named countries is said as such."""
    from pypdf import PdfReader

    from lawdesk.removal import feedback

    case = submit(**tco_payload(channel_messages[:1], instrument_type=instrument,
                                offence_category="terrorism"))
    if cites_annex_ii:
        services.apply_measure(case=case, actor=reviewer, now=now, measure="remove")
    else:  # a national order may be given effect in named countries only
        services.apply_measure(case=case, actor=reviewer, now=now, measure="disable", countries=["FR", "BE"])
    reader = PdfReader(__import__("io").BytesIO(feedback.annex_ii_pdf(case)))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert text.startswith(title)
    assert ("2021/784" in text) is cites_annex_ii
    expected = "Removed" if cites_annex_ii else "Access disabled in named countries"
    assert expected in text and "Not actioned" not in text
