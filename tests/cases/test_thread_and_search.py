"""Officers find their agency's requests and talk with the desk on any case."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lawdesk.audit.models import Event
from lawdesk.cases.models import Message
from tests.factories import PDF_BYTES

pytestmark = pytest.mark.django_db


def test_officer_dashboard_searches_and_filters_across_pages(client, submit, officer, now,
                                                            make_agency, make_officer):
    for i in range(30):
        submit(at=now - timedelta(days=i), authority_file_number=f"J3-{i:03d}",
               targets=[{"identifier": f"@suspect_{i:03d}"}])
    other = make_officer(make_agency(name="Other agency"))
    submit(actor=other, authority_file_number="J3-007-OTHER",
           targets=[{"identifier": "@suspect_007"}])
    client.force_login(officer)

    def rows(path: str) -> list[str]:
        html = client.get(path).content.decode()
        return re.findall(r'<td>(J3-[^<]*)</td>', html)

    assert rows("/portal/?q=suspect_007") == ["J3-007"]  # never another agency's J3-007-OTHER
    assert len(rows("/portal/?q=J3-02")) == 10
    week = (now - timedelta(days=6)).date().isoformat()
    assert len(rows(f"/portal/?since={week}&status=received")) == 7
    # The filters stay on when paging through.
    assert 'href="?q=J3-0&amp;page=2"' in client.get("/portal/?q=J3-0").content.decode()
    assert len(rows("/portal/?q=J3-0")) == 25 and len(rows("/portal/?q=J3-0&page=2")) == 5
    assert "Received until: Enter a valid date." in client.get("/portal/?until=soon").content.decode()


def test_officer_and_desk_talk_on_a_case_with_a_pdf_audited(client, submit, officer, reviewer):
    case = submit()
    client.force_login(officer)
    pdf = SimpleUploadedFile("supplement.pdf", PDF_BYTES, "application/pdf")
    response = client.post(f"/portal/cases/{case.pk}/", {
        "action": "message", "m-body": "We found a second account; the judge's order is attached.",
        "m-attachments": pdf})
    assert response.status_code == 302
    message = Message.objects.get(case=case, kind=Message.Kind.MESSAGE)
    attachment = message.attachments.get()
    event = Event.objects.get(action="cases:message:received")
    assert event.params["attachments"] == [{"name": "supplement.pdf", "sha256": attachment.sha256}]
    assert "second account" not in str(event.params)  # the trail does not copy the text
    case.refresh_from_db()
    assert "requester_message" in case.flags

    client.logout()
    client.force_login(reviewer)
    assert "Message from the requester" in client.get("/desk/").content.decode()
    desk = client.get(f"/desk/cases/{case.pk}/").content.decode()
    assert "second account" in desk and "supplement.pdf" in desk
    response = client.post(f"/desk/cases/{case.pk}/", {
        "action": "message", "m-body": "Received; we will look at the order today."})
    assert response.status_code == 302
    case.refresh_from_db()
    assert "requester_message" not in case.flags
    assert Event.objects.filter(action="cases:message:sent").exists()

    client.logout()
    client.force_login(officer)
    page = client.get(f"/portal/cases/{case.pk}/").content.decode()
    assert "we will look at the order today" in page
    assert reviewer.full_name not in page


def test_a_message_attachment_is_checked_like_an_intake_document(client, submit, officer):
    case = submit()
    client.force_login(officer)
    fake = SimpleUploadedFile("order.pdf", b"<html><script>alert(1)</script></html>",
                              "application/pdf")
    response = client.post(f"/portal/cases/{case.pk}/", {
        "action": "message", "m-body": "See the attached order.", "m-attachments": fake})
    assert response.status_code == 400
    assert "order.pdf is not a PDF document" in response.content.decode()
    assert not Message.objects.filter(case=case, kind=Message.Kind.MESSAGE).exists()


def test_another_agency_cannot_write_on_the_case(client, submit, make_agency, make_officer):
    case = submit()
    client.force_login(make_officer(make_agency(name="Other agency")))
    response = client.post(f"/portal/cases/{case.pk}/", {"action": "message", "m-body": "Hello"})
    assert response.status_code == 404
    assert not Message.objects.filter(case=case).exists()
