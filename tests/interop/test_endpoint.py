"""POST /hi1/: who may send (the registered certificate, through the TLS proxy, as the endpoint
it is registered for), errors in the body with the TS's codes, and retransmissions."""

from __future__ import annotations

import pytest

from lawdesk.audit.models import Event
from lawdesk.interop import schema as s
from lawdesk.interop.models import Transaction
from lawdesk.interop.xmlsafe import parse
from tests.interop.conftest import FINGERPRINT
from tests.interop.messages import ids, request

pytestmark = pytest.mark.django_db
NS = {"c": s.CORE, "cfg": s.CONFIG, "common": s.COMMON}


def _root(response):
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/xml")
    return parse(response.content, namespaces=s.NAMESPACES)


def _errors(root) -> list[str]:
    return [e.text for e in root.iter(f"{{{s.CORE}}}ErrorCode")]


def _refusals():
    return list(Event.objects.filter(action="interop:hi1:sender_refused").order_by("seq"))


def test_getcspconfig_answers_with_the_formats_and_request_types(endpoint, post):
    tx = ids(1)[0]
    root = _root(post(request("<GETCSPCONFIG/>", tx=tx)))
    assert root.findtext("c:Header/c:TransactionIdentifier", namespaces=NS) == tx
    assert root.findtext("c:Header/c:SenderIdentifier/c:UniqueIdentifier", namespaces=NS) == "msgr-lawdesk"
    assert root.findtext("c:Header/c:ReceiverIdentifier/c:UniqueIdentifier", namespaces=NS) == "FR-PJJ-EEVIDENCE"
    s.check(root.find("c:Header", NS), s.HEADER, "/HI1Message")
    names = root.xpath("//cfg:FormatTypeDefinition/cfg:FormatName/text()", namespaces=NS)
    assert {"InternationalE164", "IPv4Address", "IPv6Address", "IPAddressPort", "Username",
            "AccountID", "ContentURL"} == set(names)
    assert "SubscriberData" in root.xpath("//cfg:LDRequestType/common:Value/text()", namespaces=NS)
    assert _errors(root) == []
    event = Event.objects.get(action="interop:hi1:message_received")
    assert event.params["transaction_id"] == tx and event.params["actions"] == ["0:GETCSPCONFIG"]


def test_only_the_configured_proxy_may_present_a_certificate(endpoint, post):
    response = post(request("<GETCSPCONFIG/>"), remote="203.0.113.9")
    assert response.status_code == 403
    assert b"HI1Message" not in response.content
    assert [e.params["reason"] for e in _refusals()] == ["not_from_tls_proxy"]
    assert post(request("<GETCSPCONFIG/>"), remote="10.9.0.17").status_code == 200  # network entry
    assert Transaction.objects.count() == 1


@pytest.mark.parametrize(("fingerprint", "reason"), [
    ("ab" * 32, "certificate_not_on_record"), (None, "no_client_certificate"),
    ("not a fingerprint", "certificate_not_on_record")])
def test_an_unknown_certificate_is_refused_and_audited(endpoint, post, fingerprint, reason):
    response = post(request("<GETCSPCONFIG/>"), fingerprint=fingerprint)
    assert response.status_code == 403
    assert [e.params["reason"] for e in _refusals()] == [reason]
    assert Transaction.objects.count() == 0


def test_the_fingerprint_is_read_in_openssl_notation_too(endpoint, post):
    colons = ":".join(FINGERPRINT[i:i + 2] for i in range(0, 64, 2)).upper()
    assert post(request("<GETCSPCONFIG/>"), fingerprint=colons).status_code == 200


def test_a_forged_sender_identifier_is_refused_and_audited(endpoint, post, register_endpoint,
                                                            make_agency, make_officer):
    """A registered certificate claiming to be another endpoint (here: the other agency's)."""
    other = make_agency(name="Polizei Berlin", country="DE", domain="polizei.example")
    register_endpoint(other, make_officer(other), sender=("DE", "DE-BKA-EEVIDENCE"),
                      fingerprint="cd" * 32)
    auth = ids(1)[0]
    response = post(request(f"<GET><Identifier>{auth}</Identifier></GET>",
                            sender=("DE", "DE-BKA-EEVIDENCE")))
    assert response.status_code == 403
    (event,) = _refusals()
    assert event.params["reason"] == "sender_identifier_mismatch"
    assert event.params["claimed_sender"] == "DE/DE-BKA-EEVIDENCE"
    assert event.params["registered_sender"] == "FR/FR-PJJ-EEVIDENCE"
    assert Transaction.objects.count() == 0


def test_a_forged_sender_in_an_invalid_message_is_refused_too(endpoint, post):
    data = request("<GETCSPCONFIG/>", sender=("DE", "SOMEONE"), etsi="V1.13.1")
    assert post(data).status_code == 403
    assert [e.params["reason"] for e in _refusals()] == ["sender_identifier_mismatch"]


def test_json_gets_encoding_not_supported_in_an_xml_body(endpoint, post):
    root = _root(post(b'{"HI1Message": {}}', content_type="application/json"))
    assert _errors(root) == ["3019"]


@pytest.mark.parametrize(("kwargs", "code"), [
    ({"etsi": "V1.13.1"}, "3021"), ({"profile": "v9.9.9"}, "3021"),
    ({"receiver": ("IE", "someone-else")}, "3007"),
])
def test_message_level_errors_carry_the_ts_codes(endpoint, post, kwargs, code):
    root = _root(post(request("<GETCSPCONFIG/>", **kwargs)))
    assert root.find("c:Payload/c:ResponsePayload/c:ErrorInformation", NS) is not None
    assert _errors(root) == [code]


def test_schema_invalid_and_foreign_namespace_get_3020(endpoint, post):
    bad = request("<GETCSPCONFIG/>").replace(b"</Version>", b"</Version><Extra/>")
    assert _errors(_root(post(bad))) == ["3020"]
    foreign = request("<GETCSPCONFIG/>").replace(b"<GETCSPCONFIG/>", b'<x:GET xmlns:x="urn:evil"/>')
    assert _errors(_root(post(foreign))) == ["3020"]
    event = Event.objects.filter(action="interop:hi1:message_refused").first()
    assert event is not None and event.params["code"] == 3020


def test_duplicate_action_identifiers_get_3002(endpoint, post):
    data = request("<GETCSPCONFIG/>", "<GETCSPCONFIG/>").replace(
        b"<ActionIdentifier>1</ActionIdentifier>", b"<ActionIdentifier>0</ActionIdentifier>")
    root = _root(post(data))
    assert _errors(root) == ["3002"]
    assert root.find(".//c:GETCSPCONFIGResponse", NS) is not None


def test_get_of_an_unknown_object_is_not_found(endpoint, post):
    assert _errors(_root(post(request(f"<GET><Identifier>{ids(1)[0]}</Identifier></GET>")))) == ["3011"]


def test_unsupported_verbs_and_types_get_3001_per_action(endpoint, post):
    oid = ids(1)[0]
    delivery = (f'<DELIVER><Identifier>{oid}</Identifier><HI1Object xsi:type="delivery:'
                f'DeliveryObject" xmlns:delivery="http://uri.etsi.org/03120/common/2019/10/'
                f'Delivery"><ObjectIdentifier>{oid}</ObjectIdentifier><delivery:Delivery>'
                "<delivery:DataExistence>false</delivery:DataExistence></delivery:Delivery>"
                "</HI1Object></DELIVER>")
    root = _root(post(request(delivery, "<GETCSPCONFIG/>")))
    assert _errors(root) == ["3001"]  # lawdesk delivers; it takes no deliveries
    # A DELIVER without its object is not one (the schema wants Identifier and HI1Object).
    root = _root(post(request(f"<DELIVER><Identifier>{oid}</Identifier></DELIVER>")))
    assert _errors(root) == ["3020"]


def test_a_retransmission_gets_the_same_answer_and_is_kept_once(endpoint, post):
    tx = ids(1)[0]
    first = post(request("<GETCSPCONFIG/>", tx=tx))
    again = post(request("<GETCSPCONFIG/>", tx=tx, timestamp="2026-11-02T09:31:00.000000Z"))
    assert again.content == first.content
    assert Transaction.objects.count() == 1
    assert Event.objects.filter(action="interop:hi1:retransmission").count() == 1
    other = post(request(f"<GET><Identifier>{ids(1)[0]}</Identifier></GET>", tx=tx))
    assert _errors(_root(other)) == ["3007"]
    assert Transaction.objects.count() == 1


def test_a_revoked_certificate_is_refused(endpoint, post, admin_user, second_admin, now):
    from lawdesk.accounts.services import approve_anchor_change
    from lawdesk.interop.services import propose_endpoint_removal

    change = propose_endpoint_removal(actor=admin_user, now=now, endpoint=endpoint,
                                      reason="Certificate replaced at renewal")
    assert post(request("<GETCSPCONFIG/>")).status_code == 200  # not before the second admin
    approve_anchor_change(actor=second_admin, now=now, change=change)
    assert post(request("<GETCSPCONFIG/>")).status_code == 403
