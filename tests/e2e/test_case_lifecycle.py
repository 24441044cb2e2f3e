"""A request's whole life in the browser: intake, clarification, four eyes, approval."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveServer, Sessions, shot
from tests.factories import PDF_BYTES

pytestmark = pytest.mark.e2e

OFFICER = "julien.moreau@justice-paris.example"
REVIEWER = "reviewer@platform.example"
APPROVER = "approver@platform.example"
APPROVER_2 = "approver2@platform.example"


def fill_request(page: Page, tmp_path: Path, *, kind: str = "production", threat: str = "") -> None:
    pdf = tmp_path / "epoc-signed.pdf"
    pdf.write_bytes(PDF_BYTES)
    page.select_option("select[name=instrument_type]", "epoc")
    page.fill("input[name=instrument_reference]", "EPOC-FR-2026-0917")
    page.fill("input[name=instrument_date]", "2026-11-02")
    page.fill("input[name=issuer_name]", "Anne Roussel")
    page.select_option("select[name=issuer_role]", "prosecutor")
    page.fill("input[name=authority_file_number]", "J3-2026-0917")
    page.select_option("select[name=offence_category]", "child_sexual_abuse")
    page.fill("input[name=max_sentence_years]", "10")
    page.fill("textarea[name=offence_description]",
              "Distribution of child sexual abuse material through a public channel.")
    page.check("input[name=user_named_as_suspect]")
    page.fill("textarea[name=targets]", "+33 6 12 34 56 78\n@night_owl")
    page.fill("input[name=window_start]", "2025-09-10T00:00")
    page.fill("input[name=window_end]", "2025-09-20T00:00")
    page.check("input[name=categories][value=subscriber]")
    page.check("input[name=categories][value=identification]")
    if threat:
        page.fill("textarea[name=emergency_threat]", threat)
    page.set_input_files("input[name=attachments]", str(pdf))


def submit(page: Page, server: LiveServer, tmp_path: Path, **kwargs: str) -> tuple[str, str]:
    page.goto(server.url + "/portal/cases/new/")
    page.click(f"[data-testid=kind-chooser] a[href='?kind={kwargs.get('kind', 'production')}']")
    fill_request(page, tmp_path, **kwargs)
    page.click("button:has-text('Send the request')")
    expect(page.locator(".messages")).to_contain_text("Request received as LD-")
    number = re.search(r"LD-\d{4}-\d{6}", page.locator("h1").inner_text()).group(0)
    return number, page.url.replace("/portal/", "/desk/")


def test_production_request_clarification_four_eyes_approval(
        sessions: Sessions, server: LiveServer, tmp_path: Path) -> None:
    officer = sessions.page(OFFICER)
    # A bad target is flagged while the officer types, before anything is sent.
    officer.goto(server.url + "/portal/cases/new/?kind=production")
    officer.fill("textarea[name=targets]", "+33 6\n@night_owl")
    officer.locator("textarea[name=targets]").blur()
    expect(officer.locator("#err-targets")).to_contain_text("Target 1")
    shot(officer, "10-request-form-live-error")
    number, desk_url = submit(officer, server, tmp_path)
    expect(officer.get_by_test_id("status")).to_have_text("Received")
    shot(officer, "11-officer-case-received")

    # The reviewer takes it into review and asks a question: the clock stops.
    reviewer = sessions.page(REVIEWER)
    reviewer.goto(server.url + "/desk/")
    reviewer.click(f"text={number}")
    expect(reviewer.get_by_test_id("legal-analysis")).to_contain_text("Art. 4")
    reviewer.click("button:has-text('Start review')")
    reviewer.click("summary:has-text('Ask the requester')")
    reviewer.fill("textarea[name=q-question]", "Please confirm the number belongs to the suspect.")
    reviewer.click("button:has-text('Send question')")
    expect(reviewer.get_by_test_id("status")).to_have_text("Awaiting clarification")

    # The officer answers: the clock runs again.
    officer.reload()
    expect(officer.get_by_test_id("clarification")).to_contain_text("asked a question")
    officer.fill("textarea[name=answer]", "Confirmed by the operator's records on 3 November.")
    officer.click("button:has-text('Send the answer')")
    expect(officer.get_by_test_id("status")).to_have_text("In review")

    # The reviewer proposes the disclosure and has no way to approve it.
    reviewer.reload()
    reviewer.click("summary:has-text('Propose a disclosure')")
    reviewer.fill("textarea[name=p-legal_basis]", "EPOC issued by a prosecutor: Art. 4(1) e-Evidence.")
    reviewer.click("button:has-text('Propose for approval')")
    expect(reviewer.get_by_test_id("proposal")).to_contain_text("Robert Klein")
    expect(reviewer.locator("button:has-text('Approve disclosure')")).to_have_count(0)
    shot(reviewer, "12-desk-case-proposed")

    # A second person approves.
    approver = sessions.page(APPROVER)
    approver.goto(desk_url)
    approver.click("button:has-text('Approve disclosure')")
    expect(approver.get_by_test_id("status")).to_contain_text("pproved")
    shot(approver, "13-desk-case-approved")

    # The officer sees the decision, then the package the worker collected, downloads it and
    # verifies it against the platform's published key.
    officer.reload()
    expect(officer.get_by_test_id("status")).not_to_have_text("Received")
    shot(officer, "14-officer-sees-approved")
    for _ in range(180):  # the worker collects and packages; CI machines are slower than ours
        if officer.locator("a:has-text('Download the evidence package')").count():
            break
        officer.wait_for_timeout(1000)
        officer.reload()
    expect(officer.get_by_test_id("status")).to_have_text("Delivered")
    shot(officer, "17-officer-package-ready")
    with officer.expect_download() as download_info:
        officer.click("a:has-text('Download the evidence package')")
    package = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(package)
    key = tmp_path / "platform.pem"
    key.write_bytes(officer.request.get(server.url + "/evidence/key.pem").body())
    verified = server.run("verify", str(package), "--public-key", str(key))
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "OK" in verified.stdout or "verified" in verified.stdout.lower()


def test_emergency_needs_callback_and_nobody_approves_own_proposal(
        sessions: Sessions, server: LiveServer, tmp_path: Path) -> None:
    officer = sessions.page(OFFICER)
    _, desk_url = submit(officer, server, tmp_path, kind="emergency_disclosure",
                              threat="A 13-year-old agreed to meet the suspect tonight at 20:00.")

    # The first approver proposes: as proposer, they get no approve button.
    first = sessions.page(APPROVER)
    first.goto(desk_url)
    expect(first.get_by_test_id("callback")).to_contain_text("call back before any disclosure")
    first.click("button:has-text('Start review')")
    first.click("summary:has-text('Propose a disclosure')")
    first.fill("textarea[name=p-legal_basis]", "Emergency EPOC: Art. 4(5) and 10(4) e-Evidence.")
    first.click("button:has-text('Propose for approval')")
    expect(first.get_by_test_id("proposal")).to_contain_text("a different person must approve it")
    expect(first.locator("button:has-text('Approve disclosure')")).to_have_count(0)

    # The second approver cannot approve before the call-back is confirmed.
    second = sessions.page(APPROVER_2)
    second.goto(desk_url)
    approve = second.locator("button:has-text('Approve disclosure')")
    expect(approve).to_be_disabled()
    expect(second.get_by_test_id("approve-why")).to_contain_text("Confirm the call-back")
    expect(second.get_by_test_id("status")).to_have_text("In review")
    shot(second, "15-emergency-refused-without-callback")

    # The reviewer calls the registered number and records it; now approval goes through.
    reviewer = sessions.page(REVIEWER)
    reviewer.goto(desk_url)
    reviewer.fill("input[name=cb-person]", "Lt. Marc Colin, on duty")
    reviewer.fill("input[name=cb-supervisor]", "Commissaire Hélène Laurent")
    reviewer.click("button:has-text('Record confirmation')")
    expect(reviewer.get_by_test_id("callback")).to_contain_text("Call-back confirmed")
    second.goto(desk_url)
    second.click("button:has-text('Approve disclosure')")
    expect(second.get_by_test_id("status")).to_contain_text("pproved")
    shot(second, "16-emergency-approved-after-callback")
