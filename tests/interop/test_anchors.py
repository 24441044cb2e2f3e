"""HI-1 endpoint identities are trust anchors: two administrators (decision 0014)."""

from __future__ import annotations

import pytest

from lawdesk.accounts.models import AnchorChange
from lawdesk.accounts.services import approve_anchor_change, reject_anchor_change
from lawdesk.audit.models import Event
from lawdesk.core.errors import DomainError
from lawdesk.interop import services
from lawdesk.interop.models import Endpoint
from tests.interop.conftest import FINGERPRINT

pytestmark = pytest.mark.django_db


def _propose(admin, now, officer, **kw):
    args = {"country_code": "fr", "unique_identifier": "FR-PJJ-EEVIDENCE",
            "fingerprint": FINGERPRINT.upper(), "evidence": "Compared by phone with the ministry"}
    args.update(kw)
    return services.propose_endpoint(actor=admin, now=now, agency=officer.officer.agency,
                                     officer=officer.officer, **args)


def test_an_endpoint_applies_only_when_a_second_admin_approves(admin_user, second_admin, now,
                                                               officer):
    change = _propose(admin_user, now, officer)
    assert Endpoint.objects.count() == 0
    assert change.get_kind_display() == "Add an HI-1 endpoint and certificate"
    assert change.subject.startswith("FR/FR-PJJ-EEVIDENCE sha256:")
    with pytest.raises(DomainError) as refused:
        approve_anchor_change(actor=admin_user, now=now, change=change)
    assert refused.value.code == "own_proposal"
    assert Endpoint.objects.count() == 0
    approve_anchor_change(actor=second_admin, now=now, change=change)
    endpoint = Endpoint.objects.get()
    assert (endpoint.country_code, endpoint.unique_identifier, endpoint.fingerprint) == \
        ("FR", "FR-PJJ-EEVIDENCE", FINGERPRINT)
    assert endpoint.officer == officer.officer
    actions = list(Event.objects.filter(action__startswith="accounts:agency:anchor")
                   .order_by("seq").values_list("action", flat=True))
    assert actions[-3:] == ["accounts:agency:anchor_proposed", "accounts:agency:anchor_refused",
                            "accounts:agency:anchor_approved"]
    approved = Event.objects.filter(action="accounts:agency:anchor_approved").last()
    assert approved.params["details"]["fingerprint"] == FINGERPRINT
    assert approved.params["hi1_endpoint_id"] == endpoint.pk


def test_a_rejected_endpoint_never_applies(admin_user, second_admin, now, officer):
    change = _propose(admin_user, now, officer)
    reject_anchor_change(actor=second_admin, now=now, change=change, reason="Not confirmed")
    assert Endpoint.objects.count() == 0
    assert AnchorChange.objects.get(pk=change.pk).state == "rejected"


@pytest.mark.parametrize(("field", "value"), [
    ("country_code", "FRA"), ("unique_identifier", "has spaces in it"),
    ("fingerprint", "12:34"), ("evidence", "")])
def test_field_errors_name_the_field(admin_user, now, officer, field, value):
    with pytest.raises(DomainError) as refused:
        _propose(admin_user, now, officer, **{field: value})
    assert refused.value.field == field


def test_the_same_proposal_twice_is_refused(admin_user, now, officer):
    _propose(admin_user, now, officer)
    with pytest.raises(DomainError) as refused:
        _propose(admin_user, now, officer)
    assert refused.value.code == "already_proposed"


def test_only_admins_may_propose(make_staff, now, officer):
    from lawdesk.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        _propose(make_staff("reviewer"), now, officer)


def test_the_desk_page_proposes_and_the_agency_page_approves(client, admin_user, second_admin,
                                                             officer):
    from tests.factories import login

    login(client, admin_user)
    page = client.get("/desk/hi1/").content.decode()
    assert "No endpoint yet" in page
    response = client.post("/desk/hi1/", {
        "action": "propose", "endpoint-officer": officer.officer.pk,
        "endpoint-country_code": "FR", "endpoint-unique_identifier": "FR-PJJ-EEVIDENCE",
        "endpoint-fingerprint": "not hex", "endpoint-evidence": "Onboarding meeting"})
    assert "64 hexadecimal digits" in response.content.decode()  # the field says why
    response = client.post("/desk/hi1/", {
        "action": "propose", "endpoint-officer": officer.officer.pk,
        "endpoint-country_code": "FR", "endpoint-unique_identifier": "FR-PJJ-EEVIDENCE",
        "endpoint-fingerprint": FINGERPRINT, "endpoint-evidence": "Onboarding meeting"})
    agency = officer.officer.agency
    assert response.status_code == 302 and response["Location"] == f"/desk/agencies/{agency.pk}/"
    assert Endpoint.objects.count() == 0
    change = AnchorChange.objects.get(kind="add_hi1_endpoint")
    assert "FR/FR-PJJ-EEVIDENCE" in client.get(f"/desk/agencies/{agency.pk}/").content.decode()
    client.logout()
    login(client, second_admin)
    client.post(f"/desk/agencies/{agency.pk}/", {"action": "anchor", "anchor-change": change.pk,
                                                  "anchor-decision": "approve"})
    assert Endpoint.objects.get().fingerprint == FINGERPRINT
    assert FINGERPRINT in client.get("/desk/hi1/").content.decode()


def test_reviewers_see_the_endpoints_but_cannot_propose(client, make_staff, officer):
    from tests.factories import login

    login(client, make_staff("reviewer"))
    assert client.get("/desk/hi1/").status_code == 200
    response = client.post("/desk/hi1/", {"action": "propose"})
    assert response.status_code == 404
