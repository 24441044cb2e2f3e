"""Reading HI-1 requests into lawdesk's own model, and writing answers that read back."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from lxml import etree

from lawdesk.interop import message
from lawdesk.interop import schema as s
from lawdesk.interop.message import ErrorCode, HI1Error, read_request
from lawdesk.interop.xmlsafe import parse
from tests.interop.messages import authorisation, document, ids, ld_task, request


def test_an_epoc_request_reads_into_header_and_actions():
    auth, task, doc = ids()
    data = request(authorisation(auth), ld_task(task, auth), document(doc, auth, b"<form/>"),
                   "<GET><Identifier>" + auth + "</Identifier></GET>", "<GETCSPCONFIG/>",
                   tx="6f0b9c2e-4a51-4c1e-9d0e-2b7f3a1c5d10")
    req = read_request(data)
    assert req.header.sender == message.EndpointId("FR", "FR-PJJ-EEVIDENCE")
    assert req.header.receiver == message.EndpointId("IE", "msgr-lawdesk")
    assert req.header.transaction_id == "6f0b9c2e-4a51-4c1e-9d0e-2b7f3a1c5d10"
    assert req.header.timestamp == datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
    assert req.header.version == message.Version("V1.22.1", "EU", "v1.3.1")
    assert [(a.identifier, a.verb, a.object_type, a.error) for a in req.actions] == [
        (0, "CREATE", "AuthorisationObject", None), (1, "CREATE", "LDTaskObject", None),
        (2, "CREATE", "DocumentObject", None), (3, "GET", "", None),
        (4, "GETCSPCONFIG", "", None)]


@pytest.mark.parametrize(("etsi", "owner", "profile"), [
    ("V1.13.1", "EU", "v1.3.1"), ("V1.22.1", "EU", "v1.2.0"), ("V2.0.0", "XX", "v1")])
def test_unsupported_versions_get_3021(etsi, owner, profile):
    with pytest.raises(HI1Error) as caught:
        read_request(request("<GETCSPCONFIG/>", etsi=etsi, owner=owner, profile=profile))
    assert caught.value.code == ErrorCode.VERSION_NOT_SUPPORTED


@pytest.mark.parametrize(("change", "path"), [
    (("<TransactionIdentifier>", "<TransactionIdentifier>NOT-A-UUID"), "TransactionIdentifier"),
    (("T09:30:00.000000Z", "T09:30:00Z"), "Timestamp"),  # microseconds are required
    (("<CountryCode>FR</CountryCode>", "<CountryCode>fr</CountryCode>"), "CountryCode"),
    (("</Version>", "</Version><Surprise/>"), "Surprise"),
    (("<Payload>", "<Payload><RequestPayload/>"), "ActionRequests"),
])
def test_schema_errors_in_the_header_get_3020_naming_the_element(change, path):
    data = request("<GETCSPCONFIG/>").decode().replace(*change, 1).encode()
    with pytest.raises(HI1Error) as caught:
        read_request(data)
    assert caught.value.code == ErrorCode.SCHEMA_INVALID and path in caught.value.description


def test_action_level_problems_keep_the_other_actions():
    auth, task = ids(2)
    unknown_type = authorisation(auth).replace("auth:AuthorisationObject", "task:TrafficPolicyObject")
    bad_member = ld_task(task, auth).replace("<task:Reference>", "<task:Bogus>x</task:Bogus><task:Reference>")
    req = read_request(request(unknown_type, bad_member, "<FROBNICATE/>", "<GETCSPCONFIG/>"))
    codes = [a.error.code if a.error else None for a in req.actions]
    assert codes == [ErrorCode.NOT_SUPPORTED, ErrorCode.SCHEMA_INVALID, ErrorCode.NOT_SUPPORTED, None]
    assert "TrafficPolicyObject" in req.actions[0].error.description
    assert "Bogus" in req.actions[1].error.description


def test_members_out_of_order_are_schema_invalid():
    auth, task = ids(2)
    swapped = ld_task(task, auth).replace(
        "<task:StartTime>2026-09-01T00:00:00Z</task:StartTime><task:EndTime>2026-10-01T00:00:00Z</task:EndTime>",
        "<task:EndTime>2026-10-01T00:00:00Z</task:EndTime><task:StartTime>2026-09-01T00:00:00Z</task:StartTime>")
    req = read_request(request(swapped))
    assert req.actions[0].error.code == ErrorCode.SCHEMA_INVALID


def test_ldid_and_object_identifiers_follow_their_patterns():
    auth, task = ids(2)
    req = read_request(request(ld_task(task, auth, ldid="no-country"),
                               authorisation(auth.upper())))
    assert [a.error.code for a in req.actions] == [ErrorCode.SCHEMA_INVALID] * 2


def test_a_signed_message_is_refused_as_not_supported():
    data = request("<GETCSPCONFIG/>").replace(
        b"</Payload>", b"</Payload><Signature xmlns='http://uri.etsi.org/03120/common/2019/10/Core'/>")
    with pytest.raises(HI1Error) as caught:
        read_request(data)
    assert caught.value.code == ErrorCode.NOT_SUPPORTED


def test_a_response_reads_back_with_the_same_parser():
    header = message.header_element(
        sender=message.EndpointId("IE", "msgr-lawdesk"), receiver=message.EndpointId("FR", "X"),
        transaction_id=ids(1)[0], now=datetime(2026, 11, 2, 9, 30, 0, 123, tzinfo=UTC),
        version=message.Version("V1.22.1", "EU", "v1.3.1"))
    data = message.response(header, actions=[
        message.action_response(0, message.error_element(
            HI1Error(ErrorCode.OBJECT_EXISTS, "exists")))])
    root = parse(data, namespaces=s.NAMESPACES)
    s.check(root.find(f"{{{s.CORE}}}Header"), s.HEADER, "/HI1Message")
    ns = {"c": s.CORE}
    assert root.findtext("c:Header/c:Timestamp", namespaces=ns) == "2026-11-02T09:30:00.000123Z"
    assert root.findtext(".//c:ActionResponse/c:ErrorInformation/c:ErrorCode", namespaces=ns) == "3010"
    assert isinstance(root, etree._Element)
