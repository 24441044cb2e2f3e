"""An agency's trust anchors (verified domains, call-back number) change only with two
administrators; the desk flags the agency's requests for a while after a change."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lawdesk.accounts import services
from lawdesk.accounts.models import AnchorChange
from lawdesk.audit.models import Event
from lawdesk.core.errors import DomainError
from tests.factories import login

pytestmark = pytest.mark.django_db
FLAG = "trust_anchor_changed"


def _actions(agency) -> list[str]:
    return list(Event.objects.filter(target_id=str(agency.pk), action__contains=":anchor_")
                .order_by("seq").values_list("action", flat=True))


def test_a_proposed_call_back_number_applies_only_when_another_admin_approves(
        make_agency, admin_user, second_admin, now):
    agency = make_agency()
    before = agency.callback_phone
    change = services.propose_callback_number(actor=admin_user, now=now, agency=agency,
                                              phone="+33 1 44 00 00 99",
                                              source="Ministry directory, checked by phone")
    agency.refresh_from_db()
    assert agency.callback_phone == before  # nothing applies on a proposal

    services.approve_anchor_change(actor=second_admin, now=now + timedelta(hours=1), change=change)

    agency.refresh_from_db()
    assert agency.callback_phone == "+33144000099"
    assert agency.callback_source == "Ministry directory, checked by phone"
    assert agency.anchors_changed_at == now + timedelta(hours=1)
    assert _actions(agency)[-2:] == ["accounts:agency:anchor_proposed",
                                     "accounts:agency:anchor_approved"]
    approved = Event.objects.filter(action="accounts:agency:anchor_approved").last()
    assert approved.actor_id == second_admin.pk
    assert approved.params["proposed_by"] == admin_user.email
    assert approved.params["previous_phone"] == before


def test_the_same_admin_cannot_approve_their_own_proposal_and_the_attempt_is_audited(
        make_agency, admin_user, now):
    agency = make_agency()
    change = services.propose_domain(actor=admin_user, now=now, agency=agency,
                                     domain="hijacked-mail.example", note="trust me")

    with pytest.raises(DomainError, match="another administrator must approve it"):
        services.approve_anchor_change(actor=admin_user, now=now, change=change)

    change.refresh_from_db()
    assert change.state == AnchorChange.State.PROPOSED
    assert "hijacked-mail.example" not in agency.verified_domains()
    refused = Event.objects.filter(action="accounts:agency:anchor_refused").last()
    assert refused.actor_id == admin_user.pk and refused.params["reason"] == "own_proposal"


def test_domain_removal_and_rejection_are_two_person_decisions(
        make_agency, admin_user, second_admin, now):
    agency = make_agency(domain="police.example")
    removal = services.propose_domain_removal(actor=admin_user, now=now, agency=agency,
                                              domain="police.example")
    assert agency.verified_domains() == ["police.example"]
    services.reject_anchor_change(actor=second_admin, now=now, change=removal,
                                  reason="The unit still uses this domain")
    assert agency.verified_domains() == ["police.example"]
    with pytest.raises(DomainError, match="already decided"):
        services.approve_anchor_change(actor=second_admin, now=now, change=removal)
    again = services.propose_domain_removal(actor=admin_user, now=now, agency=agency,
                                            domain="police.example")
    services.approve_anchor_change(actor=second_admin, now=now, change=again)
    assert agency.verified_domains() == []
    assert "accounts:agency:anchor_rejected" in _actions(agency)


def test_desk_flags_the_agency_requests_for_some_days_after_an_anchor_change(
        make_agency, make_officer, admin_user, second_admin, now, settings):
    from lawdesk.cases.submission import submit_request
    from tests.factories import payload, pdf

    settings.LAWDESK_ANCHOR_RECENT_DAYS = 14
    agency = make_agency(kind="prosecutor")
    officer = make_officer(agency)

    def submit(at):
        return submit_request(actor=officer, now=at, payload=payload(), uploads=[pdf()])

    open_before = submit(at=now - timedelta(days=1))
    assert FLAG not in open_before.flags  # setting up a new agency's anchors is no change
    change = services.propose_callback_number(actor=admin_user, now=now, agency=agency,
                                              phone="+33 1 44 00 00 99", source="Directory entry")
    services.approve_anchor_change(actor=second_admin, now=now, change=change)

    open_before.refresh_from_db()
    assert FLAG in open_before.flags
    assert FLAG in submit(at=now + timedelta(days=13)).flags
    assert FLAG not in submit(at=now + timedelta(days=15)).flags


def test_agency_page_proposes_shows_and_approves_with_a_second_admin(
        client, make_agency, admin_user, second_admin, now):
    agency = make_agency()
    login(client, admin_user)
    page = f"/desk/agencies/{agency.pk}/"
    response = client.post(page, {"action": "callback", "callback-phone": "+33 1 44 00 00 99",
                                  "callback-source": "Ministry directory"}, follow=True)
    body = response.content.decode()
    assert "Another administrator must approve it" in body
    assert "You proposed this: another administrator must approve it." in body
    change = AnchorChange.objects.get(agency=agency, state="proposed")
    refused = client.post(page, {"action": "anchor", "anchor-change": change.pk,
                                 "anchor-decision": "approve"})
    assert "another administrator must approve it" in str(
        refused.context["forms"]["anchor"].non_field_errors())

    client.logout()
    login(client, second_admin)
    response = client.post(page, {"action": "anchor", "anchor-change": change.pk,
                                  "anchor-decision": "approve"}, follow=True)
    body = response.content.decode()
    assert "Approved and applied" in body
    assert "+33144000099" in body
    assert 'data-testid="anchors-recent"' in body
