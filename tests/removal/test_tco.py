"""TCO removal orders (Reg. (EU) 2021/784): real measures on the synthetic platform."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core import mail

from lawdesk.audit.models import Event
from lawdesk.cases import conversation
from lawdesk.cases import services as case_services
from lawdesk.cases.models import Status
from lawdesk.core.errors import DomainError
from lawdesk.platform.actions import PlatformActions
from lawdesk.platform.content_actions import Withheld
from lawdesk.removal import alarms, feedback, services
from lawdesk.removal.models import RemovalAlarm
from tests.removal.conftest import CHANNEL, HOUR, url

pytestmark = pytest.mark.django_db


def test_a_tco_order_has_one_hour_and_its_items_are_located(tco, channel_messages):
    assert tco.deadline_at - tco.received_at == HOUR
    items = list(tco.removal_items.all())
    assert [i.location for i in items] == [url(m) for m in channel_messages[:2]]
    assert [i.target for i in items] == [f"message:{CHANNEL}:{m.message_id}"
                                         for m in channel_messages[:2]]


def test_removal_takes_the_content_off_the_platform_preserves_it_and_reports_it(
        tco, channel_messages, reviewer, now, removal_platform, settings):
    view = services.platform_view()
    first = channel_messages[0]
    assert view.read(CHANNEL, first.message_id, country="FR") == first
    at = now + timedelta(minutes=12)
    case = services.apply_measure(case=tco, actor=reviewer, now=at, measure="remove")
    assert case.status == Status.ACTIONED
    for message in channel_messages[:2]:
        for country in ("FR", "DE", "US"):
            seen = view.read(CHANNEL, message.message_id, country=country)
            assert isinstance(seen, Withheld) and seen.reason == "removed"
    assert view.read(CHANNEL, channel_messages[2].message_id, country="FR") is not None
    items = list(case.removal_items.all())
    assert {i.effect_at for i in items} == {at}
    # Art. 6: the removed message and its data are kept six months, the sender's data held.
    kept = items[0].preserved
    assert kept.record["message"]["text"] == first.text
    assert kept.until - kept.preserved_at >= timedelta(days=182)
    [hold] = [h for h in PlatformActions(removal_platform).holds() if h.reference.endswith("/removal")]
    assert first.sender_id in hold.account_ids
    # Annex II: per URL, the exact time of the measure, in JSON and PDF.
    doc = feedback.annex_ii(case)
    assert doc["complete"] and doc["section_a"]["provider_file_number"] == case.number
    assert [(b["url"], b["measure"], b["measure_at"]) for b in doc["section_b"]] == [
        (url(m), "removed", at.isoformat(timespec="microseconds")) for m in channel_messages[:2]]
    assert feedback.annex_ii_pdf(case).startswith(b"%PDF")
    assert Event.objects.filter(action="removal:measure:applied").count() == 2


def test_a_partial_geo_block_does_not_satisfy_a_tco_order(tco, channel_messages, reviewer, now):
    with pytest.raises(DomainError) as err:
        services.apply_measure(case=tco, actor=reviewer, now=now, measure="disable",
                               countries=["FR", "DE"])
    assert err.value.field == "countries"
    assert services.content_actions().measures() == []
    case = services.apply_measure(case=tco, actor=reviewer, now=now, measure="disable",
                                  countries=["EU"])
    seen = services.platform_view().read(CHANNEL, channel_messages[0].message_id, country="MT")
    assert isinstance(seen, Withheld) and case.status == Status.ACTIONED


def test_a_retry_keeps_the_first_time_of_the_measure(tco, reviewer, now):
    services.apply_measure(case=tco, actor=reviewer, now=now, measure="remove")
    services.apply_measure(case=tco, actor=reviewer, now=now + HOUR, measure="remove")
    assert {i.effect_at for i in tco.removal_items.all()} == {now}
    assert len(services.content_actions().measures()) == 2


def test_alarms_at_fifteen_minutes_and_at_expiry_once_each(tco, reviewer, now):
    assert alarms.raise_alarms(now=now + timedelta(minutes=44)) == []
    [due] = alarms.raise_alarms(now=now + timedelta(minutes=45, seconds=30))
    assert due.kind == RemovalAlarm.Kind.DUE_SOON and reviewer.email in due.recipients
    assert "14 minutes left" in mail.outbox[-1].subject
    assert alarms.raise_alarms(now=now + timedelta(minutes=50)) == []
    [late] = alarms.raise_alarms(now=now + timedelta(minutes=61))
    assert late.kind == RemovalAlarm.Kind.EXPIRED and "deadline passed" in mail.outbox[-1].subject
    assert alarms.raise_alarms(now=now + timedelta(minutes=70)) == []
    assert Event.objects.filter(action="removal:alarm:raised").count() == 2


def test_no_alarm_once_the_content_is_removed(tco, reviewer, now):
    services.apply_measure(case=tco, actor=reviewer, now=now + timedelta(minutes=5), measure="remove")
    assert alarms.raise_alarms(now=now + timedelta(minutes=50)) == []
    assert alarms.raise_alarms(now=now + 2 * HOUR) == []


def test_the_clock_restarts_for_a_full_hour_when_the_clarification_arrives(tco, reviewer, officer,
                                                                             now):
    case = case_services.start_review(case=tco, actor=reviewer, now=now + timedelta(minutes=2))
    case = conversation.ask_clarification(case=case, actor=reviewer, now=now + timedelta(minutes=40),
                                          question="The second URL gives no message: which one?")
    answered = now + timedelta(hours=5)
    case = conversation.answer_clarification(case=case, actor=officer, now=answered,
                                             answer="The message posted at noon.")
    case.refresh_from_db()
    assert case.deadline_at == answered + HOUR  # not the 20 minutes that were left
    assert Event.objects.filter(action="removal:clock:restarted").exists()


def test_four_eyes_recorded_after_the_measure_and_never_by_the_same_person(tco, reviewer, approver,
                                                                           now):
    with pytest.raises(DomainError):
        services.second_review(case=tco, actor=approver, now=now, agrees=True)
    case = services.apply_measure(case=tco, actor=reviewer, now=now, measure="remove")
    assert case.status == Status.ACTIONED  # nobody else had to agree first
    with pytest.raises(DomainError) as err:
        services.second_review(case=case, actor=reviewer, now=now, agrees=True)
    assert err.value.code == "four_eyes"
    review = services.second_review(case=case, actor=approver, now=now + timedelta(minutes=3),
                                    agrees=True, note="Terrorist instructions, clear case.")
    assert review.reviewer == approver


def test_reinstatement_brings_the_content_back(tco, channel_messages, reviewer, now):
    services.apply_measure(case=tco, actor=reviewer, now=now, measure="remove")
    assert services.restore(case=tco, actor=reviewer, now=now + timedelta(days=2),
                            reason="Order quashed on scrutiny (Art. 4)") == 2
    first = channel_messages[0]
    assert services.platform_view().read(CHANNEL, first.message_id, country="FR") == first
    doc = json.loads(json.dumps(feedback.annex_ii(tco)))
    assert all(b["reinstated_at"] for b in doc["section_b"])
    assert services.restore(case=tco, actor=reviewer, now=now + timedelta(days=3),
                            reason="again") == 0
