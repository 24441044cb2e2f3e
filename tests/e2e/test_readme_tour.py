"""The README's five-minute tour, steps 1 to 5 and 7 to 8, followed word for word in Chromium on
a server seeded like `make demo` (demo users, agencies, open cases and the 2024 history), with the
tour's terminal commands run against the same server."""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveServer, _serve, enter_code, shot
from tests.factories import PDF_BYTES
from tests.support import fresh_database

pytestmark = pytest.mark.e2e

PASSWORD = "demo-password-2026"  # README: "Every demo user's password is demo-password-2026"
OFFICER = "julien.moreau@justice-paris.example"
REVIEWER = "reviewer@platform.example"
APPROVER = "approver@platform.example"
AUDITOR = "auditor@platform.example"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, platform_data: Path) -> Iterator[LiveServer]:
    """A server of its own seeded by `lawdesk demo seed` as `make demo` does: the open cases and
    the 2024 history with its signed checkpoint (the shared server has neither)."""
    home = tmp_path_factory.mktemp("lawdesk-tour")
    with fresh_database(home, "lawdesk_tour") as db_url:
        for server in _serve(home, db_url, platform_data):
            server.cli("demo", "seed", timeout=900)  # with the 2024 history: minutes on a busy PostgreSQL
            yield server


def sign_in(browser, server: LiveServer, email: str) -> Page:
    """A window of its own; password, then the TOTP code from `lawdesk demo codes`."""
    page = browser.new_context(accept_downloads=True).new_page()
    page.goto(server.url + "/")
    page.click("a:has-text('Sign in')")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    enter_code(page, server, server.demo_users()[email]["secret"])
    page.wait_for_url(lambda url: "/accounts/" not in url)
    return page


def test_readme_tour_steps_1_to_5_as_written(browser, demo: LiveServer, tmp_path: Path) -> None:
    # 1. The officer's side: the dashboard lists the agency's requests with status and
    # deadline; one waits for an answer; answering starts the clock again.
    officer = sign_in(browser, demo, OFFICER)
    cases = officer.get_by_test_id("cases")
    expect(cases).to_contain_text("Awaiting clarification")
    expect(officer.get_by_test_id("search")).to_be_visible()
    shot(officer, "tour-1-officer-dashboard")
    cases.locator("tr", has_text="Awaiting clarification").locator("a").first.click()
    expect(officer.get_by_test_id("clarification")).to_contain_text("asked a question")
    officer.fill("textarea[name=answer]", "10:00:00 is UTC, as in the operator's logs.")
    officer.click("button:has-text('Send the answer')")
    expect(officer.locator(".messages")).to_contain_text("The legal clock runs again")
    expect(officer.get_by_test_id("status")).to_have_text("In review")

    # 2. Send a request: New request, then Production order.
    officer.click("a:has-text('My agency')")
    officer.click("a:has-text('New request')")
    officer.click("a:has-text('Production order')")
    expect(officer.locator("textarea[name=emergency_threat]")).to_have_count(0)
    expect(officer.locator("textarea[name=content_locations]")).to_have_count(0)
    officer.fill("textarea[name=targets]", "+33 6")
    officer.locator("textarea[name=targets]").blur()
    expect(officer.locator("#err-targets")).to_contain_text("Target 1")
    officer.select_option("select[name=instrument_type]", label="European Production Order (EPOC)")
    officer.fill("input[name=instrument_reference]", "EPOC-FR-2026-1201")
    officer.fill("input[name=instrument_date]", "2026-11-20")
    officer.fill("input[name=issuer_name]", "Anne Roussel")
    officer.select_option("select[name=issuer_role]", "prosecutor")
    officer.fill("input[name=authority_file_number]", "J3-2026-1201")
    officer.select_option("select[name=offence_category]", "child_sexual_abuse")
    officer.fill("textarea[name=offence_description]",
                 "Distribution of child sexual abuse material through a public channel.")
    officer.get_by_label("The order names the user as a suspect").check()
    officer.fill("textarea[name=targets]", "+33 6 12 34 56 78\n@night_owl")
    officer.fill("input[name=window_start]", "2025-09-10T00:00")
    officer.fill("input[name=window_end]", "2025-09-20T00:00")
    officer.get_by_label("Subscriber data").check()
    officer.get_by_label("Data for identifying the user").check()
    pdf = tmp_path / "any.pdf"
    pdf.write_bytes(PDF_BYTES)
    officer.set_input_files("input[name=attachments]", str(pdf))
    shot(officer, "tour-2-request-form")
    officer.click("button:has-text('Send the request')")
    expect(officer.locator(".messages")).to_contain_text("Request received as LD-")
    number = re.search(r"LD-\d{4}-\d{6}", officer.locator("h1").inner_text()).group(0)
    sha = officer.get_by_test_id("receipt-sha").inner_text().strip()
    expect(officer.locator("body")).to_contain_text("Art. 10")
    with officer.expect_download() as receipt:
        officer.click("a:has-text('Download receipt')")
    assert hashlib.sha256(Path(receipt.value.path()).read_bytes()).hexdigest() == sha
    officer_case_url = officer.url
    shot(officer, "tour-2-received")

    # 3. The desk: the queue, closest deadline first, with flags; the emergency is the most
    # urgent badge; the new case's legal analysis; start review; propose.
    reviewer = sign_in(browser, demo, REVIEWER)
    queue = reviewer.get_by_test_id("queue")
    expect(queue).to_contain_text(number)
    expect(queue).to_contain_text("Call-back required")
    # Julien has earlier requests on file (the demo cases): his new one is not "first-time".
    expect(queue.locator("tr", has_text=number)).not_to_contain_text("First-time requester")
    emergency_badge = queue.locator("tr.u-emergency .badge").first
    expect(emergency_badge).to_contain_text("Emergency")
    # The most urgent styling: white on the desk's alarm red (what an overdue case is
    # written in), not the calm blue of a case on time.
    background, alarm = emergency_badge.evaluate(
        "b => { const p = document.createElement('span'); p.style.color = 'var(--bad)';"
        " document.body.appendChild(p); const red = getComputedStyle(p).color; p.remove();"
        " return [getComputedStyle(b).backgroundColor, red]; }")
    assert background == alarm, (background, alarm)
    shot(reviewer, "tour-3-queue")
    queue.locator(f"a:has-text('{number}')").click()
    analysis = reviewer.get_by_test_id("legal-analysis")
    expect(analysis).to_contain_text("Art. 4")
    expect(analysis).not_to_contain_text("Telegram")
    reviewer.click("button:has-text('Start review')")
    reviewer.click("summary:has-text('Propose a disclosure')")
    reviewer.fill("textarea[name=p-legal_basis]", "EPOC issued by a prosecutor, Art. 4(1) e-Evidence")
    reviewer.click("button:has-text('Propose for approval')")
    expect(reviewer.locator(".messages")).to_contain_text("A second person must approve it")
    expect(reviewer.get_by_test_id("proposal")).to_contain_text("Robert Klein")
    expect(reviewer.locator("button:has-text('Approve disclosure')")).to_have_count(0)
    desk_case_url = reviewer.url
    shot(reviewer, "tour-3-proposed")

    # 4. Four eyes: another person approves; the case is decided, not yet answered; the
    # worker collects and the officer gets the package, which verifies.
    approver = sign_in(browser, demo, APPROVER)
    approver.goto(desk_case_url)
    approver.click("button:has-text('Approve disclosure')")
    expect(approver.locator(".messages")).to_contain_text("Disclosure approved")
    shot(approver, "tour-4-approved")
    officer.goto(officer_case_url)
    for _ in range(180):  # the worker collects and packages; CI machines are slower than ours
        if officer.locator("a:has-text('Download the evidence package')").count():
            break
        expect(officer.locator("body")).not_to_contain_text("answered")
        officer.wait_for_timeout(1000)
        officer.reload()
    expect(officer.get_by_test_id("status")).to_have_text("Delivered")
    shot(officer, "tour-4-package")
    with officer.expect_download() as download:
        officer.click("a:has-text('Download the evidence package')")
    package = tmp_path / download.value.suggested_filename
    download.value.save_as(package)
    key = tmp_path / "platform.pem"
    key.write_bytes(officer.request.get(demo.url + "/evidence/key.pem").body())
    verified = demo.run("verify", str(package), "--public-key", str(key))
    assert verified.returncode == 0, verified.stdout + verified.stderr

    # The emergency request from OFMIN: Approve stays disabled until the call-back.
    approver.goto(demo.url + "/desk/")
    approver.get_by_test_id("queue").locator("tr.u-emergency a[href*='/desk/cases/']").first.click()
    expect(approver.get_by_test_id("callback")).to_contain_text("call back before any disclosure")
    expect(approver.locator("button:has-text('Approve disclosure')")).to_be_disabled()
    expect(approver.get_by_test_id("approve-why")).to_contain_text("Confirm the call-back")
    shot(approver, "tour-4-emergency-waits-for-callback")

    # 5. Another agency's data: the OFMIN agency page is "not found", like a missing id.
    answer = officer.goto(demo.url + "/portal/agency/1/")
    assert answer.status == 404
    expect(officer.locator("h1")).to_have_text("Not found")
    missing = officer.goto(demo.url + "/portal/agency/999999/")
    assert missing.status == 404
    shot(officer, "tour-5-other-agency")


def test_readme_tour_steps_7_and_8_as_written(browser, demo: LiveServer, tmp_path: Path) -> None:
    # The terminal commands run as a reader's would, against this server; the anchor verifier
    # keeps what it pins under the home folder (~/.local/share/lawdesk/anchors): a home of its own.
    home = tmp_path / "home"
    home.mkdir()
    terminal = dataclasses.replace(demo, env={**demo.env, "HOME": str(home)})

    # 7. Transparency, no login: the requests per country and period, with charts and
    # downloads; the demo's 2024 history, all from France (FR); small counts as a range.
    public = browser.new_context().new_page()
    public.goto(demo.url + "/transparency/")
    expect(public.locator("h1")).to_contain_text("the year 2024")
    expect(public.get_by_test_id("policy")).to_contain_text("30 days after they end")
    public.select_option("select[name=period]", "2024")
    public.select_option("select[name=country]", label="FR")
    public.click("button:has-text('Show')")
    expect(public.locator("h1")).to_contain_text("the year 2024, FR")
    headline = public.get_by_test_id("headline")
    expect(headline.locator(".tile", has_text="Requests fulfilled")).to_contain_text("893")
    expect(headline.locator(".tile", has_text="Users affected")).to_contain_text("2,072")
    expect(public.get_by_test_id("chart-quarterly")).to_be_visible()
    expect(public.get_by_test_id("chart-outcomes")).to_be_visible()
    quarter_rows = public.get_by_test_id("quarterly").locator("tbody tr").all()
    quarters = {cells[1]: cells[2:] for cells in (row.locator("td").all_inner_texts() for row in quarter_rows)}
    # The first two quarters' 4 and 6 requests show as the band 1 to 9; their users affected,
    # 17 and 37, are above the band and shown exactly.
    assert quarters == {"2024-Q1": ["1–9", "17"], "2024-Q2": ["1–9", "37"],
                        "2024-Q3": ["210", "632"], "2024-Q4": ["673", "1,386"]}, quarters
    shot(public, "tour-7-transparency")
    downloads = public.get_by_test_id("downloads")
    for name, kind in (("CSV", "text/csv"), ("JSON", "application/json"), ("PDF", "application/pdf")):
        answer = public.request.get(demo.url + downloads.locator(f"a:text-is('{name}')").get_attribute("href"))
        assert answer.status == 200 and answer.headers["content-type"].startswith(kind), (name, answer)
        if name == "JSON":
            figures = answer.json()["statistics"]
            assert (figures["requests_fulfilled"], figures["headline"]["accounts_affected"]) == (893, 2072)
        elif name == "CSV":
            assert "headline,,fulfilled,893" in answer.text().splitlines()
        else:
            assert answer.body().startswith(b"%PDF-")

    # Anyone recounts the page's JSON, CSV and PDF from the signed log; a second run reads only
    # the leaves that are new since the first.
    verified = terminal.run("transparency", "verify", demo.url + "/transparency/")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    for document in ("statistics.json 2024 FR", "statistics.csv 2024 FR", "report.pdf 2024 FR"):
        assert f"ok: {document}: every figure of closed requests matches the latest log" in verified.stdout
    assert "VERIFIED" in verified.stdout
    again = terminal.run("transparency", "verify", demo.url + "/transparency/")
    assert again.returncode == 0, again.stdout + again.stderr
    assert re.search(r"leaves hash to the signed root \(0 new since the last run\)", again.stdout), again.stdout

    # As the auditor: EU reports in the desk's menu, the period 2024, both templates.
    auditor = sign_in(browser, demo, AUDITOR)
    auditor.locator("nav").get_by_role("link", name="EU reports").click()
    auditor.select_option("select[name=period]", "2024")
    auditor.click("button:has-text('Show')")
    expect(auditor).to_have_url(re.compile(r"/desk/transparency/eu/\?period=2024$"))
    orders = auditor.get_by_test_id("eu-sheet")
    expect(orders.locator("h2")).to_contain_text("Member States orders")
    rows = orders.locator("tbody tr")
    expect(rows.first).to_contain_text("2024-01-01 to 2024-12-31")
    expect(rows.first).to_contain_text("FR")
    columns = orders.locator("thead th").all_inner_texts()
    information = columns.index("Number of orders to provide information")
    page_orders = sum(int(row.locator("td").nth(information).inner_text()) for row in rows.all())
    # Every production and emergency order closed in 2024: 893 fulfilled, 35 refused, 14 withdrawn.
    assert page_orders == 893 + 35 + 14, page_orders
    tco = auditor.get_by_test_id("eu-tco")
    expect(tco.locator("h2")).to_contain_text("TCO transparency report")
    expect(tco.locator("tr", has_text="removal_orders_received")).to_contain_text("0")
    shot(auditor, "tour-7-eu-reports")
    for which in ("orders", "tco"):
        for fmt, kind in (("json", "application/json"), ("csv", "text/csv"),
                          ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")):
            link = auditor.get_by_test_id(f"download-{which}-{fmt}")
            expect(link).to_have_text(f"Download {fmt.upper()}")
            answer = auditor.request.get(demo.url + link.get_attribute("href"))
            assert answer.status == 200 and answer.headers["content-type"].startswith(kind), (which, fmt)
            if fmt == "json":
                assert answer.json()["period"] == "2024"
            elif fmt == "csv":
                assert answer.text().startswith("Applicability," if which == "orders" else "Article,")
            else:
                assert answer.body().startswith(b"PK")  # a workbook is a zip

    # In a terminal, the same sheet as CSV: the rows the page shows.
    sheet = list(csv.DictReader(io.StringIO(terminal.cli("transparency", "eu-report", "orders",
                                                         "--period", "2024"))))
    assert {row["Reporting period"] for row in sheet} == {"2024-01-01 to 2024-12-31"}
    assert sum(int(row["Number of orders to provide information"]) for row in sheet) == page_orders

    # 8. The audit trail: Verify the chain in the browser, then the same in a terminal, then
    # against the anchors published with the transparency log.
    auditor.locator("nav").get_by_role("link", name="Audit trail").click()
    auditor.click("button:has-text('Verify the chain')")
    intact = auditor.locator(".msg.success")
    expect(intact).to_contain_text(re.compile(r"Chain intact: \d+ events, head"))
    shot(auditor, "tour-8-audit-chain")
    chain = re.fullmatch(r"Audit chain intact: (\d+) events, head ([0-9a-f]{64})",
                         terminal.cli("audit", "verify").strip())
    assert chain, "lawdesk audit verify did not print the line the README quotes"
    # The same chain, the terminal's count taken a moment later.
    assert int(chain.group(1)) >= int(re.search(r"(\d+) events", intact.inner_text()).group(1))
    anchored = terminal.run("audit", "verify", "--anchors", demo.url + "/transparency/")
    assert anchored.returncode == 0, anchored.stdout + anchored.stderr
    assert "anchored heads match the trail" in anchored.stdout
    assert re.search(r"^Audit chain intact: \d+ events, head [0-9a-f]{64}$", anchored.stdout, re.M), anchored.stdout
