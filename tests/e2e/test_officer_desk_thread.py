"""Officers find their requests and talk with the desk; the desk says what a proposal lacks."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import LiveServer, Sessions, shot
from tests.e2e.test_case_lifecycle import fill_request
from tests.factories import PDF_BYTES

pytestmark = pytest.mark.e2e

OFFICER = "julien.moreau@justice-paris.example"
REVIEWER = "reviewer@platform.example"


def test_thread_search_and_what_a_proposal_lacks(sessions: Sessions, server: LiveServer,
                                                tmp_path: Path) -> None:
    officer = sessions.page(OFFICER)
    officer.goto(server.url + "/portal/cases/new/")
    shot(officer, "20-request-kind-chooser")
    officer.click("a:has-text('Removal order')")
    expect(officer.locator("textarea[name=content_locations]")).to_be_visible()
    expect(officer.locator("textarea[name=emergency_threat]")).to_have_count(0)
    officer.click("a:has-text('choose another type')")
    officer.click("a:has-text('Production order')")
    fill_request(officer, tmp_path)
    officer.get_by_label("The order names the user as a suspect").uncheck()
    officer.fill("input[name=authority_file_number]", "J3-THREAD-77")
    officer.click("button:has-text('Send the request')")
    expect(officer.locator(".messages")).to_contain_text("Request received as LD-")
    case_url = officer.url

    # The officer writes to the desk with a PDF.
    pdf = tmp_path / "judge-order.pdf"
    pdf.write_bytes(PDF_BYTES)
    officer.fill("textarea[name=m-body]", "The investigating judge's order naming the suspect "
                                          "is attached.")
    officer.set_input_files("input[name=m-attachments]", str(pdf))
    officer.click("button:has-text('Send the message')")
    expect(officer.locator(".messages")).to_contain_text("Message sent to the platform")
    expect(officer.get_by_test_id("thread")).to_contain_text("judge-order.pdf")

    # The desk sees the message flag, reads, and finds that nothing can be proposed yet.
    reviewer = sessions.page(REVIEWER)
    reviewer.goto(server.url + "/desk/?flag=requester_message")
    reviewer.get_by_test_id("queue").locator("a[href*='/desk/cases/']").first.click()
    reviewer.click("button:has-text('Start review')")
    expect(reviewer.get_by_test_id("legal-analysis")).to_contain_text(
        "needs: order naming the user as a suspect")
    expect(reviewer.get_by_test_id("propose-blocked")).to_contain_text(
        "Subscriber data: needs order naming the user as a suspect")
    reviewer.fill("textarea[name=m-body]", "Thank you; we will review the judge's order today.")
    reviewer.click("#action-message button")
    expect(reviewer.locator(".messages")).to_contain_text("Message sent to the requester")
    shot(reviewer, "21-desk-thread-and-blocked-proposal")

    # The officer reads the answer, from "the platform's legal team", and finds the case.
    officer.goto(case_url)
    thread = officer.get_by_test_id("thread")
    expect(thread).to_contain_text("we will review the judge's order today")
    expect(thread).to_contain_text("the platform's legal team")
    expect(thread).not_to_contain_text("Robert Klein")
    shot(officer, "22-officer-thread")
    officer.goto(server.url + "/portal/")
    officer.fill("input[name=q]", "THREAD-77")
    officer.click("button:has-text('Search')")
    expect(officer.get_by_test_id("found")).to_be_visible()
    expect(officer.get_by_test_id("cases").locator("tbody tr")).to_have_count(1)
    expect(officer.get_by_test_id("cases")).to_contain_text("J3-THREAD-77")
    shot(officer, "23-officer-search")
