"""Answers in the same channel: an EPOC sent as an EU-profile HI-1 message becomes a case, is
decided and approved with four eyes, and its package goes back as a DELIVER to the authority's
own HI-1 server (mutual TLS), where the authority's tool checks and verifies it; the task
statuses follow the desk and are notified; the outbox survives failures and restarts."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lawdesk.audit.models import Event
from lawdesk.cases import analysis, disclosure, services
from lawdesk.cases.models import Case
from lawdesk.collection import services as collection
from lawdesk.core import keys
from lawdesk.interop import cli, outbound
from lawdesk.interop import schema as s
from lawdesk.interop.authority import unpack
from lawdesk.interop.models import Endpoint, OutboundMessage
from lawdesk.interop.xmlsafe import parse
from tests.interop.messages import authorisation, document, ids, ld_task, request
from tests.interop.tlsproxy import PROXY_SOURCE, TlsProxy

pytestmark = pytest.mark.django_db
NS = {"c": s.CORE, "task": s.TASK, "common": s.COMMON, "d": s.DELIVERY}
FORM = b'<?xml version="1.0"?><epoc:Form xmlns:epoc="http://data.europa.eu/edm/1/ns/forms/EPOC-FORM_1#"/>'
WINDOW = ("<task:StartTime>2025-09-01T00:00:00Z</task:StartTime>"
          "<task:EndTime>2025-10-01T00:00:00Z</task:EndTime>")


def _window(task: str) -> str:
    return task.replace("<task:StartTime>2026-09-01T00:00:00Z</task:StartTime><task:EndTime>"
                        "2026-10-01T00:00:00Z</task:EndTime>", WINDOW)


def _order(post):
    auth, tasks = ids(1)[0], ids(2)
    data = request(
        authorisation(auth),
        _window(ld_task(tasks[0], auth, identifier="33612345678", ldid="FR-EPOC42-0001")),
        _window(ld_task(tasks[1], auth, identifier="nobody_here_at_all", fmt="Username",
                        ldid="FR-EPOC42-0002")
                .replace("<task:FormatOwner>ETSI</task:FormatOwner>",
                         "<task:FormatOwner>msgr-lawdesk</task:FormatOwner>")),
        document(ids(1)[0], auth, FORM))
    response = post(data)
    root = parse(response.content, namespaces=s.NAMESPACES)
    assert root.findall(".//c:ErrorInformation", NS) == [], response.content.decode()
    return auth, tasks, Case.objects.get()


def _decide(case, make_staff, now):
    reviewer, approver = make_staff("reviewer"), make_staff("approver")
    services.start_review(case=case, actor=reviewer, now=now)
    # The message cannot say whether the order names the user as a suspect (the platform's
    # policy): the reviewer reads it in the original form and records it.
    from lawdesk.interop.models import StoredObject

    auth = StoredObject.objects.get(case=case, object_type="AuthorisationObject")
    assert "user_named_as_suspect" in auth.facts_to_confirm
    analysis.override_category(
        case=case, actor=reviewer, now=now, category="subscriber", outcome="allowed",
        reason="Section G of the EPOC form (the original order) names the user as a suspect.")
    proposal = disclosure.propose_disclosure(
        case=case, actor=reviewer, now=now, categories=["subscriber"],
        target_ids=[t.pk for t in case.targets.all()],
        legal_basis="EPOC issued by a judge, Art. 4(1) e-Evidence")
    with pytest.raises(Exception):  # four eyes: the proposer cannot approve
        disclosure.approve_proposal(proposal=proposal, actor=reviewer, now=now)
    disclosure.approve_proposal(proposal=proposal, actor=approver, now=now)
    assert collection.run_collection(case.pk, clock=lambda: now + timedelta(minutes=1))
    case.refresh_from_db()
    assert case.status == "delivered"


def _status(post, task):
    root = parse(post(request(f"<GET><Identifier>{task}</Identifier></GET>")).content,
                 namespaces=s.NAMESPACES)
    return root.findtext(".//task:Status/common:Value", namespaces=NS)


def test_an_epoc_goes_back_as_a_deliver_the_authority_verifies(
        platform, answered_endpoint, authority, post, make_staff, now, tmp_path):
    _auth, tasks, case = _order(post)
    _decide(case, make_staff, now)
    # The tasks read what the desk did: data for the phone number, none for the username.
    assert _status(post, tasks[0]) == "Disclosed"
    assert _status(post, tasks[1]) == "DisclosureNotAvailable"
    queued = list(OutboundMessage.objects.order_by("pk"))
    assert [q.kind for q in queued] == ["delivery", "notification"]
    assert outbound.send_due(now=now + timedelta(minutes=2)) == 2
    assert {q.state for q in OutboundMessage.objects.all()} == {"sent"}
    deliver, = (p for p in authority.received if b"<DELIVER>" in p.read_bytes())
    notification, = (p for p in authority.received if b"<DELIVER>" not in p.read_bytes())
    # The authority's side: checksums checked, the package written, then lawdesk verify.
    key = tmp_path / "platform.pem"
    key.write_bytes(keys.public_key_pem())
    result = CliRunner().invoke(cli.app, ["unpack", str(deliver), "--out", str(tmp_path / "got"),
                                          "--public-key", str(key)])
    assert result.exit_code == 0, result.output
    assert "FR-EPOC42-0002: no data held (DataExistence false)" in result.output
    assert "verified (signature and every checksum)" in result.output
    got = unpack(deliver.read_bytes(), tmp_path / "again")
    assert [p.read_bytes() for p in got.packages] == [Path(case.package.path).read_bytes()]
    assert got.no_data == ["FR-EPOC42-0002"]
    statuses = dict(unpack(notification.read_bytes(), tmp_path / "n").statuses)
    assert statuses == {tasks[0]: "Disclosed", tasks[1]: "DisclosureNotAvailable"}
    sent = Event.objects.filter(action="interop:hi1:answer_sent")
    assert sent.count() == 2 and all(e.params["errors"] == [] for e in sent)


def test_a_tampered_package_is_refused_by_the_authoritys_tool(
        platform, answered_endpoint, authority, post, make_staff, now, tmp_path):
    _auth, _tasks, case = _order(post)
    _decide(case, make_staff, now)
    outbound.send_due(now=now + timedelta(minutes=2))
    deliver = next(p for p in authority.received if b"<DELIVER>" in p.read_bytes())
    data = deliver.read_bytes()
    start = data.index(b"<delivery:Data>") + len(b"<delivery:Data>")
    flipped = b"B" if data[start + 200:start + 201] != b"B" else b"C"
    tampered = tmp_path / "tampered.xml"
    tampered.write_bytes(data[:start + 200] + flipped + data[start + 201:])
    result = CliRunner().invoke(cli.app, ["unpack", str(tampered), "--out", str(tmp_path / "t")])
    assert result.exit_code == 1 and "checksum does not match" in result.output


def test_the_outbox_survives_an_unreachable_authority_and_sends_the_same_bytes(
        platform, endpoint, authority, post, make_staff, now):
    """No URL yet, then a server that is down: the message waits with its error and its next
    attempt; once the administrators register the URL, the same bytes go out."""
    _auth, _tasks, case = _order(post)
    _decide(case, make_staff, now)
    first = OutboundMessage.objects.get(kind="delivery")
    body = bytes(first.body)
    now = first.next_attempt_at
    assert outbound.send_due(now=now) == 2  # the delivery and the status notification
    first.refresh_from_db()
    assert first.state == "pending" and first.attempts == 1
    assert "no registered endpoint" in first.last_error and first.next_attempt_at > now
    assert outbound.send_due(now=now) == 0  # not due yet
    Endpoint.objects.filter(pk=endpoint.pk).update(delivery_url="https://127.0.0.1:9/hi1/")
    later = first.next_attempt_at
    assert outbound.send(first.pk, now=later) == "pending"  # connection refused
    first.refresh_from_db()
    assert first.attempts == 2 and first.next_attempt_at > later
    Endpoint.objects.filter(pk=endpoint.pk).update(delivery_url=authority.url)
    # A restarted worker: whatever is due is sent, and each message once.
    assert outbound.send_due(now=first.next_attempt_at) == 2
    assert outbound.send_due(now=first.next_attempt_at + timedelta(hours=2)) == 0
    first.refresh_from_db()
    assert first.state == "sent" and bytes(first.body) == body
    assert [p.read_bytes() for p in authority.received if b"<DELIVER>" in p.read_bytes()] == [body]
    assert Event.objects.filter(action="interop:hi1:answer_not_sent").count() == 3


def test_status_changes_are_notified_once_each(answered_endpoint, post, make_staff, now):
    _auth, tasks, case = _order(post)
    assert OutboundMessage.objects.count() == 0  # AwaitingDisclosure: the CREATE said it
    reviewer = make_staff("reviewer")
    services.start_review(case=case, actor=reviewer, now=now)
    assert OutboundMessage.objects.count() == 0  # nothing the authority sees changed
    services.refuse(case=case, actor=reviewer, now=now, ground="other",
                    text="The order names no offence the platform can assess.")
    notification = OutboundMessage.objects.get()
    assert notification.summary["statuses"] == [f"{t}=Rejected" for t in tasks]
    outbound.notify_status(case=case, now=now)
    assert OutboundMessage.objects.count() == 1


def test_a_large_package_is_delivered_as_a_url_fetched_over_mutual_tls(
        platform, answered_endpoint, authority, pki, post, make_staff, now, tmp_path, settings,
        client):
    from lawdesk.core.clock import utcnow

    settings.LAWDESK_HI1_INLINE_BYTES = 0
    settings.LAWDESK_HI1_PROXIES = [PROXY_SOURCE, "127.0.0.7"]
    proxy = TlsProxy(_forward(client), pki)
    settings.LAWDESK_HI1_PUBLIC_URL = f"{proxy.url}/hi1/"
    _auth, _tasks, case = _order(post)
    _decide(case, make_staff, utcnow())
    message = OutboundMessage.objects.get(kind="delivery")
    assert message.download_id and message.expires_at > utcnow()
    outbound.send_due(now=utcnow() + timedelta(minutes=5))
    deliver = next(p for p in authority.received if b"<DELIVER>" in p.read_bytes())
    assert b"<delivery:URL>" in deliver.read_bytes() and b"<delivery:Data>" not in deliver.read_bytes()
    cert, key, _ = pki.client("fr-pjj-eevidence-fetch")
    Endpoint.objects.filter(pk=answered_endpoint.pk).update(
        fingerprint=_fingerprint(cert))  # the authority's registered certificate
    try:
        got = proxy.serve_while(lambda: unpack(deliver.read_bytes(), tmp_path / "got",
                                               cert=str(cert), key=str(key), ca=str(pki.ca)))
        assert [p.read_bytes() for p in got.packages] == [Path(case.package.path).read_bytes()]
        stranger, stranger_key, _ = pki.client("another-authority")
        refused = proxy.serve_while(lambda: _try(lambda: unpack(
            deliver.read_bytes(), tmp_path / "no", cert=str(stranger), key=str(stranger_key),
            ca=str(pki.ca))))
        assert "403" in refused
    finally:
        proxy.close()
    assert Event.objects.filter(action="interop:hi1:package_fetched").count() == 1


def _try(call):
    try:
        call()
    except Exception as exc:  # the error is the result
        return str(exc)
    return ""


def _fingerprint(cert: Path) -> str:
    import hashlib

    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    der = x509.load_pem_x509_certificate(cert.read_bytes()).public_bytes(serialization.Encoding.DER)
    return hashlib.sha256(der).hexdigest()


def _forward(client):
    def forward(path, body, headers):
        meta = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()
                if k.lower() != "content-type"}
        if body is None:
            response = client.get(path, REMOTE_ADDR=PROXY_SOURCE, **meta)
            data = b"".join(response.streaming_content) if response.streaming else response.content
        else:
            response = client.post(path, data=body, content_type=headers.get("Content-Type", ""),
                                   REMOTE_ADDR=PROXY_SOURCE, **meta)
            data = response.content
        return response.status_code, response["Content-Type"], data

    return forward


def test_an_impossibility_goes_back_as_annex_iii(answered_endpoint, authority, post, make_staff,
                                                  now, tmp_path):
    from lawdesk.interop.annex_iii import IdentifierReason, declare_impossibility
    from lawdesk.interop.models import AnnexIII

    auth, tasks, case = _order(post)
    reviewer = make_staff("reviewer")
    services.start_review(case=case, actor=reviewer, now=now)
    phone, username = case.targets.order_by("position")
    with pytest.raises(Exception, match="every identifier"):
        declare_impossibility(case=case, actor=reviewer, now=now, reasons=[IdentifierReason(
            phone.pk, "not_stored", "The number was never registered on the platform.", False)])
    with pytest.raises(Exception, match="Section E"):
        declare_impossibility(case=case, actor=reviewer, now=now, reasons=[
            IdentifierReason(phone.pk, "third_country_conflict", "US law forbids it here.", True),
            IdentifierReason(username.pk, "not_stored", "No such account ever existed.", False)])
    annex = declare_impossibility(
        case=case, actor=reviewer, now=now,
        reasons=[IdentifierReason(phone.pk, "de_facto_impossibility",
                                  "The account was migrated to a provider outside the group.",
                                  True),
                 IdentifierReason(username.pk, "not_stored",
                                  "No account ever had this username.", False)],
        information_required="Please confirm the period of interest for the phone number.")
    case.refresh_from_db()
    assert case.status == "refused" and case.refusal_ground == "de_facto_impossibility"
    assert _status(post, tasks[0]) == "Invalid"
    form = parse(bytes(annex.document), namespaces={"http://data.europa.eu/edm/1/ns/forms/EPOC-FORM-3#"})
    f3 = {"f": "http://data.europa.eu/edm/1/ns/forms/EPOC-FORM-3#"}
    assert form.xpath("//f:SectionD/f:NonExecutionReason/f:Reasons/text()", namespaces=f3) == [
        "de_facto_impossibility", "not_stored"]
    assert form.xpath("//f:SectionG/f:PreservationOfData/f:Preserved/text()", namespaces=f3) == [
        "true", "false"]
    assert form.xpath("//f:SectionF/*/text()", namespaces=f3)[0].startswith("Please confirm")
    assert bytes(annex.pdf).startswith(b"%PDF")
    # Only the Annex III message: no separate status notification for the refusal.
    assert [q.kind for q in OutboundMessage.objects.all()] == ["annex_iii"]
    assert outbound.send_due(now=now) == 1
    [received] = authority.received
    got = unpack(received.read_bytes(), tmp_path / "annex")
    assert sorted(p.read_bytes() for p in got.documents) == sorted([bytes(annex.document),
                                                                    bytes(annex.pdf)])
    assert dict(got.statuses) == {auth: "Invalid", tasks[0]: "Invalid", tasks[1]: "Invalid"}
    assert b"DeFactoImpossibility" in received.read_bytes()
    with pytest.raises(Exception, match="already sent"):
        declare_impossibility(case=case, actor=reviewer, now=now, reasons=[])
    assert AnnexIII.objects.count() == 1
    assert Event.objects.filter(action="interop:hi1:annex_iii_produced").count() == 1


def test_the_desk_declares_the_impossibility_on_the_case_page(answered_endpoint, post, client,
                                                              make_staff, now):
    from tests.factories import login

    _auth, _tasks, case = _order(post)
    reviewer = make_staff("reviewer")
    services.start_review(case=case, actor=reviewer, now=now)
    phone, username = case.targets.order_by("position")
    client.logout()
    login(client, make_staff("auditor"))  # reads the case, cannot refuse it
    assert client.post(f"/desk/cases/{case.pk}/annex-iii/", {}).status_code == 404
    client.logout()
    login(client, reviewer)
    page = client.get(f"/desk/cases/{case.pk}/").content.decode()
    assert 'data-testid="annex-iii-form"' in page and "The EPOC contains manifest errors" in page
    response = client.post(f"/desk/cases/{case.pk}/annex-iii/", {
        f"reason-{phone.pk}": "insufficient_information",
        f"explanation-{phone.pk}": "The order gives no period for the phone number.",
        f"reason-{username.pk}": "not_stored",
        f"explanation-{username.pk}": "No account ever had this username.",
        f"preserved-{phone.pk}": "on", "information": "The period of interest."}, follow=True)
    assert "The Annex III form was produced" in response.content.decode()
    case.refresh_from_db()
    assert case.status == "refused" and case.refusal_ground == "incomplete_or_manifest_error"
    pdf = client.get(f"/desk/cases/{case.pk}/annex-iii/?format=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    xml = client.get(f"/desk/cases/{case.pk}/annex-iii/?format=xml").content
    assert b"<f3:Reasons>insufficient_information</f3:Reasons>" in xml
    page = client.get(f"/desk/cases/{case.pk}/").content.decode()
    assert "annex-iii-form" not in page and "The machine document (XML)" in page
    assert "Annex III form" in page  # the outbox row, waiting to be sent
