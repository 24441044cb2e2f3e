"""An officer sees only their own agency; the desk is invisible to officers."""

from __future__ import annotations

import re

import pytest

from tests.factories import login

pytestmark = pytest.mark.django_db


def test_officer_of_agency_b_gets_404_on_agency_a_pages(client, make_agency, make_officer):
    agency_a, agency_b = make_agency(name="Agency A"), make_agency(name="Agency B")
    officer_b = make_officer(agency_b)
    login(client, officer_b)
    assert client.get(f"/portal/agency/{agency_b.pk}/").status_code == 200
    forbidden = client.get(f"/portal/agency/{agency_a.pk}/")
    missing = client.get("/portal/agency/999999/")
    assert forbidden.status_code == missing.status_code == 404
    strip = lambda html: re.sub(rb'value="[^"]{64}"', b"", html)
    assert strip(forbidden.content) == strip(missing.content)


def test_officer_cannot_reach_the_desk(client, make_agency, make_officer):
    user = make_officer(make_agency())
    login(client, user)
    for path in ("/desk/", "/desk/agencies/", "/desk/officers/", "/desk/audit/"):
        assert client.get(path).status_code == 404, path


def test_reviewer_cannot_approve_officers_but_admin_can(client, make_agency, make_officer, make_staff):
    agency = make_agency()
    pending = make_officer(agency, approve=False)
    reviewer = make_staff("reviewer")
    login(client, reviewer)
    page = client.get(f"/desk/officers/{pending.officer.pk}/")
    assert page.status_code == 200
    assert "Approve officer" not in page.content.decode()
    client.post(f"/desk/officers/{pending.officer.pk}/", {"decision": "approve", "reason": ""})
    pending.officer.refresh_from_db()
    assert pending.officer.status == "pending"
