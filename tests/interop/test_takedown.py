"""Take-downs over HI-1 (TDTaskObject): a TCO removal order sent as an HI-1 message becomes a
removal case without typing, the desk removes the content on the synthetic platform, the task
reads Resolved and the Annex II feedback goes back through the outbox to the authority's own
HI-1 server, where its tool unpacks it; an impossibility goes back as the TCO Annex III."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import timedelta

import pytest
from typer.testing import CliRunner

from lawdesk.audit.models import Event
from lawdesk.cases import conversation
from lawdesk.cases.models import Case, Status
from lawdesk.interop import cli, outbound
from lawdesk.interop import schema as s
from lawdesk.interop.authority import unpack
from lawdesk.interop.models import OutboundMessage, StoredObject
from lawdesk.interop.xmlsafe import parse
from lawdesk.platform.content_actions import Withheld
from lawdesk.removal import services as removal
from lawdesk.removal import tco_annex_iii
from tests.factories import CHANNEL
from tests.factories import content_url as url
from tests.interop.messages import ids, ld_task, refinement, request, td_authorisation, td_task

pytestmark = pytest.mark.django_db
NS = {"c": s.CORE, "task": s.TASK, "common": s.COMMON}
ORDER = b"%PDF-1.4 the TCO removal order of the OCLCTIC, Annex I, signed"


def _errors(response) -> list[tuple[str, str]]:
    assert response.status_code == 200, response.content
    root = parse(response.content, namespaces=s.NAMESPACES)
    return [(e.findtext("c:ErrorCode", namespaces=NS), e.findtext("c:ErrorDescription",
                                                                   namespaces=NS))
            for e in root.iterfind(".//c:ErrorInformation", NS)]


def _week() -> str:
    from lawdesk.core.clock import utcnow

    return (utcnow() + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _takedown(messages, *, legal_type="TCORemovalOrder", deadline: str | None = None,
              **task_args) -> tuple[str, str, str, bytes]:
    deadline = deadline or _week()
    auth, task, doc = ids(3)
    data = request(td_authorisation(auth, legal_type=legal_type),
                   td_task(task, auth, [url(m) for m in messages], deadline=deadline, **task_args),
                   refinement(doc, auth, ORDER))
    return auth, task, doc, data


def _get(post, oid):
    root = parse(post(request(f"<GET><Identifier>{oid}</Identifier></GET>")).content,
                 namespaces=s.NAMESPACES)
    return (root.findtext(".//task:Status/common:Value", namespaces=NS),
            root.findtext(".//task:CSPReference", namespaces=NS))


def test_a_tco_takedown_becomes_a_removal_case_without_typing(
        endpoint, post, channel_messages, now):
    _auth, task, doc, data = _takedown(channel_messages[:2])
    response = post(data)
    assert _errors(response) == []
    case = Case.objects.get()
    assert (case.kind, case.instrument_type, case.channel) == ("removal", "tco_removal_order", "hi1")
    assert case.agency == endpoint.agency and case.officer == endpoint.officer
    assert case.instrument_reference == "TCO-FR-2026-7"
    assert case.authority_file_number == "FR-TCO-2026-0007"
    assert case.offence_category == "terrorism"
    assert "explosives" in case.offence_description
    # One hour from receipt, whatever the TakedownDeadline (a week later) says.
    assert case.deadline_at - case.received_at == timedelta(hours=1)
    assert [i.location for i in case.removal_items.order_by("position")] == [
        url(m) for m in channel_messages[:2]]
    assert [i.target for i in case.removal_items.order_by("position")] == [
        f"message:{CHANNEL}:{m.message_id}" for m in channel_messages[:2]]
    # The order, byte for byte, hashed on the receipt as the original order.
    assert case.attachments.get().file.read() == ORDER
    assert case.receipt["original_order"]["sha256"] == hashlib.sha256(ORDER).hexdigest()
    assert case.receipt["origin"]["tasks"] == [task]
    assert case.receipt["origin"]["document"] == doc
    stored = StoredObject.objects.get(object_id=task)
    assert stored.object_type == "TDTaskObject" and stored.case == case
    assert _get(post, task) == ("Pending", case.number)
    assert Event.objects.get(action="interop:hi1:takedown_deadline").params["applied"] is False
    # No status message while the task reads Pending: the CREATE's answer said it.
    assert OutboundMessage.objects.count() == 0


def test_an_earlier_takedown_deadline_is_kept_and_a_dsa_order_is_mapped(
        endpoint, post, channel_messages, now):
    from lawdesk.core.clock import utcnow

    soon = utcnow() + timedelta(minutes=30)
    _auth, _task, _doc, data = _takedown(channel_messages[:1], legal_type="DSAArt9Order",
                                         deadline=soon.strftime("%Y-%m-%dT%H:%M:%SZ"))
    assert _errors(post(data)) == []
    case = Case.objects.get()
    assert case.instrument_type == "dsa_art9_order"
    assert case.deadline_at == soon.replace(microsecond=0)
    auth = StoredObject.objects.get(object_type="AuthorisationObject")
    assert "territorial_scope" in auth.facts_to_confirm


def test_the_desk_removes_the_content_and_the_annex_ii_goes_back(
        answered_endpoint, authority, post, channel_messages, make_staff, now, tmp_path):
    _auth, task, _doc, data = _takedown(channel_messages[:2])
    assert _errors(post(data)) == []
    case = Case.objects.get()
    reviewer = make_staff("reviewer")
    view = removal.platform_view()
    first = channel_messages[0]
    assert view.read(CHANNEL, first.message_id, country="FR") == first
    at = case.received_at + timedelta(minutes=9)
    case = removal.apply_measure(case=case, actor=reviewer, now=at, measure="remove")
    assert case.status == Status.ACTIONED
    for message in channel_messages[:2]:
        seen = view.read(CHANNEL, message.message_id, country="DE")
        assert isinstance(seen, Withheld) and seen.reason == "removed"
    assert _get(post, task) == ("Resolved", case.number)
    # One message: the feedback documents with the status (no separate notification).
    [message] = OutboundMessage.objects.all()
    assert message.kind == "feedback" and message.summary["statuses"] == [f"{task}=Resolved"]
    assert outbound.send_due(now=at) == 1
    message.refresh_from_db()
    assert message.state == "sent"
    [received] = authority.received
    got = unpack(received.read_bytes(), tmp_path / "feedback")
    assert dict(got.statuses) == {task: "Resolved"}
    [machine] = [p for p in got.documents if p.suffix == ".json"]
    [pdf] = [p for p in got.documents if p.suffix == ".pdf"]
    annex = json.loads(machine.read_bytes())
    assert annex["schema"] == "lawdesk/tco-annex-ii/1" and annex["complete"]
    assert [(b["url"], b["measure"], b["measure_at"]) for b in annex["section_b"]] == [
        (url(m), "removed", at.isoformat(timespec="microseconds")) for m in channel_messages[:2]]
    assert hashlib.sha256(machine.read_bytes()).hexdigest() == message.summary["document_sha256"]
    assert pdf.read_bytes().startswith(b"%PDF")
    result = CliRunner().invoke(cli.app, ["unpack", str(received), "--out", str(tmp_path / "cli")])
    assert result.exit_code == 0, result.output
    assert f"status {task}: Resolved" in result.output
    assert "TCO Annex II" in result.output
    # A second measure or a second status change sends nothing more.
    removal.apply_measure(case=Case.objects.get(), actor=reviewer, now=at, measure="remove")
    outbound.notify_status(case=Case.objects.get(), now=at)
    assert OutboundMessage.objects.count() == 1


def test_an_impossibility_goes_back_as_the_tco_annex_iii(
        answered_endpoint, authority, post, channel_messages, make_staff, officer, now, tmp_path):
    _auth, task, _doc, data = _takedown(channel_messages[:1])
    assert _errors(post(data)) == []
    case = Case.objects.get()
    reviewer = make_staff("reviewer")
    at = case.received_at + timedelta(minutes=5)
    tco_annex_iii.declare(case=case, actor=reviewer, now=at, reason="insufficient_information",
                          explanation="The link names a message that is a quotation of another.",
                          clarification="Which of the two messages is the one to remove?")
    assert _get(post, task)[0] == "Error"
    [message] = OutboundMessage.objects.all()
    assert message.kind == "annex_iii" and message.summary["reason"] == "insufficient_information"
    outbound.send_due(now=at)
    [received] = authority.received
    got = unpack(received.read_bytes(), tmp_path / "annex3")
    assert dict(got.statuses) == {task: "Error"}
    form = json.loads(next(p for p in got.documents if p.suffix == ".json").read_bytes())
    assert form["schema"] == "lawdesk/tco-annex-iii/1"
    assert form["section_b"]["clarification_requested"].startswith("Which of the two")
    assert any(p.read_bytes().startswith(b"%PDF") for p in got.documents)
    # The authority's answer (its liaison officer, on the portal) restarts the hour: Pending.
    answered = at + timedelta(minutes=30)
    conversation.answer_clarification(case=Case.objects.get(), actor=officer, now=answered,
                                      answer="The first one, posted at noon.")
    assert Case.objects.get().deadline_at == answered + timedelta(hours=1)
    assert _get(post, task)[0] == "Pending"
    assert [(q.kind, q.summary["statuses"]) for q in OutboundMessage.objects.order_by("pk")] == [
        ("annex_iii", [f"{task}=Error"]), ("notification", [f"{task}=Pending"])]
    # A plain question later is not an impossibility: the task stays Pending, no second form.
    conversation.ask_clarification(case=Case.objects.get(), actor=reviewer,
                                   now=answered + timedelta(minutes=5),
                                   question="Is the second channel post covered as well?")
    assert _get(post, task)[0] == "Pending"
    assert OutboundMessage.objects.count() == 2


def test_a_retransmission_creates_nothing_twice(endpoint, post, channel_messages):
    _auth, _task, _doc, data = _takedown(channel_messages[:1])
    first = post(data)
    again = post(data)
    assert _errors(first) == [] and again.content == first.content
    assert Case.objects.count() == 1 and StoredObject.objects.count() == 3
    assert Event.objects.filter(action="interop:hi1:retransmission").count() == 1
    # The same objects under a new TransactionIdentifier: they exist (3010), no second case.
    fresh = data.replace(data[data.index(b"<TransactionIdentifier>") + 23:
                              data.index(b"</TransactionIdentifier>")], ids(1)[0].encode())
    assert {code for code, _ in _errors(post(fresh))} == {"3010"}
    assert Case.objects.count() == 1


def test_a_takedown_from_an_unknown_certificate_is_refused_and_audited(
        endpoint, post, channel_messages):
    _auth, _task, _doc, data = _takedown(channel_messages[:1])
    response = post(data, fingerprint=hashlib.sha256(b"somebody else").hexdigest())
    assert response.status_code == 403
    assert Case.objects.count() == 0 and StoredObject.objects.count() == 0
    event = Event.objects.get(action="interop:hi1:sender_refused")
    assert event.params["reason"] == "certificate_not_on_record"


@pytest.mark.parametrize(("change", "code", "member"), [
    # Members out of schema order: Deadlines before Flags.
    (lambda t: t.replace("<task:RequesterReference>TCO-FR-2026-7</task:RequesterReference>", "")
     .replace("</task:RequestDetails>", "</task:RequestDetails><task:RequesterReference>x"
                                        "</task:RequesterReference>"), "3020", "RequesterReference"),
    (lambda t: t.replace("<task:RequestValues>", "<task:Type>x</task:Type><task:RequestValues>"),
     "3020", "Type"),
    (lambda t: t.replace("<task:DateTime>2026-11-09T00:00:00Z", "<task:DateTime>next week"),
     "3020", "DateTime"),
])
def test_a_malformed_tdtask_gets_the_schema_error(endpoint, post, channel_messages, change, code,
                                                   member):
    auth, task, doc = ids(3)
    data = request(td_authorisation(auth), change(td_task(
        task, auth, [url(channel_messages[0])], deadline="2026-11-09T00:00:00Z")),
        refinement(doc, auth, ORDER))
    errors = _errors(post(data))
    assert (code, member) in {(c, member) for c, d in errors if member in d}, errors
    assert Case.objects.count() == 0


@pytest.mark.parametrize(("args", "member"), [
    ({"status": "Resolved"}, "Status"),  # the requester can never set Status
    ({"legal_type": "NotAnOrder"}, "AuthorisationLegalType"),
    ({"legal_type": ""}, "AuthorisationLegalType"),  # no type, no terrorism: cannot be mapped
    ({"fmt": "EmailAddress", "owner": "ETSI"}, "FormatType"),
    ({"urls": ["https://elsewhere.example/a/1"]}, "RequestValue/Value"),
])
def test_what_cannot_be_mapped_is_refused_naming_the_member(endpoint, post, channel_messages,
                                                            args, member):
    auth, task, doc = ids(3)
    legal_type = args.pop("legal_type", "TCORemovalOrder")
    urls = args.pop("urls", [url(channel_messages[0])])
    data = request(td_authorisation(auth, legal_type=legal_type), td_task(task, auth, urls, **args),
                   refinement(doc, auth, ORDER))
    errors = _errors(post(data))
    assert any(c == "3007" and member in d for c, d in errors), errors
    assert len(errors) == 3 and Case.objects.count() == 0  # the whole order is refused


def test_terrorism_without_a_legal_type_is_a_tco_order(endpoint, post, channel_messages):
    auth, task, doc = ids(3)
    data = request(td_authorisation(auth, legal_type="",
                                    type_of_case="TerrorismOrThreatToPublicSafety"),
                   td_task(task, auth, [url(channel_messages[0])]), refinement(doc, auth, ORDER))
    assert _errors(post(data)) == []
    assert Case.objects.get().instrument_type == "tco_removal_order"


def test_link_errors_and_mixing_with_disclosure(endpoint, post, channel_messages):
    auth, task, doc, ld = ids(4)
    orphan = td_task(task, ids(1)[0], [url(channel_messages[0])])
    assert {c for c, _ in _errors(post(request(orphan)))} == {"3016"}
    mixed = request(td_authorisation(auth), td_task(task, auth, [url(channel_messages[0])]),
                    ld_task(ld, auth), refinement(doc, auth, ORDER))
    assert {c for c, _ in _errors(post(mixed))} == {"3001"}
    missing = request(td_authorisation(auth), td_task(task, auth, [url(channel_messages[0])]))
    errors = _errors(post(missing))
    assert any("removal order is missing" in d for _, d in errors), errors
    assert Case.objects.count() == 0


def test_getcspconfig_advertises_the_takedown_format(endpoint, post):
    root = parse(post(request("<GETCSPCONFIG/>")).content, namespaces=s.NAMESPACES)
    names = root.xpath("//*[local-name()='FormatTypeDefinition']/*[local-name()='FormatName']/text()")
    assert "ContentURL" in names
    types = root.xpath("//*[local-name()='TDRequestType']/*[local-name()='Value']/text()")
    assert types == ["TCORemovalOrder", "DSAArt9Order"]


def test_the_original_order_is_the_takedown_refinement(endpoint, post, channel_messages):
    auth, task, doc = ids(3)
    body = base64.b64encode(ORDER).decode()
    data = request(td_authorisation(auth), td_task(task, auth, [url(channel_messages[0])]),
                   refinement(doc, auth, ORDER))
    assert body in data.decode()
    assert _errors(post(data)) == []
    kept = StoredObject.objects.get(object_id=doc)
    assert bytes(kept.content) == ORDER and kept.content_sha256 == hashlib.sha256(ORDER).hexdigest()


def test_a_dsa_order_given_effect_from_the_desk_reports_back_over_hi1(
        answered_endpoint, authority, post, channel_messages, make_staff, client, now, tmp_path):
    from lawdesk.removal import art9
    from lawdesk.removal.models import EffectReport

    _auth, task, _doc, data = _takedown(channel_messages[:1], legal_type="DSAArt9Order")
    assert _errors(post(data)) == []
    case = Case.objects.get()
    reviewer = make_staff("reviewer")
    client.force_login(reviewer)
    page = client.get(f"/desk/cases/{case.pk}/").content.decode()
    assert 'data-testid="hi1-origin"' in page and task in page and "Pending" in page
    assert "territorial scope" in page  # a fact to confirm
    assert 'data-testid="annex-iii-form"' not in page  # the e-Evidence form is not for removals
    assert "receives the feedback (Annex II, or the DSA Art. 9 report)" in page
    art9.record_scope(case=case, actor=reviewer, now=now, countries="FR BE")
    done = client.post(f"/desk/removals/{case.pk}/", {
        "action": "apply", "mv-measure": "remove", "mv-confirm": "on"})
    assert done.status_code == 302
    assert _get(post, task)[0] == "Resolved"
    [message] = OutboundMessage.objects.all()
    assert message.kind == "feedback"
    report = EffectReport.objects.get(case=case)
    assert message.summary["document_sha256"] == report.sha256  # the report as kept
    outbound.send_due(now=message.next_attempt_at)  # (the desk acted on the real clock)
    [received] = authority.received
    got = unpack(received.read_bytes(), tmp_path / "art9")
    document = json.loads(next(p for p in got.documents if p.suffix == ".json").read_bytes())
    assert document["schema"] == "lawdesk/dsa-art9-effect/1"
    assert document["order"]["territorial_scope"] == ["BE", "FR"]
    assert b"DSAArt9EffectReport" in received.read_bytes()
    assert dict(got.statuses) == {task: "Resolved"}


def _update(task: str, auth: str, urls: list[str], *, generation: int, answer: str) -> bytes:
    obj = td_task(task, auth, urls).replace("<CREATE>", "<UPDATE>").replace("</CREATE>", "</UPDATE>")
    obj = obj.replace("<AssociatedObjects>", f"<Generation>{generation}</Generation><AssociatedObjects>")
    obj = obj.replace("</HI1Object>", f"<task:ManualInformation>{answer}</task:ManualInformation>"
                                      "</HI1Object>")
    return request(obj)


def test_the_authority_clarifies_by_updating_the_tdtask_once(
        answered_endpoint, post, channel_messages, make_staff, now):
    auth, task, _doc, data = _takedown(channel_messages[:1])
    assert _errors(post(data)) == []
    urls = [url(channel_messages[0])]
    clarification = _update(task, auth, urls, generation=1, answer="The message posted at noon.")
    # No question asked yet: nothing to answer.
    early = post(clarification)
    assert {c for c, _ in _errors(early)} == {"3007"}
    case = Case.objects.get()
    reviewer = make_staff("reviewer")
    tco_annex_iii.declare(case=case, actor=reviewer, now=case.received_at, reason="manifest_errors",
                          explanation="The link points at a reply, not at the post described.",
                          clarification="Which message of the channel is meant?")
    assert _get(post, task)[0] == "Error"
    moved = _update(task, auth, [url(channel_messages[1])], generation=1, answer="This one.")
    assert any("cannot change" in d for _, d in _errors(post(moved)))
    answer = _update(task, auth, urls, generation=1, answer="The message posted at noon.")
    first = post(answer)
    assert _errors(first) == []
    case.refresh_from_db()
    assert case.status == Status.IN_REVIEW
    assert case.deadline_at - Event.objects.filter(
        action="removal:clock:restarted").get().at == timedelta(hours=1)
    assert _get(post, task)[0] == "Pending"
    stored = StoredObject.objects.get(object_id=task)
    assert stored.generation == 2
    # Retransmitted: the same answer; sent again as a new message: stale, nothing twice.
    assert post(answer).content == first.content
    again = _update(task, auth, urls, generation=1, answer="The message posted at noon.")
    assert {c for c, _ in _errors(post(again))} == {"3008"}
    answers = case.messages.filter(kind="clarification_answer")
    assert answers.count() == 1 and "posted at noon" in answers.get().body
    assert [q.kind for q in OutboundMessage.objects.order_by("pk")] == ["annex_iii", "notification"]


def test_a_chat_id_link_is_filed_under_its_sender(endpoint, post, channel_messages, monkeypatch):
    message = channel_messages[0]
    link = f"https://msgr.example/c/{CHANNEL}/{message.message_id}"
    auth, task, doc = ids(3)
    data = request(td_authorisation(auth), td_task(task, auth, [link]), refinement(doc, auth, ORDER))
    assert _errors(post(data)) == []
    case = Case.objects.get()
    assert [(t.kind, t.value) for t in case.targets.all()] == [("account_id", str(message.sender_id))]
    assert case.removal_items.get().target == f"message:{CHANNEL}:{message.message_id}"
    # The platform unreachable at receipt and no channel name: nothing to file it under (3007).
    from lawdesk.interop import takedown

    def down():
        raise ConnectionError("platform down")

    monkeypatch.setattr(takedown, "platform_view", down)
    auth, task, doc = ids(3)
    data = request(td_authorisation(auth, reference="FR-TCO-2026-0008"),
                   td_task(task, auth, [link]), refinement(doc, auth, ORDER))
    assert {c for c, _ in _errors(post(data))} == {"3007"}
    assert Case.objects.count() == 1
