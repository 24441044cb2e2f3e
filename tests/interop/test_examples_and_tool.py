"""The example messages in docs/interop/ and the authority-side tool ``lawdesk hi1``, through a
real TLS-terminating proxy on loopback (mutual TLS, the fingerprint header from the proxy's
address only)."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lawdesk.audit.models import Event
from lawdesk.cases.models import Case
from lawdesk.interop import cli
from lawdesk.interop import schema as s
from lawdesk.interop.models import StoredObject
from lawdesk.interop.xmlsafe import parse
from tests.interop.tlsproxy import PROXY_SOURCE, TlsProxy

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "interop" / "examples"
T1 = "9a0f5d2e-3c41-4b7a-8e16-0d2f6b9c1a02"
NS = {"c": s.CORE, "task": s.TASK, "common": s.COMMON}


def _ok(response):
    assert response.status_code == 200
    root = parse(response.content, namespaces=s.NAMESPACES)
    assert root.findall(".//c:ErrorInformation", NS) == [], response.content.decode()
    return root


@pytest.mark.django_db
def test_every_example_is_accepted_in_order(endpoint, post):
    assert sorted(p.name for p in EXAMPLES.glob("*.xml")) == [
        "epoc-form.xml", "epoc-production.xml", "get-task.xml", "getcspconfig.xml",
        "tco-removal-order.xml", "tco-takedown.xml"]
    _ok(post((EXAMPLES / "getcspconfig.xml").read_bytes()))
    _ok(post((EXAMPLES / "epoc-production.xml").read_bytes()))
    case = Case.objects.get()
    assert case.offence_category == "child_sexual_abuse"
    assert case.offence_description.startswith("Distribution of child sexual abuse material")
    assert case.attachments.get().file.read() == (EXAMPLES / "epoc-form.xml").read_bytes()
    auth = StoredObject.objects.get(object_type="AuthorisationObject")
    assert "offence_category" not in auth.facts_to_confirm
    root = _ok(post((EXAMPLES / "get-task.xml").read_bytes()))
    assert root.findtext(".//task:Status/common:Value", namespaces=NS) == "AwaitingDisclosure"
    assert len(root.findall(".//c:ListResponseRecord", NS)) == 2  # the two LDTasks


TD = "4d2b8e61-0c7a-4f3d-b5e9-6a1c3f8d2e47"


@pytest.mark.django_db
def test_the_takedown_example_becomes_a_tco_removal_case(endpoint, post, channel_messages):
    # The example names the demo channel's first two messages of the generated platform.
    data = (EXAMPLES / "tco-takedown.xml").read_bytes()
    for message in channel_messages[:2]:
        assert f"https://msgr.example/demo_channel/{message.message_id}<".encode() in data
    _ok(post(data))
    case = Case.objects.get()
    assert (case.kind, case.instrument_type) == ("removal", "tco_removal_order")
    assert case.deadline_at - case.received_at == timedelta(hours=1)
    assert case.attachments.get().file.read() == (EXAMPLES / "tco-removal-order.xml").read_bytes()
    assert [i.target for i in case.removal_items.order_by("position")] == [
        f"message:{m.chat_id}:{m.message_id}" for m in channel_messages[:2]]
    task = StoredObject.objects.get(object_id=TD)
    assert task.object_type == "TDTaskObject" and task.case == case


@pytest.mark.django_db
def test_the_tool_sends_through_a_real_mutual_tls_proxy(client, pki, register_endpoint, officer,
                                                        settings, channel_messages):
    settings.LAWDESK_HI1_PROXIES = [PROXY_SOURCE]
    cert, key, fingerprint = pki.client("fr-pjj-eevidence")
    register_endpoint(officer.officer.agency, officer, fingerprint=fingerprint)
    stranger_cert, stranger_key, _ = pki.client("not-registered")

    def forward(path, body, headers):
        meta = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()
                if k.lower() != "content-type"}
        response = client.post(path, data=body, content_type=headers.get("Content-Type", ""),
                               REMOTE_ADDR=PROXY_SOURCE, **meta)
        return response.status_code, response["Content-Type"], response.content

    proxy = TlsProxy(forward, pki)
    url = f"{proxy.url}/hi1/"
    tls = ["--cert", str(cert), "--key", str(key), "--ca", str(pki.ca)]

    def run(*args):
        return proxy.serve_while(lambda: CliRunner().invoke(cli.app, list(args)))

    try:
        result = run("send", str(EXAMPLES / "getcspconfig.xml"), "--to", url, *tls)
        assert result.exit_code == 0, result.output
        assert "action 0: GETCSPCONFIGResponse" in result.output
        result = run("send", str(EXAMPLES / "epoc-production.xml"), "--to", url, *tls)
        assert result.exit_code == 0, result.output
        assert result.output.count("CREATEResponse") == 4
        result = run("get", T1, "--to", url, "--sender", "FR:FR-PJJ-EEVIDENCE",
                     "--receiver", "IE:msgr-lawdesk", *tls)
        assert result.exit_code == 0, result.output
        assert "status AwaitingDisclosure" in result.output
        # A take-down, then the status of each task by its reference (two messages each).
        result = run("send", str(EXAMPLES / "tco-takedown.xml"), "--to", url, *tls)
        assert result.exit_code == 0, result.output
        assert result.output.count("CREATEResponse") == 3
        ends = ["--to", url, "--sender", "FR:FR-PJJ-EEVIDENCE", "--receiver", "IE:msgr-lawdesk",
                *tls]
        result = run("status", "TCO-FR-2026-7", *ends)
        number = Case.objects.get(kind="removal").number
        assert result.exit_code == 0, result.output
        assert result.output.strip() == f"{TD} TDTask: status Pending (platform reference {number})"
        result = run("status", "FR-EPOC42-0002", *ends)
        assert result.exit_code == 0 and "LDTask: status AwaitingDisclosure" in result.output
        result = run("status", "FR-NOSUCH-0001", *ends)
        assert result.exit_code == 1 and "no task FR-NOSUCH-0001" in result.output
        # Sending the same file again is a retransmission: the same answer, nothing new.
        again = run("send", str(EXAMPLES / "epoc-production.xml"), "--to", url, *tls)
        assert again.exit_code == 0 and Case.objects.count() == 2
        fresh = run("send", str(EXAMPLES / "epoc-production.xml"), "--to", url,
                    "--new-transaction", *tls)
        assert fresh.exit_code == 1 and "error 3010" in fresh.output  # the objects exist
        # A certificate the CA signed but no administrator registered.
        refused = run("send", str(EXAMPLES / "getcspconfig.xml"), "--to", url,
                      "--cert", str(stranger_cert), "--key", str(stranger_key), "--ca", str(pki.ca))
        assert refused.exit_code == 2 and "HTTP 403" in refused.output
        assert proxy.forwarded == 13
        # No client certificate at all: the TLS handshake fails, nothing reaches lawdesk.
        bare = run("send", str(EXAMPLES / "getcspconfig.xml"), "--to", url, "--ca", str(pki.ca))
        assert bare.exit_code == 3 and "could not reach" in bare.output
        assert proxy.forwarded == 13
    finally:
        proxy.close()
    reasons = list(Event.objects.filter(action="interop:hi1:sender_refused")
                   .order_by("seq").values_list("params__reason", flat=True))
    assert reasons == ["certificate_not_on_record"]
    case = Case.objects.get(kind="production")
    assert hashlib.sha256(case.attachments.get().file.read()).hexdigest() == \
        case.receipt["original_order"]["sha256"]
