"""An officer signs up, verifies the address, enrols TOTP, is approved, and signs in."""

from __future__ import annotations

import re

import pyotp
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveServer, Sessions, enter_code, shot

pytestmark = pytest.mark.e2e

ADMIN = "admin@platform.example"
ADMIN2 = "admin2@platform.example"
PASSWORD = "Quiet-harbour-lamp-71"
SUPERVISOR = "helene.laurent@police-nationale.example"


def sign_in(page: Page, server: LiveServer, email: str, password: str, secret: str) -> None:
    page.goto(server.url + "/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    enter_code(page, server, secret)


def sign_out(page: Page) -> None:
    page.click("text=Sign out")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_officer_signup_verify_enrol_approve_login(page: Page, server: LiveServer) -> None:
    email = "lea.martin@police-nationale.example"
    # 1. Sign up from the agency's verified domain.
    page.goto(server.url + "/accounts/signup/")
    page.fill("input[name=full_name]", "Léa Martin")
    page.fill("input[name=email]", email)
    page.select_option("select[name=agency]", label="Office mineurs (OFMIN) — Police nationale (FR)")
    page.fill("input[name=title]", "Lieutenant de police")
    page.fill("input[name=supervisor_name]", "Commissaire Hélène Laurent")
    page.fill("input[name=supervisor_email]", SUPERVISOR)
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    shot(page, "01-signup")
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Verify Your Email Address")

    # 2. Verify the address with the link from the e-mail.
    mails = server.mails_to(email)
    assert len(mails) == 1
    link = re.search(r"http://127\.0\.0\.1:\d+/accounts/confirm-email/[^\s]+", mails[0])
    assert link, mails[0]
    page.goto(link.group(0))
    page.click("button[type=submit]")

    # 3. Sign in with the password: the second factor must be enrolled first.
    def password_only(target: Page) -> None:
        target.goto(server.url + "/accounts/login/")
        target.fill("input[name=login]", email)
        target.fill("input[name=password]", PASSWORD)
        target.click("button[type=submit]")
        expect(target).to_have_url(re.compile(r"/accounts/2fa/totp/activate/"))

    # A second browser where the same officer signed in too (a forgotten session elsewhere).
    elsewhere = page.context.browser.new_context().new_page()
    password_only(elsewhere)
    password_only(page)
    page.goto(server.url + "/portal/")  # no way around enrolment
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/"))
    secret = page.input_value("#authenticator_secret")
    shot(page, "02-enrol-totp")
    # The browser fetches the icon, the officer reloads the page: the scanned secret stays.
    icon = page.request.get(server.url + "/favicon.ico", max_redirects=0)
    assert icon.status == 200 and icon.headers["content-type"] == "image/x-icon"
    page.reload()
    assert page.input_value("#authenticator_secret") == secret
    page.fill("input[name=code]", "123456" if pyotp.TOTP(secret).now() != "123456" else "654321")
    page.click("button[type=submit]")
    expect(page.locator("body")).to_contain_text("Incorrect code")
    assert page.input_value("#authenticator_secret") == secret
    enter_code(page, server, secret)

    # What the officer must see: the recovery codes, and that other sessions ended.
    expect(page).to_have_url(re.compile(r"/accounts/2fa/recovery-codes/"))
    expect(page.locator("h1")).to_contain_text("Your recovery codes")
    expect(page.get_by_test_id("recovery-codes").locator("li")).to_have_count(10)
    expect(page.locator(".messages li", has_text="Every other session of your account has been "
                        "signed out")).to_have_count(1)
    shot(page, "03-recovery-codes")
    elsewhere.goto(server.url + "/portal/pending/")
    expect(elsewhere).to_have_url(re.compile(r"/accounts/login/"))
    elsewhere.context.close()
    page.get_by_test_id("codes-saved").click()
    expect(page.locator("h1")).to_contain_text("awaiting approval")
    expect(page.get_by_test_id("supervisor-asked")).to_contain_text(
        "We have asked Commissaire Hélène Laurent")
    shot(page, "03-pending")
    sign_out(page)

    # 4. The platform admin cannot approve before the supervisor confirms.
    admin_secret = server.demo_users()[ADMIN]["secret"]
    sign_in(page, server, ADMIN, "demo-password-2026", admin_secret)
    page.goto(server.url + "/desk/officers/?status=pending")
    shot(page, "04-desk-pending-officers")
    page.click("text=Léa Martin")
    officer_page = page.url
    expect(page.locator("body")).to_contain_text("verified")
    expect(page.get_by_test_id("approval-blocked")).to_contain_text("has not confirmed")
    expect(page.locator("button:has-text('Approve officer')")).to_be_disabled()

    # 5. The supervisor confirms through the link e-mailed once the officer verified the address.
    to_supervisor = server.mails_to(SUPERVISOR)
    assert len(to_supervisor) == 1
    link = re.search(r"http://127\.0\.0\.1:\d+/supervisor/[^\s]+/", to_supervisor[0])
    assert link, to_supervisor[0]
    supervisor = page.context.browser.new_context().new_page()
    supervisor.goto(link.group(0))
    expect(supervisor.locator("body")).to_contain_text(email)
    supervisor.click("button:has-text('Yes, this is my officer')")
    expect(supervisor.get_by_test_id("supervisor-result")).to_contain_text("You confirmed")
    shot(supervisor, "05-supervisor-confirmed")
    supervisor.context.close()

    # 6. The admin approves, with a reason (none: the field says so); the officer is told.
    page.goto(officer_page)
    expect(page.get_by_test_id("supervisor-answer")).to_contain_text("confirmed on")
    page.click("button:has-text('Approve officer')")
    expect(page.locator("#field-reason .error")).to_contain_text("Give the reason for the approval")
    page.fill("textarea[name=reason], input[name=reason]",
              "Supervisor confirmed; OFMIN called back on its registered number")
    page.click("button:has-text('Approve officer')")
    expect(page.locator(".messages")).to_contain_text("is now active; an e-mail tells them so")
    shot(page, "06-officer-approved")
    assert any("Your officer account is approved" in m for m in server.mails_to(email))
    sign_out(page)

    # 7. The officer signs in with a code and sees the agency's dashboard: empty, unless another
    # test of this session (they share one server) already filed a request for OFMIN.
    sign_in(page, server, email, PASSWORD, secret)
    expect(page).to_have_url(re.compile(r"/portal/$"))
    expect(page.locator("h1")).to_contain_text("Office mineurs (OFMIN)")
    if page.get_by_test_id("cases").count() == 0:
        expect(page.get_by_test_id("empty-cases")).to_contain_text("No requests yet")
    else:
        expect(page.get_by_test_id("cases")).to_contain_text("LD-")
    shot(page, "07-officer-dashboard")


def test_officer_of_agency_b_gets_404_on_agency_a(page: Page, server: LiveServer) -> None:
    users = server.demo_users()
    officer_a = users["claire.dubois@police-nationale.example"]
    officer_b = users["julien.moreau@justice-paris.example"]
    sign_in(page, server, officer_b["email"], "demo-password-2026", officer_b["secret"])
    own = page.goto(f"{server.url}/portal/agency/{officer_b['agency_id']}/")
    assert own is not None and own.status == 200
    other = page.goto(f"{server.url}/portal/agency/{officer_a['agency_id']}/")
    assert other is not None and other.status == 404
    expect(page.locator("h1")).to_have_text("Not found")
    missing = page.goto(f"{server.url}/portal/agency/987654/")
    assert missing is not None and missing.status == 404
    desk = page.goto(f"{server.url}/desk/")
    assert desk is not None and desk.status == 404


def test_pages_have_no_inline_script_and_send_a_strict_csp(page: Page, server: LiveServer) -> None:
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    response = page.goto(server.url + "/accounts/login/")
    assert response is not None
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert page.locator("script:not([src])").count() == 0
    page.goto(server.url + "/accounts/signup/")
    assert violations == []


def test_a_call_back_number_applies_only_after_a_second_administrator_approves(
        sessions: Sessions, server: LiveServer) -> None:
    admin = sessions.page(ADMIN)
    admin.goto(server.url + "/desk/agencies/new/")
    admin.fill("input[name=name]", "Brigade numérique (test des ancres)")
    admin.select_option("select[name=country]", "FR")
    admin.select_option("select[name=kind]", "police")
    admin.click("button:has-text('Save')")
    expect(admin.locator("h1")).to_contain_text("Brigade numérique")
    admin.fill("input[name=callback-phone]", "+33 1 40 00 00 17")
    admin.fill("input[name=callback-source]", "Ministry of the Interior public directory")
    admin.click("button:has-text('Propose call-back number')")
    expect(admin.locator(".messages")).to_contain_text("Another administrator must approve it")
    proposed = admin.get_by_test_id("proposed-change")
    expect(proposed).to_contain_text("+33140000017")
    expect(proposed).to_contain_text("You proposed this: another administrator must approve it.")
    expect(proposed.locator("button:has-text('Approve change')")).to_have_count(0)
    expect(admin.locator("body")).to_contain_text("No call-back number recorded")
    shot(admin, "08-anchor-proposed")

    second = sessions.page(ADMIN2)
    second.goto(admin.url)
    second.get_by_test_id("proposed-change").locator("button:has-text('Approve change')").click()
    expect(second.locator(".messages")).to_contain_text("Approved and applied")
    expect(second.get_by_test_id("anchor-changes")).to_contain_text("Approved and applied")
    expect(second.locator("dd strong")).to_have_text("+33140000017")
    shot(second, "09-anchor-approved")
