"""Preservation holds on the platform, their expiry, and the notices to users."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from lawdesk.audit.models import Event
from lawdesk.cases import disclosure, preservation, services
from lawdesk.cases.models import Status
from lawdesk.collection import holds, notices
from lawdesk.collection.models import PreservationHold, UserNotice
from lawdesk.collection.services import run_collection
from lawdesk.platform.actions import PlatformActions

pytestmark = pytest.mark.django_db
WINDOW = {"window_start": "2025-09-10T00:00:00Z", "window_end": "2025-09-20T00:00:00Z"}


def test_preservation_holds_the_accounts_until_it_expires(platform, submit, now):
    case = submit(kind="preservation", instrument_type="epoc_pr", categories=["subscriber"],
                  targets=[{"identifier": "+33 6 12 34 56 78"}], **WINDOW)
    hold = holds.place_holds(case=case, now=now)
    assert hold.account_ids == [1000001]
    platform_side = PlatformActions(platform)
    assert 1000001 in platform_side.held_accounts(now + timedelta(days=59))
    assert holds.place_holds(case=case, now=now).pk == hold.pk  # idempotent
    assert holds.expire_holds(now=now + timedelta(days=61)) == 1
    case.refresh_from_db()
    assert case.status == Status.EXPIRED
    assert 1000001 not in platform_side.held_accounts(now + timedelta(days=59))
    assert PreservationHold.objects.get(pk=hold.pk).released_at is not None
    assert Event.objects.filter(action="platform:hold:released").exists()


def test_extension_moves_the_hold(platform, submit, reviewer, now):
    case = submit(kind="preservation", instrument_type="epoc_pr", categories=["subscriber"],
                  targets=[{"identifier": "1000002"}], **WINDOW)
    holds.place_holds(case=case, now=now)
    preservation.extend_preservation(case=case, actor=reviewer, now=now, reason="Annex VI received")
    hold = PreservationHold.objects.get(case=case)
    assert hold.expires_at == now + timedelta(days=90)
    assert 1000002 in PlatformActions(platform).held_accounts(now + timedelta(days=80))


def _delivered(submit, reviewer, approver, now, **extra):
    from lawdesk.core.clock import utcnow

    case = submit(targets=[{"identifier": "+33 6 12 34 56 78"}], **WINDOW, **extra)
    services.start_review(case=case, actor=reviewer, now=now)
    proposal = disclosure.propose_disclosure(case=case, actor=reviewer, now=now,
                                             categories=["subscriber"],
                                             target_ids=[t.pk for t in case.targets.all()],
                                             legal_basis="EPOC by a prosecutor, Art. 4(1)")
    disclosure.approve_proposal(proposal=proposal, actor=approver, now=now)
    run_collection(case.pk, clock=utcnow)
    case.refresh_from_db()
    return case


def test_user_notice_follows_the_law_and_the_nondisclosure_order(
        platform, submit, reviewer, approver, now, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = _delivered(submit, reviewer, approver, now, nondisclosure_order=True,
                          nondisclosure_until="2027-01-31")
    notice = UserNotice.objects.get(case=case)
    assert notice.status == UserNotice.Status.DEFERRED
    assert PlatformActions(platform).notices() == []
    # The order ends: the case comes back to the desk for a decision.
    assert notices.recheck(now=now.replace(year=2027, month=2, day=1)) == 1
    case.refresh_from_db()
    assert "notice_decision_due" in case.flags
    notices.extend_nondisclosure(case=case, actor=reviewer, now=now.replace(year=2027, month=2),
                                 until=date(2027, 6, 30), reference="ONP-2027-12")
    assert UserNotice.objects.get(case=case).status == UserNotice.Status.DEFERRED
    notices.recheck(now=now.replace(year=2027, month=7, day=1))
    notices.notify_now(case=case, actor=reviewer, now=now.replace(year=2027, month=7, day=2))
    sent = PlatformActions(platform).notices()
    assert [n.account_id for n in sent] == [1000001]
    assert "Parquet de Paris J3" in sent[0].text
    assert UserNotice.objects.get(case=case).status == UserNotice.Status.SENT


def test_without_an_order_the_decision_is_recorded_for_every_account(
        platform, submit, reviewer, approver, now, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = _delivered(submit, reviewer, approver, now)
    notice = UserNotice.objects.get(case=case)
    # An EPOC: e-Evidence Art. 13 — the issuing authority informs the person; the platform
    # keeps the order confidential, and says so.
    assert notice.status == UserNotice.Status.WITHHELD
    assert "Art. 13" in notice.reason
    assert PlatformActions(platform).notices() == []
    assert Event.objects.filter(action__startswith="notice:user:").exists()


def test_conversion_moves_the_hold_to_the_production_request(platform, submit, reviewer, now):
    preserved = submit(kind="preservation", instrument_type="epoc_pr",
                       categories=["subscriber"], targets=[{"identifier": "1000003"}], **WINDOW)
    holds.place_holds(case=preserved, now=now)
    production = submit(targets=[{"identifier": "1000003"}], **WINDOW)
    with pytest.raises(Exception, match="production request"):
        preservation.convert_preservation(case=preserved, actor=reviewer, now=now,
                                          production_number="LD-0000-000000")
    preservation.convert_preservation(case=preserved, actor=reviewer, now=now,
                                      production_number=production.number)
    preserved.refresh_from_db()
    assert preserved.status == Status.CONVERTED
    hold = PreservationHold.objects.get(released_at__isnull=True)
    assert hold.case_id == production.pk
    assert 1000003 in PlatformActions(platform).held_accounts(now + timedelta(days=30))
    services.withdraw(case=production, actor=production.officer.user, now=now, reason="done")
    assert PreservationHold.objects.get(pk=hold.pk).released_at is not None
