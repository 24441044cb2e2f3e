"""TCO Annex III: the provider cannot comply; the clock waits; the answer gives a full hour."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from lawdesk.audit.models import Event
from lawdesk.cases import conversation
from lawdesk.cases.models import Case, Status
from lawdesk.core.errors import DomainError
from lawdesk.removal import services, tco_annex_iii
from tests.removal.conftest import HOUR, tco_payload

pytestmark = pytest.mark.django_db


def test_insufficient_information_stops_the_clock_and_the_answer_gives_a_full_hour(
        tco, reviewer, officer, now):
    later = now + timedelta(minutes=40)
    row = tco_annex_iii.declare(case=tco, actor=reviewer, now=later, reason="insufficient_information",
                                explanation="The second URL points to a deleted message.",
                                clarification="Which post do you mean in the channel?")
    case = Case.objects.get(pk=tco.pk)
    assert case.status == Status.AWAITING_CLARIFICATION and case.paused_at == later
    question = case.messages.get(kind="clarification_request").body
    assert "Annex III" in question and "Which post do you mean" in question
    doc = tco_annex_iii.document(row)
    assert doc["section_b"]["reason"] == "insufficient_information"
    assert doc["section_a"]["provider_file_number"] == tco.number and len(doc["section_b"]["urls"]) == 2
    assert json.dumps(doc) and tco_annex_iii.pdf(row).startswith(b"%PDF")
    # Three hours later the authority answers: one full hour from then, not the 20 minutes left.
    answered = later + 3 * HOUR
    case = conversation.answer_clarification(case=case, actor=officer, now=answered,
                                             answer="The post with the instructions, message 2.")
    case = Case.objects.get(pk=tco.pk)
    assert case.deadline_at == answered + HOUR
    assert Event.objects.filter(action="removal:impossibility:declared").count() == 1


def test_annex_iii_needs_a_reason_an_explanation_and_the_clarification(tco, reviewer, now):
    with pytest.raises(DomainError):
        tco_annex_iii.declare(case=tco, actor=reviewer, now=now, reason="bad_weather",
                              explanation="Our servers are down for maintenance.")
    with pytest.raises(DomainError) as refused:
        tco_annex_iii.declare(case=tco, actor=reviewer, now=now, reason="manifest_errors",
                              explanation="The order names the wrong platform.")
    assert refused.value.field == "clarification"
    # force majeure needs no clarification
    tco_annex_iii.declare(case=tco, actor=reviewer, now=now, reason="force_majeure",
                          explanation="A data-centre fire took the content servers offline.")


def test_not_after_effect_and_not_for_other_orders(submit, channel_messages, tco, reviewer, now):
    services.apply_measure(case=tco, actor=reviewer, now=now, measure="remove")
    with pytest.raises(DomainError):
        tco_annex_iii.declare(case=tco, actor=reviewer, now=now, reason="force_majeure",
                              explanation="A data-centre fire took the content servers offline.")
    art9 = submit(**tco_payload(channel_messages[2:3], instrument_type="dsa_art9_order",
                                offence_category="threats"))
    with pytest.raises(DomainError):
        tco_annex_iii.declare(case=art9, actor=reviewer, now=now, reason="force_majeure",
                              explanation="A data-centre fire took the content servers offline.")


def test_the_desk_sends_it_and_the_officer_downloads_it(tco, reviewer, officer, client):
    client.force_login(reviewer)
    answer = client.post(f"/desk/removals/{tco.pk}/", {
        "action": "impossible", "im-reason": "manifest_errors",
        "im-explanation": "The order names a channel of another platform.",
        "im-clarification": "Please confirm the platform and the URL."})
    assert answer.status_code == 302
    page = client.get(f"/desk/removals/{tco.pk}/")
    assert b"The order contains manifest errors" in page.content
    client.force_login(officer)
    doc = client.get(f"/portal/cases/{tco.pk}/annex-iii.json")
    assert doc.status_code == 200 and json.loads(doc.content)["section_b"]["reason"] == "manifest_errors"
    assert client.get(f"/portal/cases/{tco.pk}/annex-iii.pdf").content.startswith(b"%PDF")
