"""The officer's side in French: language from the profile, else the browser, else the default;
times in the officer's zone with the zone named; form, intake and API errors in French."""

from __future__ import annotations

import json
import re
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from lawdesk.audit.models import Event
from tests.factories import login, payload

pytestmark = pytest.mark.django_db

FR = {"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"}


def _text(html: str) -> str:
    """The visible text of a page, roughly: tags and whitespace runs removed."""
    html = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", html)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def test_a_french_browser_gets_the_sign_in_page_in_french():
    response = Client().get("/accounts/login/", headers=FR)
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert "Se connecter" in html  # our header
    assert "Mot de passe" in html  # allauth's own French catalogue
    assert response["Content-Language"] == "fr"
    english = Client().get("/accounts/login/", headers={"Accept-Language": "en-GB"})
    assert '<html lang="en">' in english.content.decode() and "Sign in" in english.content.decode()


def test_sign_up_form_errors_are_in_french(make_agency):
    agency = make_agency(domain="police.example")
    response = Client().post("/accounts/signup/", {
        "full_name": "Camille Martin", "email": "camille@gmail.example", "agency": agency.pk,
        "title": "Capitaine", "supervisor_name": "Chef", "supervisor_email": "camille@gmail.example",
        "password1": "x", "password2": "y"}, headers=FR)
    text = _text(response.content.decode())
    assert "n'est pas un domaine de messagerie vérifié" in text
    assert "Le supérieur doit être une autre personne." in text or "domaine vérifié" in text
    assert "is not a verified" not in text


def test_the_profile_language_wins_over_the_browser_and_is_audited(client, officer):
    login(client, officer)
    assert '<html lang="fr">' in client.get("/portal/", headers=FR).content.decode()
    response = client.post("/accounts/preferences/", {"language": "en", "time_zone": "America/New_York"},
                           headers=FR)
    assert response.status_code == 302
    officer.refresh_from_db()
    assert (officer.language, officer.time_zone) == ("en", "America/New_York")
    assert '<html lang="en">' in client.get("/portal/", headers=FR).content.decode()
    event = Event.objects.get(action="accounts:user:preferences_changed")
    assert event.params == {"language": "en", "time_zone": "America/New_York"}
    bad = client.post("/accounts/preferences/", {"language": "xx", "time_zone": "Mars/Olympus"})
    assert bad.status_code == 200
    assert "time_zone" in bad.context["form"].errors and "language" in bad.context["form"].errors


def test_the_header_switcher_keeps_the_choice_in_the_profile(client, officer):
    login(client, officer)
    response = client.post("/i18n/language/", {"language": "fr"}, headers={"Referer": "/portal/"})
    assert response.status_code == 302 and response["Location"] == "/portal/"
    officer.refresh_from_db()
    assert officer.language == "fr"
    page = client.get("/portal/", headers={"Accept-Language": "en"}).content.decode()
    assert '<html lang="fr">' in page and "Les demandes de votre agence" in page
    # Somewhere else than this site: back home instead.
    away = client.post("/i18n/language/", {"language": "en", "next": "https://evil.example/"})
    assert away["Location"] == "/"


def test_the_deadline_is_shown_in_the_officers_zone_with_its_name(client, officer, submit):
    case = submit()
    login(client, officer)
    html = client.get(f"/portal/cases/{case.pk}/", headers=FR).content.decode()
    paris = case.deadline_at.astimezone(ZoneInfo("Europe/Paris"))
    assert f"{paris:%d/%m/%Y %H:%M} Europe/Paris" in html  # French date order, zone named
    assert "Réponse due le" in html and "Statut et délai" in html
    # The legal basis of the deadline in French, its citation written the French way.
    assert "à compter de la réception" in html and "an answer is due" not in html
    officer.time_zone = "UTC"
    officer.save(update_fields=["time_zone"])
    html = client.get(f"/portal/cases/{case.pk}/", headers={"Accept-Language": "en"}).content.decode()
    assert f"{case.deadline_at:%Y-%m-%d %H:%M} UTC" in html


def test_intake_errors_are_in_french(client, officer):
    login(client, officer)
    response = client.post("/portal/cases/new/", {
        "kind": "production", "instrument_type": "epoc", "targets": "+33 6 12\n@x",
        "window_start": "2026-10-02T00:00", "window_end": "2026-10-01T00:00",
        "user_location": "UK"}, headers=FR)
    assert response.status_code == 400
    errors = response.context["errors"]
    flat = " ".join(m for ms in errors.values() for m in ms)
    assert errors["instrument_reference"] == ["Ce champ est obligatoire."]
    assert errors["offence_description"] == ["Écrivez au moins 10 caractères."]
    assert errors["user_location"] == ["Utilisez le code ISO GB pour UK."]
    assert errors["targets"][1].startswith("Cible 2 : '@x' n'est pas un nom d'utilisateur")
    assert errors["attachments"] == ["Joignez l'acte juridique signé en PDF."]
    assert not re.search(r"\b(This field|The window|Target \d|Choose at least|Attach)\b", flat)


def test_the_api_answers_problem_details_in_the_request_language(officer, now):
    from lawdesk.api import tokens
    from tests.factories import ApiClient

    _token, plaintext = tokens.create_token(officer_user=officer, name="LRP", now=now)
    api = ApiClient(plaintext)
    body = payload(targets=[{"identifier": "@x"}], window_start="2026-10-02T00:00:00Z",
                   window_end="2026-10-01T00:00:00Z")
    api.headers["Accept-Language"] = "fr"
    response = api.submit(body)
    problem = response.json()
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
    assert problem["type"] == "https://lawdesk.example/problems/invalid_request"  # stable
    assert problem["code"] == "invalid_request"
    assert problem["title"] == "La demande comporte des erreurs"
    assert problem["detail"] == "La demande comporte des erreurs ; rien n'a été enregistré."
    fields = {e["field"]: e["message"] for e in problem["errors"]}
    assert "targets.0.identifier" in fields  # field names stay as the schema spells them
    assert fields["targets.0.identifier"].startswith("Cible 1 :")
    assert fields["window_end"] == "La période doit se terminer après son début."
    api.headers["Accept-Language"] = "en"
    english = api.submit(body).json()
    assert english["detail"] == "The request has errors; nothing was stored."
    assert english["type"] == problem["type"]
    missing = ApiClient(plaintext)
    missing.headers["Accept-Language"] = "fr"
    assert missing.get("/api/v1/requests/999999").json()["detail"] == "Aucune demande de ce type."
    anonymous = ApiClient(None)
    anonymous.headers["Accept-Language"] = "fr"
    assert json.loads(anonymous.get("/api/v1/requests").content)["detail"].startswith(
        "Envoyez un jeton d'API valide")


def test_a_pending_officer_can_switch_language_before_approval(client, make_agency, make_officer):
    pending = make_officer(make_agency(), approve=False)
    login(client, pending)
    client.post("/i18n/language/", {"language": "fr"})
    html = client.get("/portal/pending/").content.decode()
    assert "Votre compte est en attente d'approbation" in html


def test_notices_are_written_in_the_officers_language_and_zone(
        officer, submit, reviewer, now, django_capture_on_commit_callbacks):
    from django.core import mail

    from lawdesk.cases import conversation, services

    officer.language = "fr"
    officer.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        case = submit()
        services.start_review(case=case, actor=reviewer, now=now)
        conversation.ask_clarification(case=case, actor=reviewer, now=now,
                                       question="Which of the two accounts is the suspect's?")
    received, asked = mail.outbox[0], mail.outbox[-1]
    assert received.subject == f"[lawdesk] {case.number}: demande reçue"
    paris = case.deadline_at.astimezone(ZoneInfo("Europe/Paris"))
    assert f"Réponse due le {paris:%d/%m/%Y %H:%M} Europe/Paris" in received.body
    assert "Cet avis ne contient jamais de données" in received.body
    assert asked.subject == f"[lawdesk] {case.number}: question sur votre demande"
    assert "« en attente de précisions »" in asked.body


def test_sign_up_keeps_the_language_it_was_made_in(make_agency):
    from lawdesk.accounts.models import User

    agency = make_agency(domain="police.example")
    Client().post("/accounts/signup/", {
        "full_name": "Camille Martin", "email": "camille@police.example", "agency": agency.pk,
        "title": "Capitaine", "supervisor_name": "Chef", "supervisor_email": "chef@police.example",
        "password1": "Quiet-harbour-lamp-71", "password2": "Quiet-harbour-lamp-71"}, headers=FR)
    assert User.objects.get(email="camille@police.example").language == "fr"


def test_a_visitor_switches_language_with_a_link_that_only_sets_a_cookie(client, officer):
    page = client.get("/accounts/login/").content.decode()
    assert 'href="/i18n/language/?language=fr"' in page
    response = client.get("/i18n/language/?language=fr", headers={"Referer": "/accounts/login/"})
    assert response.status_code == 302 and response.cookies["lawdesk_language"].value == "fr"
    assert '<html lang="fr">' in client.get("/accounts/login/").content.decode()
    # A signed-in user's profile does not change by a link (it could be forged from elsewhere).
    login(client, officer)
    client.get("/i18n/language/?language=en")
    officer.refresh_from_db()
    assert officer.language == ""


def test_an_order_in_an_undeclared_language_is_flagged_translation_required(
        client, submit, reviewer, settings):
    settings.LAWDESK_DECLARED_LANGUAGES = ["en", "fr"]
    german = submit(language="de")
    french = submit(language="fr")
    assert "translation_required" in german.flags
    assert "translation_required" not in french.flags
    client.force_login(reviewer)
    page = client.get(f"/desk/cases/{german.pk}/").content.decode()
    assert "Translation required" in page and "the order is in DE" in page
    assert "Directive (EU) 2023/1544 Art. 4" in page
    assert 'data-testid="translation-required"' not in client.get(
        f"/desk/cases/{french.pk}/").content.decode()


def _portal_form(**overrides):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.factories import PDF_BYTES

    form = {"kind": "production", "instrument_type": "epoc", "instrument_reference": "EPOC-26-7",
            "instrument_date": "2026-10-30", "issuer_name": "Anne Roussel", "issuer_role": "prosecutor",
            "authority_file_number": "PV 26/9", "offence_category": "fraud", "max_sentence_years": "5",
            "offence_description": "Escroquerie en bande organisée au préjudice de particuliers.",
            "user_named_as_suspect": "on", "categories": ["subscriber"],
            "targets": "+33 6 12 34 56 78", "window_start": "2026-09-01T00:00",
            "window_end": "2026-09-30T00:00",
            "attachments": SimpleUploadedFile("ordre.pdf", PDF_BYTES, "application/pdf")}
    return form | overrides


def test_the_portal_files_the_order_in_the_language_the_officer_names(client, officer, reviewer,
                                                                     settings):
    from lawdesk.cases.models import Case

    settings.LAWDESK_DECLARED_LANGUAGES = ["en", "fr"]
    login(client, officer)
    # The form offers the Union's languages, the page's own chosen; it says which are declared.
    form = client.get("/portal/cases/new/?kind=production", headers=FR).content.decode()
    assert re.search(r'<option value="fr" selected>\s*Français\s*</option>', form)
    assert re.search(r'<option value="de">\s*Allemand \(Deutsch\)\s*</option>', form)
    assert "accepter les décisions rédigées en : Anglais (English), Français." in unescape(form)
    # An order in French filed from a French page: declared, no flag.
    client.post("/portal/cases/new/", _portal_form(language="fr"), headers=FR)
    french = Case.objects.get()
    assert french.language == "fr" and "translation_required" not in french.flags
    # The same officer files a German order: the desk is told a translation is required.
    client.post("/portal/cases/new/", _portal_form(language="de", instrument_reference="EPOC-26-8"),
                headers=FR)
    german = Case.objects.exclude(pk=french.pk).get()
    assert german.language == "de" and "translation_required" in german.flags
    client.force_login(reviewer)
    assert "the order is in DE" in client.get(f"/desk/cases/{german.pk}/").content.decode()


def test_an_english_page_files_the_order_in_english_by_default(client, officer):
    login(client, officer)
    form = client.get("/portal/cases/new/?kind=production",
                      headers={"Accept-Language": "en"}).content.decode()
    assert re.search(r'<option value="en" selected>\s*English\s*</option>', form)
    assert re.search(r'<option value="fr">\s*French \(français\)\s*</option>', form)


def test_a_desk_member_who_chose_french_reads_the_desk_in_french(client, submit, reviewer):
    case = submit()
    reviewer.language = "fr"
    reviewer.save(update_fields=["language"])
    client.force_login(reviewer)
    queue = _text(client.get("/desk/").content.decode())
    assert "File des demandes" in queue and "Requests queue" not in queue
    page = _text(client.get(f"/desk/cases/{case.pk}/").content.decode())
    for french in ("Demandeur", "Analyse juridique", "Données demandées", "Chronologie",
                   "Commencer l'examen (accuser réception)", "Suspect désigné oui"):
        assert french in page, french
    for english in ("Requester", "Legal analysis", "Data asked", "Timeline", "Start review",
                    "Suspect named yes"):
        assert english not in page, english
    # The analysis cites the law the French way, from the rule definitions' one text.
    assert re.search(r"Règlement \(UE\) 2023/1543, art\. \d+", page), page
    assert "Reg. (EU)" not in page and "Regulation (EU)" not in page
    reviewer.language = "en"
    reviewer.save(update_fields=["language"])
    english_page = _text(client.get(f"/desk/cases/{case.pk}/").content.decode())
    assert re.search(r"Regulation \(EU\) 2023/1543, Art\. \d+", english_page)
