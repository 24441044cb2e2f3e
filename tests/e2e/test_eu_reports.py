"""A TCO order removed from the desk appears in the EU reporting templates the auditor downloads."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from lawdesk.platform.ibis_connector import duckdb_connector
from lawdesk.transparency import eu_templates
from tests.e2e.conftest import LiveServer, Sessions, fill_removal_order, shot
from tests.factories import PDF_BYTES
from tests.support import read_xlsx

pytestmark = pytest.mark.e2e

OFFICER = "julien.moreau@justice-paris.example"
REVIEWER = "reviewer@platform.example"
AUDITOR = "auditor@platform.example"
CHANNEL = 700_000_003


def _tco_row(table: list[list[object]]) -> list[object]:
    [row] = [r for r in table[1:] if r[3] == "Risk for public security" and r[5] == "FR"]
    return row


def test_a_removed_tco_order_is_in_the_templates_the_auditor_downloads(
        sessions: Sessions, server: LiveServer, platform_data: Path, tmp_path: Path) -> None:
    conn = duckdb_connector(platform_data)
    # The channel's last message: the other removal journeys act on the first ones of 2025.
    messages = [m for year in (2025, 2026) for m in conn.content(
        conn.window(f"{year}-01-01T00:00:00Z", f"{year}-12-31T00:00:00Z"), chat_ids=[CHANNEL])]
    assert len(messages) >= 4
    message = messages[-1]
    pdf = tmp_path / "tco-order.pdf"
    pdf.write_bytes(PDF_BYTES)
    officer = sessions.page(OFFICER)
    fill_removal_order(officer, server, pdf, instrument="tco_removal_order", reference="TCO-FR-2026-0077",
                       file_number="TCO-J3-77", offence="terrorism", description="A call to join an armed group.",
                       link=f"https://msgr.example/demo_channel/{message.message_id}")
    expect(officer.locator(".messages")).to_contain_text("Request received as LD-")
    number = re.search(r"LD-\d{4}-\d{6}", officer.locator("h1").inner_text()).group(0)

    reviewer = sessions.page(REVIEWER)
    reviewer.goto(server.url + "/desk/removals/")
    reviewer.get_by_test_id("removal-row").filter(has_text=number).locator("a").click()
    case_id = re.search(r"/desk/removals/(\d+)/", reviewer.url).group(1)
    reviewer.check("input[name=mv-measure][value=remove]")
    reviewer.check("input[name=mv-confirm]")
    reviewer.click("[data-testid=apply]")
    expect(reviewer.locator(".messages")).to_contain_text("The measure is in force")
    # The feedback goes back to the authority: the case closes and its leaf enters the log.
    reviewer.goto(f"{server.url}/desk/cases/{case_id}/")
    reviewer.click("button:has-text('Report effect to the authority')")
    expect(reviewer.locator("body")).to_contain_text("Effect reported")
    server.cli("transparency", "publish")

    auditor = sessions.page(AUDITOR)
    auditor.goto(server.url + "/desk/")
    auditor.click("a:has-text('EU reports')")
    expect(auditor.locator("h1")).to_have_text("EU reporting templates")
    period = auditor.locator("select[name=period]").input_value()
    assert period == "2026"
    sheet = auditor.get_by_test_id("eu-sheet")
    expect(sheet.locator("th").first).to_have_text("Applicability")
    expect(sheet.locator("tr", has_text="Risk for public security")).to_contain_text("FR")
    shot(auditor, "40-desk-eu-templates")

    with auditor.expect_download() as got:
        auditor.get_by_test_id("download-orders-csv").click()
    assert got.value.suggested_filename == "member-states-orders-2026.csv"
    table = list(csv.reader(io.StringIO(Path(got.value.path()).read_text("utf-8"))))
    assert table[0] == list(eu_templates.COLUMNS)
    row = _tco_row(table)  # type: ignore[arg-type]
    assert int(str(row[6])) >= 1 and float(str(row[9])) < 1  # removed within minutes, medians in hours
    with auditor.expect_download() as got:
        auditor.get_by_test_id("download-orders-xlsx").click()
    assert got.value.suggested_filename == "member-states-orders-2026.xlsx"
    workbook = read_xlsx(Path(got.value.path()).read_bytes())
    assert workbook[0] == table[0]
    assert [eu_templates._cell_text(v) for v in _tco_row(workbook)] == row
    with auditor.expect_download() as got:
        auditor.get_by_test_id("download-tco-csv").click()
    tco = list(csv.reader(io.StringIO(Path(got.value.path()).read_text("utf-8"))))
    received = next(r for r in tco if r[1] == "removal_orders_received")
    assert int(received[2]) >= 1
    # What the desk downloads is what the command line computes from the same checkpoint.
    doc = json.loads(server.cli("transparency", "eu-report", "orders", "--period", "2026", "--format", "json"))
    assert [eu_templates._cell_text(v) for v in _tco_row(eu_templates.sheet_table(doc))] == row

