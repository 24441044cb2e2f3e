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


# --- The territorial scope stated at intake (decision 0026) ----------------------------------

def _art9(channel_messages, **overrides):
    return tco_payload(channel_messages[:1], instrument_type="dsa_art9_order",
                       instrument_reference="ARCOM-2026-78", offence_category="threats",
                       offence_description="Death threats against a named official.", **overrides)


def _problem_fields(response) -> dict[str, str]:
    assert response.status_code == 422, response.content
    return {e["field"]: e["message"] for e in response.json()["errors"]}


def test_the_api_takes_the_scope_with_the_order_and_the_desk_enforces_it(
        api, officer, reviewer, channel_messages, now):
    from lawdesk.cases.models import Case

    response = api.submit(_art9(channel_messages, territorial_scope=["fr", "BE", "NO"]))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["receipt"]["territorial_scope"] == ["BE", "FR", "NO"]  # on the signed receipt
    case = Case.objects.get(pk=body["id"])
    assert case.territorial_scope == ["BE", "FR", "NO"]
    assert case.order_scope.countries == ["BE", "FR", "NO"] and case.order_scope.recorded_by == officer
    event = Event.objects.get(action="removal:scope:recorded", target_id=str(case.pk))
    assert event.actor_id == officer.pk and event.params["source"] == "order"
    # Access disabled in the whole EU does not reach Norway, which the order names.
    with pytest.raises(DomainError) as refused:
        services.apply_measure(case=case, actor=reviewer, now=now, measure="disable", countries=["EU"])
    assert refused.value.code == "narrower_than_order" and refused.value.message.count("NO") == 1
    services.apply_measure(case=case, actor=reviewer, now=now, measure="disable", countries=["EU", "NO"])
    assert case.effect_reports.get().document["order"]["territorial_scope"] == ["BE", "FR", "NO"]


@pytest.mark.parametrize(("scope", "message"), [
    (["FR", "EL"], "Use the ISO code GR for EL."),
    (["FR", "CH", "GB"], "Not a member state of the EU or the EEA: CH, GB."),
    (["FR", "fr"], "Name each state once."),
    (["France"], "Not a member state of the EU or the EEA: FRANCE."),
])
def test_a_scope_outside_the_eu_and_eea_is_refused_naming_the_field(api, channel_messages, scope, message):
    from lawdesk.cases.models import Case

    fields = _problem_fields(api.submit(_art9(channel_messages, territorial_scope=scope)))
    assert fields == {"territorial_scope": message}
    assert not Case.objects.exists()


def test_only_an_art9_order_states_a_scope_at_intake(api, channel_messages):
    fields = _problem_fields(api.submit(tco_payload(channel_messages[:1], territorial_scope=["FR"])))
    assert "Only a DSA Art. 9 order" in fields["territorial_scope"]
    fields = _problem_fields(api.submit(tco_payload(channel_messages[:1], territorial_scope="FR")))
    assert set(fields) == {"territorial_scope"}  # a string is not a list of codes


def test_without_a_scope_at_intake_the_desk_records_it(api, reviewer, channel_messages, now):
    from lawdesk.cases.models import Case

    response = api.submit(_art9(channel_messages))
    assert response.status_code == 201, response.content
    case = Case.objects.get(pk=response.json()["id"])
    assert "territorial_scope" not in response.json()["receipt"] and not hasattr(case, "order_scope")
    with pytest.raises(DomainError) as refused:  # the desk reads codes by the intake's rules
        art9.record_scope(case=case, actor=reviewer, now=now, countries="FR EL")
    assert refused.value.field == "countries" and refused.value.message == "Use the ISO code GR for EL."
    assert art9.record_scope(case=case, actor=reviewer, now=now, countries="fr is").countries == ["FR", "IS"]


def test_the_portal_form_asks_for_the_scope_of_a_removal_order(client, officer, channel_messages):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from lawdesk.cases.models import Case
    from tests.factories import PDF_BYTES, login

    login(client, officer)
    form = client.get("/portal/cases/new/?kind=removal").content.decode()
    assert 'name="territorial_scope"' in form
    assert 'name="territorial_scope"' not in client.get("/portal/cases/new/?kind=production").content.decode()
    data = _art9(channel_messages)
    post = {k: data[k] for k in ("kind", "instrument_type", "instrument_reference", "instrument_date",
                                 "issuer_name", "issuer_role", "authority_file_number",
                                 "offence_category", "offence_description", "content_locations")}
    post["targets"] = "https://msgr.example/demo_channel"

    def send(scope: str):
        return client.post("/portal/cases/new/", {**post, "territorial_scope": scope,
                                                  "attachments": SimpleUploadedFile(
                                                      "order.pdf", PDF_BYTES, "application/pdf")})

    refused = send("FR, EL")
    assert refused.status_code == 400
    assert refused.context["errors"]["territorial_scope"] == ["Use the ISO code GR for EL."]
    assert "Use the ISO code GR for EL." in refused.content.decode()
    assert not Case.objects.exists()
    accepted = send("fr, be")
    assert accepted.status_code == 302, accepted.content[:2000]
    case = Case.objects.get()
    assert case.territorial_scope == ["BE", "FR"] and case.order_scope.countries == ["BE", "FR"]
