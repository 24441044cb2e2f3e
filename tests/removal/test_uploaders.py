"""TCO Art. 11: the content provider is informed, unless the authority asked to wait."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from lawdesk.platform.actions import PlatformActions
from lawdesk.removal import services, uploaders
from tests.removal.conftest import tco_payload, url

pytestmark = pytest.mark.django_db


def _notices(platform, number):
    return [n for n in PlatformActions(platform).notices() if n.reference == f"{number}/art11"]


def test_the_sender_is_told_once_with_the_urls_and_the_redress(tco, channel_messages, reviewer,
                                                               now, removal_platform):
    services.apply_measure(case=tco, actor=reviewer, now=now, measure="remove")
    senders = {m.sender_id for m in channel_messages[:2]}
    notices = _notices(removal_platform, tco.number)
    assert {n.account_id for n in notices} == senders
    assert url(channel_messages[0]) in notices[0].text and "Art. 9" in notices[0].text
    assert uploaders.inform_due(now=now + timedelta(days=1)) == 0  # nothing twice
    assert len(_notices(removal_platform, tco.number)) == len(senders)


def test_a_deferral_asked_by_the_authority_is_kept_and_capped_at_twelve_weeks(
        submit, channel_messages, reviewer, now, removal_platform):
    case = submit(**tco_payload(channel_messages[:1], nondisclosure_order=True,
                                nondisclosure_until=str(date(2027, 12, 31))))
    services.apply_measure(case=case, actor=reviewer, now=now, measure="remove")
    assert _notices(removal_platform, case.number) == []
    item = case.removal_items.get()
    assert item.uploader_notice_due == case.received_at + timedelta(weeks=12)
    assert uploaders.inform_due(now=now + timedelta(weeks=11)) == 0
    assert uploaders.inform_due(now=now + timedelta(weeks=12, minutes=1)) == 1
    assert len(_notices(removal_platform, case.number)) == 1


def test_without_a_date_the_deferral_is_six_weeks(submit, channel_messages, reviewer, now):
    case = submit(**tco_payload(channel_messages[:1], nondisclosure_order=True))
    services.apply_measure(case=case, actor=reviewer, now=now, measure="remove")
    assert case.removal_items.get().uploader_notice_due == case.received_at + timedelta(weeks=6)
