"""A TCO removal order sent through the portal is given effect from the desk's one screen."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from lawdesk.platform.content_actions import PlatformView, SyntheticContentActions, Withheld
from lawdesk.platform.ibis_connector import duckdb_connector
from tests.e2e.conftest import LiveServer, Sessions, fill_removal_order, shot
from tests.factories import PDF_BYTES

pytestmark = pytest.mark.e2e

OFFICER = "julien.moreau@justice-paris.example"
REVIEWER = "reviewer@platform.example"
CHANNEL = 700_000_003


def test_tco_order_removed_from_the_one_screen_action(sessions: Sessions, server: LiveServer,
                                                      platform_data: Path, tmp_path: Path) -> None:
    conn = duckdb_connector(platform_data)
    window = conn.window("2025-01-01T00:00:00Z", "2025-12-31T00:00:00Z")
    message = next(iter(conn.content(window, chat_ids=[CHANNEL])))
    link = f"https://msgr.example/demo_channel/{message.message_id}"
    pdf = tmp_path / "tco-order.pdf"
    pdf.write_bytes(PDF_BYTES)

    officer = sessions.page(OFFICER)
    fill_removal_order(officer, server, pdf, instrument="tco_removal_order", reference="TCO-FR-2026-0042",
                       file_number="TCO-J3-42", offence="terrorism",
                       description="Instructions for making explosives posted in a public channel.",
                       link=link)
    expect(officer.locator(".messages")).to_contain_text("Request received as LD-")
    number = re.search(r"LD-\d{4}-\d{6}", officer.locator("h1").inner_text()).group(0)
    portal_case = officer.url

    reviewer = sessions.page(REVIEWER)
    reviewer.goto(server.url + "/desk/removals/")
    row = reviewer.get_by_test_id("removal-row").filter(has_text=number)
    expect(row.get_by_test_id("minutes-left")).to_have_text(re.compile(r"^(59|60)$"))
    row.locator("a").click()
    expect(reviewer.get_by_test_id("content-text")).to_contain_text(message.text[:30])
    expect(reviewer.get_by_test_id("seen-FR")).to_contain_text("visible")
    # A geo-block of two member states does not satisfy a TCO order.
    reviewer.check("input[name=mv-measure][value=disable_some]")
    reviewer.fill("input[name=mv-countries]", "FR DE")
    reviewer.check("input[name=mv-confirm]")
    reviewer.click("[data-testid=apply]")
    expect(reviewer.locator("#err-mv-countries")).to_contain_text("all member states")
    reviewer.check("input[name=mv-measure][value=remove]")
    reviewer.check("input[name=mv-confirm]")
    reviewer.click("[data-testid=apply]")
    expect(reviewer.locator(".messages")).to_contain_text("The measure is in force")
    expect(reviewer.get_by_test_id("status")).to_have_text("Actioned")
    for country in ("FR", "DE", "US"):
        expect(reviewer.get_by_test_id(f"seen-{country}")).to_contain_text("withheld")
    expect(reviewer.get_by_test_id("effect")).to_contain_text("Removed")
    expect(reviewer.get_by_test_id("feedback-heading")).to_have_text("Feedback to the authority (Annex II)")
    expect(reviewer.get_by_test_id("reinstatement").get_by_test_id("restore-form")).to_have_count(1)
    expect(reviewer.get_by_test_id("second-review").locator("input[name=rs-reason]")).to_have_count(0)
    # The statement of reasons (DSA Art. 17) waits in the outbox: this server has no database URL.
    expect(reviewer.get_by_test_id("statement-state")).to_contain_text("Waiting to be sent")
    shot(reviewer, "30-desk-tco-removal-done")
    exported = reviewer.request.get(server.url + "/desk/removals/statements.csv")
    assert exported.status == 200 and exported.text().startswith("sent_at,case,puid,uuid")
    seen = PlatformView(conn, SyntheticContentActions(platform_data)).read(
        CHANNEL, message.message_id, country="FR")
    assert isinstance(seen, Withheld) and seen.reference == number

    officer.goto(portal_case)
    expect(officer.get_by_test_id("effect-row")).to_contain_text("Removed")
    expect(officer.get_by_test_id("effect-row")).to_contain_text("Europe/Paris")  # their zone
    shot(officer, "31-portal-tco-effect")
    response = officer.request.get(portal_case + "annex-ii.json")
    doc = json.loads(response.body())
    assert doc["complete"] and doc["section_b"][0]["url"] == link
    assert doc["section_b"][0]["measure"] == "removed"


def test_tco_order_answered_with_annex_iii_stops_the_clock(sessions: Sessions, server: LiveServer,
                                                           platform_data: Path, tmp_path: Path) -> None:
    conn = duckdb_connector(platform_data)
    window = conn.window("2025-01-01T00:00:00Z", "2025-12-31T00:00:00Z")
    message = list(conn.content(window, chat_ids=[CHANNEL]))[1]
    pdf = tmp_path / "tco-order-2.pdf"
    pdf.write_bytes(PDF_BYTES)
    officer = sessions.page(OFFICER)
    fill_removal_order(officer, server, pdf, instrument="tco_removal_order", reference="TCO-FR-2026-0043",
                       file_number="TCO-J3-43", offence="terrorism",
                       description="A call to attack a public event.",
                       link=f"https://msgr.example/demo_channel/{message.message_id}")
    expect(officer.locator(".messages")).to_contain_text("Request received as LD-")
    number = re.search(r"LD-\d{4}-\d{6}", officer.locator("h1").inner_text()).group(0)
    portal_case = officer.url

    reviewer = sessions.page(REVIEWER)
    reviewer.goto(server.url + "/desk/removals/")
    reviewer.get_by_test_id("removal-row").filter(has_text=number).locator("a").click()
    reviewer.check("input[name=im-reason][value=insufficient_information]")
    reviewer.fill("textarea[name=im-explanation]", "The link names a message of another channel.")
    reviewer.fill("textarea[name=im-clarification]", "Please send the exact link of the post.")
    reviewer.click("[data-testid=declare-impossible]")
    expect(reviewer.locator(".messages")).to_contain_text("Annex III sent")
    expect(reviewer.get_by_test_id("minutes-left")).to_have_text("clock paused")
    expect(reviewer.get_by_test_id("annex-iii")).to_contain_text("does not contain sufficient information")
    shot(reviewer, "32-desk-tco-annex-iii")

    officer.goto(portal_case)
    expect(officer.get_by_test_id("annex-iii")).to_be_visible()
    doc = json.loads(officer.request.get(portal_case + "annex-iii.json").body())
    assert doc["section_b"]["reason"] == "insufficient_information"
    assert doc["section_a"]["provider_file_number"] == number


def test_dsa_art9_order_given_effect_in_its_scope(sessions: Sessions, server: LiveServer,
                                                 platform_data: Path, tmp_path: Path) -> None:
    conn = duckdb_connector(platform_data)
    window = conn.window("2025-01-01T00:00:00Z", "2025-12-31T00:00:00Z")
    message = list(conn.content(window, chat_ids=[CHANNEL]))[2]
    pdf = tmp_path / "art9-order.pdf"
    pdf.write_bytes(PDF_BYTES)
    officer = sessions.page(OFFICER)
    officer.goto(server.url + "/portal/cases/new/?kind=removal")
    officer.select_option("select[name=instrument_type]", "dsa_art9_order")
    officer.fill("input[name=instrument_reference]", "DSA9-FR-2026-7")
    officer.fill("input[name=instrument_date]", "2026-11-30")
    officer.fill("input[name=issuer_name]", "Anne Roussel")
    officer.select_option("select[name=issuer_role]", "prosecutor")
    officer.fill("input[name=authority_file_number]", "DSA9-J3-7")
    officer.select_option("select[name=offence_category]", "threats")
    officer.fill("textarea[name=offence_description]", "Threats against a public official.")
    officer.fill("textarea[name=targets]", "https://msgr.example/demo_channel")
    officer.fill("textarea[name=content_locations]", f"https://msgr.example/demo_channel/{message.message_id}")
    officer.set_input_files("input[name=attachments]", str(pdf))
    officer.click("button:has-text('Send the request')")
    expect(officer.locator(".messages")).to_contain_text("Request received as LD-")
    number = re.search(r"LD-\d{4}-\d{6}", officer.locator("h1").inner_text()).group(0)
    portal_case = officer.url

    reviewer = sessions.page(REVIEWER)
    reviewer.goto(server.url + "/desk/removals/")
    reviewer.get_by_test_id("removal-row").filter(has_text=number).locator("a").click()
    reviewer.fill("input[name=sc-countries]", "FR BE")
    reviewer.click("[data-testid=record-scope]")
    expect(reviewer.get_by_test_id("scope")).to_contain_text("BE, FR")
    reviewer.check("input[name=mv-measure][value=disable_some]")
    reviewer.fill("input[name=mv-countries]", "FR")
    reviewer.check("input[name=mv-confirm]")
    reviewer.click("[data-testid=apply]")
    expect(reviewer.locator("#err-mv-countries")).to_contain_text("narrower than the order")
    reviewer.check("input[name=mv-measure][value=disable_some]")
    reviewer.fill("input[name=mv-countries]", "FR BE")
    reviewer.check("input[name=mv-confirm]")
    reviewer.click("[data-testid=apply]")
    expect(reviewer.locator(".messages")).to_contain_text("The measure is in force")
    expect(reviewer.get_by_test_id("seen-FR")).to_contain_text("withheld")
    expect(reviewer.get_by_test_id("seen-DE")).to_contain_text("visible")
    expect(reviewer.get_by_test_id("effect-report")).to_contain_text(OFFICER)
    expect(reviewer.get_by_test_id("statement-state")).to_contain_text("Not for the database")
    shot(reviewer, "33-desk-dsa-art9")

    officer.goto(portal_case)
    expect(officer.get_by_test_id("art9-report")).to_be_visible()
    doc = json.loads(officer.request.get(portal_case + "art9-report.json").body())
    assert doc["order"]["territorial_scope"] == ["BE", "FR"] and doc["complete"]


def test_dsa_art9_order_with_its_scope_sent_from_the_portal(sessions: Sessions, server: LiveServer,
                                                          platform_data: Path, tmp_path: Path) -> None:
    """The officer states the territorial scope with the order (EU/EEA codes, GR for Greece);
    the desk's page names the Art. 9(1) report (not TCO's Annex II) and keeps the reinstatement
    in its own section, after the second review."""
    conn = duckdb_connector(platform_data)
    window = conn.window("2025-01-01T00:00:00Z", "2025-12-31T00:00:00Z")
    message = list(conn.content(window, chat_ids=[CHANNEL]))[3]
    pdf = tmp_path / "art9-order-2.pdf"
    pdf.write_bytes(PDF_BYTES)
    officer = sessions.page(OFFICER)
    fill_removal_order(officer, server, pdf, instrument="dsa_art9_order", reference="DSA9-FR-2026-8",
                       file_number="DSA9-J3-8", offence="threats",
                       description="Threats against a public official.",
                       link=f"https://msgr.example/demo_channel/{message.message_id}", scope="FR, EL")
    expect(officer.locator("#err-territorial_scope")).to_contain_text("Use the ISO code GR for EL")
    officer.fill("input[name=territorial_scope]", "FR, BE")
    officer.set_input_files("input[name=attachments]", str(pdf))
    officer.click("button:has-text('Send the request')")
    expect(officer.locator(".messages")).to_contain_text("Request received as LD-")
    number = re.search(r"LD-\d{4}-\d{6}", officer.locator("h1").inner_text()).group(0)

    reviewer = sessions.page(REVIEWER)
    reviewer.goto(server.url + "/desk/removals/")
    reviewer.get_by_test_id("removal-row").filter(has_text=number).locator("a").click()
    expect(reviewer.get_by_test_id("scope")).to_contain_text("BE, FR")  # as the order states it
    reviewer.check("input[name=mv-measure][value=disable_some]")
    reviewer.fill("input[name=mv-countries]", "FR BE")
    reviewer.check("input[name=mv-confirm]")
    reviewer.click("[data-testid=apply]")
    expect(reviewer.locator(".messages")).to_contain_text("The measure is in force")
    expect(reviewer.get_by_test_id("feedback-heading")).to_have_text(
        "Report of the effect given to the authority (DSA Art. 9(1))")
    expect(reviewer.get_by_test_id("feedback")).to_contain_text(OFFICER)  # the report waits for them
    expect(reviewer.locator("main")).not_to_contain_text("Annex II")
    expect(reviewer.get_by_test_id("second-review").locator("input[name=rs-reason], "
                                                        "[data-testid=restore-form]")).to_have_count(0)
    section = reviewer.get_by_test_id("reinstatement")
    expect(section.locator("h2")).to_have_text("Reinstatement")
    expect(section).to_contain_text("DSA Art. 20")
    expect(section.get_by_test_id("restore-form")).to_have_count(1)
    after_review = reviewer.evaluate(
        "() => !!(document.querySelector('[data-testid=second-review]').compareDocumentPosition("
        "document.querySelector('[data-testid=reinstatement]')) & Node.DOCUMENT_POSITION_FOLLOWING)")
    assert after_review
    shot(reviewer, "34-desk-dsa-art9-report-and-reinstatement")
    section.get_by_role("textbox").fill("The order was set aside by the court of appeal.")
    section.get_by_test_id("reinstate").click()
    expect(reviewer.locator(".messages")).to_contain_text("1 item reinstated")
    expect(reviewer.get_by_test_id("seen-FR")).to_contain_text("visible")
    expect(reviewer.get_by_test_id("effect")).to_contain_text("reinstated")
