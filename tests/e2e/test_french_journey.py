"""A French officer with a French browser: signs up, enrols TOTP, sends a request and reads the
legal deadline — every page in French, times in Paris time with the zone named (issue 15)."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveServer, enter_code, shot
from tests.factories import PDF_BYTES
from tests.support import english_phrases

pytestmark = pytest.mark.e2e

PASSWORD = "Quiet-harbour-lamp-71"
# English words that must not appear on a French page (proper names and codes aside).
ENGLISH = re.compile(r"\b(Sign (in|out|up)|Password|Request|Deadline|Received|Status|Submit|"
                     r"Your |the platform|Send|Cancel|Agency|Officer|required|Choose|legal|"
                     r"setting|period|answer|within|overdue|Regulation)\b|\bArt\. ")


def french_page(page: Page, name: str) -> str:
    """Check the page says it is French and shows no English sentence; keep a screenshot."""
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    text = page.locator("body").inner_text()
    leftovers = ENGLISH.findall(text)
    assert not leftovers, f"{name}: English on a French page: {leftovers}\n{text[:3000]}"
    # Every English phrase of the catalogue (two words or more) whose French differs.
    phrases = english_phrases(text)
    assert not phrases, f"{name}: catalogue English on a French page: {phrases}\n{text[:3000]}"
    shot(page, f"fr-{name}")
    return text


@pytest.fixture
def french(browser):
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris")
    yield context.new_page()
    context.close()


def test_a_french_officer_signs_up_and_enrols_totp_in_french(french: Page, server: LiveServer):
    page, email = french, "lucie.bernard@police-nationale.example"
    page.goto(server.url + "/accounts/signup/")
    expect(page.locator("h1")).to_have_text("Inscription des agents")
    page.fill("input[name=full_name]", "Lucie Bernard")
    page.fill("input[name=email]", "lucie.bernard@gmail.example")  # not the agency's domain
    page.select_option("select[name=agency]", label="Office mineurs (OFMIN) — Police nationale (FR)")
    page.fill("input[name=title]", "Capitaine de police")
    page.fill("input[name=supervisor_name]", "Commissaire Marc Durand")
    page.fill("input[name=supervisor_email]", "marc.durand@police-nationale.example")
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("body")).to_contain_text(
        "gmail.example n'est pas un domaine de messagerie vérifié")
    french_page(page, "01-signup-error")
    page.fill("input[name=email]", email)
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.click("button[type=submit]")
    french_page(page, "02-verify-email")

    mails = server.mails_to(email)
    assert len(mails) == 1 and "Confirm" not in mails[0].split("\n\n", 1)[-1][:200], mails[0]
    link = re.search(r"http://127\.0\.0\.1:\d+/accounts/confirm-email/[^\s]+", mails[0])
    assert link, mails[0]
    page.goto(link.group(0))
    french_page(page, "03-confirm-email")
    page.click("button[type=submit]")

    page.goto(server.url + "/accounts/login/")
    french_page(page, "04-sign-in")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/"))
    french_page(page, "05-enrol-totp")
    secret = page.input_value("#authenticator_secret")
    enter_code(page, server, secret)
    expect(page.locator("h1")).to_have_text("Vos codes de récupération")
    french_page(page, "06-recovery-codes")
    page.get_by_test_id("codes-saved").click()
    expect(page.locator("h1")).to_have_text("Votre compte est en attente d'approbation")
    french_page(page, "07-pending")


def test_a_french_officer_sends_a_request_and_reads_the_deadline_in_french(
        french: Page, server: LiveServer, tmp_path: Path):
    page = french
    user = server.demo_users()["claire.dubois@police-nationale.example"]
    page.goto(server.url + "/accounts/login/")
    page.fill("input[name=login]", user["email"])
    page.fill("input[name=password]", "demo-password-2026")
    page.click("button[type=submit]")
    french_page(page, "08-totp-code")
    enter_code(page, server, user["secret"])
    expect(page).to_have_url(re.compile(r"/portal/$"))
    french_page(page, "09-dashboard")

    page.goto(server.url + "/portal/cases/new/")
    french_page(page, "10-choose-kind")
    page.click("[data-testid=kind-chooser] a[href='?kind=production']")
    # A first try with mistakes: the field errors are French too.
    page.fill("textarea[name=targets]", "+33 6\n@x")
    page.click("button[type=submit]")
    expect(page.locator("#err-targets")).to_contain_text("Cible 2 :")
    french_page(page, "11-form-errors")

    pdf = tmp_path / "requisition.pdf"
    pdf.write_bytes(PDF_BYTES)
    page.select_option("select[name=instrument_type]", "prosecutor_requisition")
    page.fill("input[name=instrument_reference]", "PARQUET-J3-2026-0917")
    page.fill("input[name=instrument_date]", "2026-11-02")
    page.fill("input[name=issuer_name]", "Anne Roussel")
    page.select_option("select[name=issuer_role]", "prosecutor")
    page.fill("input[name=authority_file_number]", "J3-2026-0917")
    page.select_option("select[name=offence_category]", "child_sexual_abuse")
    page.fill("input[name=max_sentence_years]", "10")
    page.fill("textarea[name=offence_description]",
              "Diffusion d'images pédopornographiques dans un canal public.")
    page.check("input[name=user_named_as_suspect]")
    page.fill("textarea[name=targets]", "+33 6 12 34 56 78\n@night_owl")
    page.fill("input[name=window_start]", "2025-09-10T00:00")
    page.fill("input[name=window_end]", "2025-09-20T00:00")
    page.check("input[name=categories][value=subscriber]")
    page.set_input_files("input[name=attachments]", str(pdf))
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/portal/cases/\d+/$"))
    expect(page.locator(".messages")).to_contain_text("Demande reçue sous le numéro")
    text = french_page(page, "12-case")

    deadline = page.get_by_test_id("deadline").inner_text()
    match = re.fullmatch(r"(\d{2})/(\d{2})/(\d{4}) (\d{2}):(\d{2}) Europe/Paris", deadline)
    assert match, deadline
    day, month, year, hour, minute = map(int, match.groups())
    shown = datetime(year, month, day, hour, minute, tzinfo=ZoneInfo("Europe/Paris"))
    receipt = page.request.get(page.url + "receipt.json").json()
    due = datetime.fromisoformat(receipt["deadline_at"].replace("Z", "+00:00"))
    assert abs((shown - due).total_seconds()) < 60  # the same moment, read in Paris time
    assert "Réponse due le" in text and "Base légale du délai" in text
    assert "à compter de la réception" in text and "deployment setting" not in text
    assert re.search(r"\(\d+ j \d+ h\)", text)  # the time left, French units

    # The signed acknowledgement: the French version (first, on its own page) has no English
    # phrase of the catalogue; the English version follows it, as the law wants both.
    pdf = page.request.get(page.url + "acknowledgement.pdf")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    import io

    from pypdf import PdfReader

    pages = [p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf.body())).pages]
    english_at = next(i for i, t in enumerate(pages) if "VERSION IN ENGLISH" in t.upper())
    french = " ".join(pages[:english_at])
    assert "Accusé de réception" in french or "ACCUSÉ DE RÉCEPTION" in french.upper(), french[:500]
    assert english_phrases(french) == [], french
    assert english_phrases(" ".join(pages[english_at:]))  # the English version is English
