"""DSA Art. 9 orders: the order's scope, the effect given and when, the recipient informed
(Art. 9(5)), the report to the issuing authority and the Digital Services Coordinator."""

from __future__ import annotations

import json

import pytest
from django.core import mail

from lawdesk.audit.models import Event
from lawdesk.core.errors import DomainError
from lawdesk.platform.actions import PlatformActions
from lawdesk.platform.content_actions import Withheld
from lawdesk.removal import art9, services
from tests.removal.conftest import CHANNEL, tco_payload

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(submit, channel_messages):
    return submit(**tco_payload(channel_messages[:2], instrument_type="dsa_art9_order",
                                instrument_reference="ARCOM-2026-77", offence_category="threats",
                                offence_description="Death threats against a named official."))


def test_a_measure_narrower_than_the_order_is_refused(order, reviewer, now):
    art9.record_scope(case=order, actor=reviewer, now=now, countries="fr be")
    assert order.order_scope.countries == ["BE", "FR"]
    with pytest.raises(DomainError) as refused:
        services.apply_measure(case=order, actor=reviewer, now=now, measure="disable", countries=["FR"])
    assert refused.value.code == "narrower_than_order" and "BE" in refused.value.message
    assert not order.removal_items.filter(effect_at__isnull=False).exists()
    with pytest.raises(DomainError):
        art9.record_scope(case=order, actor=reviewer, now=now, countries="FR XX")


def test_the_effect_is_given_in_the_scope_reported_and_the_recipient_informed(
        order, channel_messages, reviewer, now, removal_platform, settings):
    settings.LAWDESK_DSC_EMAILS = {"FR": "dsc@arcom.example"}
    art9.record_scope(case=order, actor=reviewer, now=now, countries="FR BE")
    services.apply_measure(case=order, actor=reviewer, now=now, measure="disable", countries=["FR", "BE"])
    view = services.platform_view()
    first = channel_messages[0]
    assert isinstance(view.read(CHANNEL, first.message_id, country="FR"), Withheld)
    assert view.read(CHANNEL, first.message_id, country="DE") == first  # outside the order's scope
    items = list(order.removal_items.all())
    assert [(i.measure, i.countries) for i in items] == [("disable_some", ["BE", "FR"])] * 2
    # Art. 9(5): the uploader is told of the order, the effect and where, and the redress.
    notices = [n for n in PlatformActions(removal_platform).notices() if n.reference.startswith(order.number)]
    assert notices and "2022/2065" in notices[0].text and "Art. 9" in notices[0].text
    assert "BE, FR" in notices[0].text and "courts of the issuing member state" in notices[0].text
    assert "Art. 17" in notices[0].text  # with the statement of reasons
    # Art. 9(1): the report, kept once, then e-mailed to the authority and the DSC with its PDF.
    [row] = order.effect_reports.all()
    assert row.document["complete"] and row.document["order"]["territorial_scope"] == ["BE", "FR"]
    assert [e["effect_at"] for e in row.document["effect"]] == [now.isoformat(timespec="seconds")] * 2
    assert row.recipients == [order.officer.user.email, "dsc@arcom.example"]
    assert row.sent_at is None
    assert art9.send_due_reports(now=now) == 1 and art9.send_due_reports(now=now) == 0
    [message] = [m for m in mail.outbox if "DSA Art. 9" in m.subject]
    assert set(message.to) == {order.officer.user.email, "dsc@arcom.example"}
    names = {a[0]: a for a in message.attachments}
    assert json.loads(names[f"{order.number}-art9-effect.json"][1])["provider"]["file_number"] == order.number
    assert names[f"{order.number}-art9-effect.pdf"][1].startswith(b"%PDF")
    assert row.sha256 in message.body
    assert Event.objects.filter(action="removal:effectreport:sent").count() == 1


def test_a_report_is_retried_until_the_mail_goes(order, reviewer, now, settings):
    services.apply_measure(case=order, actor=reviewer, now=now, measure="remove")
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    assert art9.send_due_reports(now=now) == 0
    row = order.effect_reports.get()
    assert row.sent_at is None and row.attempts == 1 and row.last_error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert art9.send_due_reports(now=now) == 1


def test_the_officer_downloads_the_report_and_another_agency_cannot(
        order, reviewer, now, client, officer, make_officer, make_agency):
    services.apply_measure(case=order, actor=reviewer, now=now, measure="remove")
    client.force_login(officer)
    answer = client.get(f"/portal/cases/{order.pk}/art9-report.json")
    assert answer.status_code == 200 and json.loads(answer.content)["complete"]
    assert client.get(f"/portal/cases/{order.pk}/art9-report.pdf").content.startswith(b"%PDF")
    other = make_officer(make_agency(name="Agency B", domain="b-agency.example"))
    client.force_login(other)
    assert client.get(f"/portal/cases/{order.pk}/art9-report.json").status_code == 404


def test_a_tco_order_has_no_art9_report_or_scope(tco, reviewer, now):
    services.apply_measure(case=tco, actor=reviewer, now=now, measure="remove")
    assert not tco.effect_reports.exists()
    with pytest.raises(DomainError):
        art9.record_scope(case=tco, actor=reviewer, now=now, countries="FR")
