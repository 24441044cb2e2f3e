"""The case policy: who is the requester of a case, which cases take a disclosure proposal."""

from __future__ import annotations

import pytest

from lawdesk.cases import disclosure
from lawdesk.cases.models import Case, Status
from lawdesk.cases.policy import is_requester_of, takes_proposals
from lawdesk.core.errors import DomainError

pytestmark = pytest.mark.django_db


def test_only_active_officers_of_the_sending_agency_are_its_requesters(
        submit, officer, make_agency, make_officer, reviewer):
    case = submit()
    colleague = make_officer(case.agency)
    stranger = make_officer(make_agency())
    pending = make_officer(case.agency, approve=False)
    assert is_requester_of(officer, case) and is_requester_of(colleague, case)
    assert not is_requester_of(stranger, case)
    assert not is_requester_of(pending, case)
    assert not is_requester_of(reviewer, case)


def test_a_preservation_takes_no_proposal_even_through_the_service(submit, reviewer, now):
    assert takes_proposals(Case(kind="production")) and takes_proposals(
        Case(kind="emergency_disclosure"))
    assert not takes_proposals(Case(kind="preservation"))
    assert not takes_proposals(Case(kind="removal"))
    case = submit()
    Case.objects.filter(pk=case.pk).update(kind="preservation", status=Status.IN_REVIEW)
    with pytest.raises(DomainError, match="Only production and emergency"):
        disclosure.propose_disclosure(case=Case.objects.get(pk=case.pk), actor=reviewer, now=now,
                                      categories=["subscriber"], target_ids=[],
                                      legal_basis="EPOC, Art. 4(1)")
