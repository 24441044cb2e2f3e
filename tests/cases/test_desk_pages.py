"""What the desk and the portal say about a case: the process still needed, the deployment's
own policy, the clock after approval, emergencies first, and where errors appear."""

from __future__ import annotations

import re

import pytest

from lawdesk.cases import disclosure, services
from lawdesk.cases.models import Status

pytestmark = pytest.mark.django_db


def test_needs_further_process_says_which_process_and_cites_the_deployments_policy(
        client, submit, reviewer):
    case = submit(user_named_as_suspect=False)
    client.force_login(reviewer)
    html = client.get(f"/desk/cases/{case.pk}/").content.decode()
    analysis = html[html.index('data-testid="legal-analysis"'):]
    assert "needs: <strong>order naming the user as a suspect</strong>" in analysis
    assert "platform policy: Msgr privacy policy" in analysis
    assert "Telegram" not in html


def test_the_policy_name_is_a_setting(submit, settings):
    settings.LAWDESK_POLICY_NAME = "Example Chat law-enforcement guidelines § 4"
    case = submit(user_named_as_suspect=False)
    articles = {r.article for r in case.legal.categories["subscriber"].reasons}
    assert "platform policy: Example Chat law-enforcement guidelines § 4" in articles


def test_propose_explains_what_is_missing_instead_of_a_bare_400(client, submit, reviewer, now):
    case = submit(user_named_as_suspect=False)
    services.start_review(case=case, actor=reviewer, now=now)
    client.force_login(reviewer)
    html = client.get(f"/desk/cases/{case.pk}/").content.decode()
    blocked = html[html.index('data-testid="propose-blocked"'):]
    assert "Subscriber data: needs order naming the user as a suspect" in blocked
    # A proposal sent anyway is refused, and the top of the page says why.
    response = client.post(f"/desk/cases/{case.pk}/", {
        "action": "propose", "p-categories": ["subscriber"],
        "p-target_ids": [str(t.pk) for t in case.targets.all()],
        "p-legal_basis": "EPOC by a prosecutor, Art. 4(1) e-Evidence"})
    assert response.status_code == 400
    html = response.content.decode()
    top = html[html.index('data-testid="action-error"'):html.index('data-testid="legal-analysis"')]
    assert "Categories to disclose" in top
    assert "Subscriber data: needs order naming the user as a suspect" in top


def test_an_approved_case_is_decided_not_answered_until_delivered(
        client, submit, officer, reviewer, approver, now):
    case = submit()
    services.start_review(case=case, actor=reviewer, now=now)
    proposal = disclosure.propose_disclosure(case=case, actor=reviewer, now=now,
                                             categories=["subscriber"],
                                             target_ids=[t.pk for t in case.targets.all()],
                                             legal_basis="EPOC by a prosecutor, Art. 4(1)")
    disclosure.approve_proposal(proposal=proposal, actor=approver, now=now)
    case.refresh_from_db()
    assert case.status == Status.PARTIALLY_APPROVED
    client.force_login(officer)
    for path in (f"/portal/cases/{case.pk}/", "/portal/"):
        html = client.get(path).content.decode()
        assert "decided — nothing delivered yet" in html, path
        assert "answered" not in html.lower(), path


def test_an_emergency_gets_the_most_urgent_badge_in_the_queue(client, submit, reviewer, now):
    production = submit(at=now)
    emergency = submit(at=now, kind="emergency_disclosure", uploads=[],
                       emergency_threat="A child agreed to meet the suspect tonight.")
    client.force_login(reviewer)
    html = client.get("/desk/?closed=1").content.decode()

    def badge(number: str) -> str:
        row = html[html.index(f'data-testid="row-{number}"'):]
        return re.search(r'<span class="badge ([^"]+)">', row).group(1)

    assert "emergency" in badge(emergency.number).split()
    assert "emergency" not in badge(production.number).split()


def test_approve_is_disabled_before_the_call_back_with_the_reason(
        client, submit, approver, make_staff, now):
    emergency = submit(kind="emergency_disclosure", uploads=[],
                       emergency_threat="A child agreed to meet the suspect tonight.")
    proposer = make_staff("reviewer")
    services.start_review(case=emergency, actor=proposer, now=now)
    disclosure.propose_disclosure(case=emergency, actor=proposer, now=now,
                                  categories=["subscriber"],
                                  target_ids=[t.pk for t in emergency.targets.all()],
                                  legal_basis="Emergency EPOC, Art. 4(5) e-Evidence")
    client.force_login(approver)
    html = client.get(f"/desk/cases/{emergency.pk}/").content.decode()
    button = re.search(r'<button[^>]*value="approve"[^>]*>', html).group(0)
    assert "disabled" in button
    assert "Confirm the call-back" in html[html.index('id="approve-why"'):][:300]
