"""Portal and desk pages of a case, through the real views and templates."""

from __future__ import annotations

import pytest

from lawdesk.audit.models import Event
from lawdesk.cases.models import Case, Status
from tests.factories import PDF_BYTES, login

pytestmark = pytest.mark.django_db


def _form(**overrides):
    data = {
        "kind": "production", "instrument_type": "epoc", "instrument_reference": "EPOC-77",
        "instrument_date": "2026-10-30", "issuer_name": "Anne Roussel", "issuer_role": "prosecutor",
        "authority_file_number": "J3-118", "offence_category": "fraud",
        "offence_description": "Phishing campaign against bank customers.",
        "max_sentence_years": "5", "categories": ["subscriber", "identification"],
        "targets": "+33 6 12 34 56 78\n@night_owl", "window_start": "2026-09-01T00:00",
        "window_end": "2026-10-01T00:00", "user_named_as_suspect": "on",
    }
    data.update(overrides)
    return data


def _pdf():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("order.pdf", PDF_BYTES, "application/pdf")


def test_officer_submits_through_the_portal_form(client, officer):
    login(client, officer)
    response = client.post("/portal/cases/new/", {**_form(), "attachments": _pdf()})
    assert response.status_code == 302
    case = Case.objects.get()
    assert response["Location"] == f"/portal/cases/{case.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert case.number in page and case.receipt_sha256 in page
    receipt = client.get(f"/portal/cases/{case.pk}/receipt.json")
    import hashlib

    assert hashlib.sha256(receipt.content).hexdigest() == case.receipt_sha256


def test_portal_form_errors_are_shown_per_field_and_nothing_saved(client, officer):
    login(client, officer)
    response = client.post("/portal/cases/new/", _form(targets="+33 6\n@ok_name",
                                                       window_end="2028-10-01T00:00"))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="err-targets"' in html and "Target 1" in html
    assert "maximum is 366 days" in html
    assert Case.objects.count() == 0


def test_live_validation_reports_only_touched_fields(client, officer):
    login(client, officer)
    response = client.post("/portal/cases/new/check/", {"targets": "+33 6"})
    html = response.content.decode()
    assert "Target 1" in html
    assert "This field is required" not in html
    assert 'hx-swap-oob="true"' in html


def test_desk_queue_and_case_page(client, submit, reviewer):
    case = submit()
    login(client, reviewer)
    queue = client.get("/desk/").content.decode()
    assert case.number in queue
    page = client.get(f"/desk/cases/{case.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Legal analysis" in html and "Art. 4" in html
    assert Event.objects.filter(action="cases:case:viewed", target_id=str(case.pk)).exists()
    client.post(f"/desk/cases/{case.pk}/", {"action": "start_review"})
    case.refresh_from_db()
    assert case.status == Status.IN_REVIEW


def test_other_agency_officer_gets_404_on_case_and_receipt(client, submit, make_agency, make_officer):
    case = submit()
    other = make_officer(make_agency(name="Other agency"))
    login(client, other)
    for path in (f"/portal/cases/{case.pk}/", f"/portal/cases/{case.pk}/receipt.json",
                 f"/portal/cases/{case.pk}/documents/{case.attachments.get().pk}/"):
        assert client.get(path).status_code == 404, path


def test_officer_never_sees_internal_notes(client, submit, officer, reviewer, now):
    from lawdesk.cases import conversation

    case = submit()
    conversation.add_note(case=case, actor=reviewer, now=now, body="Looks like a forged order?")
    login(client, officer)
    assert "forged" not in client.get(f"/portal/cases/{case.pk}/").content.decode()


def test_the_form_asks_the_kind_first_then_only_that_kinds_fields(client, officer):
    login(client, officer)
    chooser = client.get("/portal/cases/new/").content.decode()
    assert 'data-testid="kind-chooser"' in chooser and 'href="?kind=removal"' in chooser
    assert 'name="targets"' not in chooser
    fields = {}
    for kind in ("production", "preservation", "emergency_disclosure", "removal"):
        html = client.get(f"/portal/cases/new/?kind={kind}").content.decode()
        fields[kind] = {name for name in ("emergency_threat", "content_locations", "categories",
                                          "window_start", "targets", "nondisclosure_order")
                        if f'name="{name}"' in html}
    assert fields["production"] == fields["preservation"] == {
        "categories", "window_start", "targets", "nondisclosure_order"}
    assert fields["emergency_disclosure"] == fields["production"] | {"emergency_threat"}
    assert fields["removal"] == {"content_locations", "targets", "nondisclosure_order"}


def test_without_a_kind_the_post_is_refused_and_the_chooser_says_so(client, officer):
    login(client, officer)
    data = _form()
    data.pop("kind")
    response = client.post("/portal/cases/new/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose the type of request first." in html
    assert Case.objects.count() == 0


def test_officers_see_the_platforms_legal_team_not_staff_names(client, submit, officer, reviewer,
                                                              now, settings):
    from lawdesk.cases import conversation, services

    case = submit()
    services.start_review(case=case, actor=reviewer, now=now)
    conversation.ask_clarification(case=case, actor=reviewer, now=now,
                                   question="Is the time in the order UTC or Paris time?")
    login(client, officer)
    html = client.get(f"/portal/cases/{case.pk}/").content.decode()
    assert "Is the time in the order UTC" in html
    assert reviewer.full_name not in html
    assert "the platform&#x27;s legal team" in html
    settings.LAWDESK_SHOW_STAFF_NAMES = True  # a deployment may choose to show them
    assert reviewer.full_name in client.get(f"/portal/cases/{case.pk}/").content.decode()


@pytest.mark.parametrize("instrument", ["epoc", "dsa_art10_order"])
def test_a_preservation_under_an_order_to_produce_is_refused_on_the_instrument(
    client, officer, instrument
):
    login(client, officer)
    response = client.post("/portal/cases/new/", {**_form(kind="preservation",
                                                          instrument_type=instrument),
                                                  "attachments": _pdf()})
    assert response.status_code == 400
    html = response.content.decode()
    errors = html.split('id="err-instrument_type"')[1].split("</div>")[0]
    label = {"epoc": "European Production Order (EPOC)", "dsa_art10_order": "DSA Art. 10"}[instrument]
    assert label in errors and "cannot carry a request of this kind (Preservation order)" in errors
    assert Case.objects.count() == 0
