"""The public transparency report in Chromium: charts, selectors, downloads, no personal data,
and the published log verifying (and a tampered report failing)."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveServer, shot

pytestmark = pytest.mark.e2e

SEED = ("from lawdesk.demo.history import seed_history; from lawdesk.core.clock import utcnow; "
        "seed_history(utcnow())")
PRIVATE = ("claire.dubois@police-nationale.example", "julien.moreau@justice-paris.example",
           "@suspect_", "LD-2024-", "PV-2024-", "REQ-2024-", "Claire Dubois", "Julien Moreau")


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=60) as response:
        return response.read()


def test_public_report_page_with_charts_and_no_personal_data(page: Page, server: LiveServer, tmp_path) -> None:
    server.cli("manage", "shell", "-c", SEED, timeout=900)  # 953 cases: ~1.5 min on PostgreSQL
    # Anonymous: no sign-in.
    page.goto(server.url + "/transparency/")
    expect(page.locator("h1")).to_contain_text("the year 2024")
    expect(page.get_by_test_id("fulfilled")).to_have_text("893")
    expect(page.get_by_test_id("users")).to_have_text("2,072")
    chart = page.get_by_test_id("chart-quarterly")
    expect(chart).to_be_visible()
    assert chart.bounding_box()["height"] > 150
    # 4 and 6 requests (quarters 1 and 2) are below the threshold: published as the band 1 to 9.
    for value in ("1\u20139", "210", "673", "17", "37", "632", "1,386"):
        expect(chart.locator("text", has_text=value).first).to_be_visible()
    expect(page.get_by_test_id("policy")).to_contain_text("Only closed periods are shown, 30 days after they end")
    # The quarter under way (a request filed minutes ago) is nowhere to be chosen.
    options = page.locator("select[name=period] option").all_inner_texts()
    assert "2024-Q4" in options and not [o for o in options if o.startswith("2026")], options
    expect(page.get_by_test_id("chart-outcomes")).to_be_visible()
    expect(page.get_by_test_id("agrees")).to_be_visible()
    shot(page, "transparency-2024")
    # The selectors work without JavaScript: a plain GET form.
    page.select_option("select[name=period]", "2024-Q4")
    page.select_option("select[name=country]", "FR")
    page.click("button:has-text('Show')")
    expect(page.locator("h1")).to_contain_text("2024, quarter 4, FR")
    expect(page.get_by_test_id("fulfilled")).to_have_text("673")
    shot(page, "transparency-2024-q4-fr")
    html = page.content()
    csv_text = _get(server.url + "/transparency/statistics.csv?period=2024&country=FR").decode()
    json_text = _get(server.url + "/transparency/statistics.json?period=2024").decode()
    report = _get(server.url + "/transparency/report.json?period=2024&country=FR").decode()
    pdf = _get(server.url + "/transparency/report.pdf?period=2024&country=FR")
    assert pdf.startswith(b"%PDF-")
    assert "quarterly,FR 2024-Q3,users_affected,632" in csv_text
    assert json.loads(json_text)["agrees_with_log"] is True
    for text in (html, csv_text, json_text, report):
        for private in PRIVATE:
            assert private not in text, private
    # The published log verifies; a report that understates a count does not.
    env = {**server.env}
    verify = [sys.executable, "-m", "lawdesk", "transparency", "verify", "--state-dir", str(tmp_path / "st")]
    ok = subprocess.run([*verify, server.url + "/transparency/"], env=env, capture_output=True, text=True,
                        timeout=120, check=False)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "VERIFIED" in ok.stdout
    export = tmp_path / "export"
    server.cli("transparency", "export", str(export))
    doc = json.loads((export / "reports" / "2024-FR.json").read_text())
    doc["counts"]["requests"] -= 10
    (export / "reports" / "2024-FR.json").write_text(json.dumps(doc))
    bad = subprocess.run([*verify, str(export)], env=env, capture_output=True, text=True, timeout=120,
                         check=False)
    assert bad.returncode == 1 and "understated" in bad.stderr, bad.stdout + bad.stderr
    # In French, 2,072 reads as about two: thousands are grouped with a narrow no-break space.
    page.set_extra_http_headers({"Accept-Language": "fr"})
    page.goto(server.url + "/transparency/?period=2024&country=FR")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    assert page.get_by_test_id("users").text_content() == "2\u202f072"
    labels = page.get_by_test_id("chart-quarterly").locator("text").all_text_contents()
    assert "1\u202f386" in labels and "1\u20139" in labels and "632" in labels, labels
    assert "2,072" not in page.content() and "1,386" not in page.content()
    shot(page, "transparency-2024-fr")


def test_officer_sees_and_downloads_the_log_receipt(sessions, server: LiveServer, tmp_path) -> None:
    server.cli("manage", "shell", "-c", SEED, timeout=900)  # idempotent
    out = server.cli("manage", "shell", "-c",
                     "from lawdesk.cases.models import Case; print(Case.objects.filter("
                     "officer__user__email='claire.dubois@police-nationale.example', "
                     "received_at__year=2024, status='closed').order_by('pk').first().pk)")
    pk = int(out.strip().splitlines()[-1])
    page = sessions.page("claire.dubois@police-nationale.example")
    page.goto(f"{server.url}/portal/cases/{pk}/")
    block = page.get_by_test_id("log-receipt")
    expect(block).to_be_visible()
    expect(block).to_contain_text("fulfilled")
    shot(page, "transparency-officer-receipt")
    with page.expect_download() as info:
        block.get_by_text("Download the log receipt").click()
    path = tmp_path / "receipt.json"
    info.value.save_as(path)
    receipt = json.loads(path.read_text())
    assert receipt["format"] == "lawdesk-transparency-receipt/v1" and len(receipt["salt"]) == 64
    result = subprocess.run([sys.executable, "-m", "lawdesk", "transparency", "verify-receipt", str(path),
                             "--state-dir", str(tmp_path / "st"), "--log", server.url + "/transparency/"],
                            env=server.env, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"case {receipt['case_ref']} is leaf" in result.stdout
