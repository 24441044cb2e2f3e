"""The legal facts section of the request form, seen in a real browser (issue 13)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import LiveServer, Sessions, shot
from tests.e2e.test_case_lifecycle import OFFICER, REVIEWER, fill_request

pytestmark = pytest.mark.e2e


def test_a_journalists_data_is_sent_to_counsel_and_a_bad_fact_is_named(
        sessions: Sessions, server: LiveServer, tmp_path: Path) -> None:
    officer = sessions.page(OFFICER)
    officer.goto(server.url + "/portal/cases/new/?kind=production")
    # A production order shows only its own facts: no kind of emergency to choose.
    expect(officer.locator("select[name=emergency_kind]")).to_have_count(0)
    fill_request(officer, tmp_path)
    # A country code that does not exist is refused, naming the field.
    officer.fill("input[name=user_location]", "ZZ")
    officer.click("button:has-text('Send the request')")
    expect(officer.locator("#err-user_location")).to_contain_text("ISO 3166-1 country code")
    shot(officer, "40-legal-facts-field-error")

    officer.goto(server.url + "/portal/cases/new/?kind=production")
    fill_request(officer, tmp_path)
    officer.select_option("select[name=protected_status]", "journalist")
    officer.select_option("select[name=offence_committed_online]", "yes")
    officer.click("button:has-text('Send the request')")
    expect(officer.locator(".messages")).to_contain_text("Request received as LD-")
    number = re.search(r"LD-\d{4}-\d{6}", officer.locator("h1").inner_text()).group(0)

    reviewer = sessions.page(REVIEWER)
    reviewer.goto(server.url + "/desk/")
    reviewer.click(f"text={number}")
    analysis = reviewer.get_by_test_id("legal-analysis")
    expect(analysis).to_contain_text("Art. 10(5)")
    expect(reviewer.locator("body")).to_contain_text("Counsel review")
    shot(reviewer, "41-journalist-counsel-review")
