"""An EPOC sent as an EU-profile HI-1 message becomes one production case without typing:
one target per LDTask, categories from RequestType, the form kept byte-exact as the original
order; status follows the desk; nothing is created twice."""

from __future__ import annotations

import hashlib

import pytest

from lawdesk.audit.models import Event
from lawdesk.cases.models import Case
from lawdesk.interop import schema as s
from lawdesk.interop.models import StoredObject, Transaction
from lawdesk.interop.xmlsafe import parse
from tests.interop.messages import authorisation, document, ids, ld_task, request

pytestmark = pytest.mark.django_db
NS = {"c": s.CORE, "task": s.TASK, "common": s.COMMON}
FORM = (b'<?xml version="1.0" encoding="UTF-8"?>\n<epoc:Form xmlns:epoc="http://data.europa.eu/'
        b'edm/1/ns/forms/EPOC-FORM_1#"><epoc:SectionA>Parquet de Paris</epoc:SectionA>'
        b'<!-- exactly these bytes --></epoc:Form>\n')


def _root(response):
    assert response.status_code == 200, response.content
    return parse(response.content, namespaces=s.NAMESPACES)


def _codes(root):
    return [r.findtext(".//c:ErrorCode", namespaces=NS) for r in root.iterfind(".//c:ActionResponse", NS)]


def epoc(auth=None, tasks=None, doc=None, **kw):
    auth = auth or ids(1)[0]
    tasks = tasks or ids(2)
    return auth, tasks, request(
        authorisation(auth),
        ld_task(tasks[0], auth, identifier="33612345678", request_type="SubscriberData",
                ldid="FR-EPOC42-0001"),
        ld_task(tasks[1], auth, identifier="night_owl", fmt="Username",
                request_type="SubscriberDataAndUserIdentifyingData", ldid="FR-EPOC42-0002")
        .replace("<task:FormatOwner>ETSI</task:FormatOwner>", "<task:FormatOwner>msgr-lawdesk</task:FormatOwner>"),
        document(doc or ids(1)[0], auth, FORM), **kw)


def test_an_epoc_becomes_one_case_without_typing(endpoint, post, officer):
    auth, tasks, data = epoc()
    root = _root(post(data))
    assert _codes(root) == [None] * 4
    assert root.xpath("//c:CREATEResponse/c:Identifier/text()", namespaces=NS)[:2] == [auth, tasks[0]]
    case = Case.objects.get()
    assert (case.channel, case.kind, case.instrument_type) == ("hi1", "production", "epoc")
    assert case.officer == officer.officer and case.agency == endpoint.agency
    assert case.instrument_reference == "FR-EPOC-2026-0042"
    assert case.issuer_name == "Juge Anne Roussel" and case.issuer_role == "judge"
    assert case.categories == ["subscriber", "identification"]
    assert [(t.kind, t.value) for t in case.targets.order_by("position")] == [
        ("phone", "+33612345678"), ("username", "night_owl")]
    original = case.attachments.get()
    assert original.file.read() == FORM
    assert original.sha256 == hashlib.sha256(FORM).hexdigest()
    assert case.receipt["original_order"]["sha256"] == original.sha256
    assert case.receipt["origin"]["endpoint"] == "FR/FR-PJJ-EEVIDENCE"
    assert case.receipt["origin"]["authorisation"] == auth
    stored = {o.object_id: o for o in StoredObject.objects.all()}
    assert set(stored) == {auth, *tasks} | {o for o in stored if stored[o].object_type == "DocumentObject"}
    assert stored[tasks[1]].target.value == "night_owl"
    assert "offence_category" in stored[auth].facts_to_confirm
    received = Event.objects.get(action="cases:case:received")
    assert received.params["channel"] == "hi1"
    assert Event.objects.get(action="interop:hi1:message_received").params["cases"] == [case.number]


def test_get_and_list_show_the_objects_with_the_status_the_desk_sets(endpoint, post, now):
    _auth, tasks, data = epoc()
    post(data)
    root = _root(post(request(f"<GET><Identifier>{tasks[0]}</Identifier></GET>",
                              "<LIST/>")))
    obj = root.find(".//c:GETResponse/c:HI1Object", NS)
    assert obj.findtext("c:Generation", namespaces=NS) == "1"
    assert obj.findtext("task:Status/common:Value", namespaces=NS) == "AwaitingDisclosure"
    assert obj.findtext("task:Reference", namespaces=NS) == "FR-EPOC42-0001"
    # The object as created: every member the authority sent is still there, in order.
    from lawdesk.interop.message import check_object

    assert check_object(obj, "/GETResponse")[1] == "LDTaskObject"
    records = root.findall(".//c:ListResponseRecord", NS)
    assert len(records) == 4
    # As the TS has it: ObjectType a dictionary entry of the ObjectType dictionary, Identifier.
    assert sorted(r.findtext("c:ObjectType/common:Value", namespaces=NS) for r in records) == [
        "Authorisation", "Document", "LDTask", "LDTask"]
    assert tasks[0] in [r.findtext("c:Identifier", namespaces=NS) for r in records]


def test_status_follows_the_desk(endpoint, post, make_staff, now):
    from lawdesk.cases import services

    _auth, tasks, data = epoc()
    post(data)
    case = Case.objects.get()
    reviewer = make_staff("reviewer")
    services.start_review(case=case, actor=reviewer, now=now)
    services.refuse(case=case, actor=reviewer, now=now, ground="other",
                    text="The order names no offence the platform can assess.")
    root = _root(post(request(f"<GET><Identifier>{tasks[1]}</Identifier></GET>")))
    assert root.findtext(".//task:Status/common:Value", namespaces=NS) == "Rejected"


def test_the_requester_cannot_set_status(endpoint, post):
    auth, tasks = ids(1)[0], ids(1)
    root = _root(post(request(authorisation(auth, status="Approved"), ld_task(tasks[0], auth),
                              document(ids(1)[0], auth, FORM))))
    codes = _codes(root)
    assert codes[0] == "3007" and Case.objects.count() == 0
    assert "set by lawdesk" in root.findtext(".//c:ErrorDescription", namespaces=NS)


def test_a_retransmission_creates_nothing_twice(endpoint, post):
    tx = ids(1)[0]
    _auth, _tasks, data = epoc(tx=tx)
    first = post(data)
    again = post(data)
    assert again.content == first.content
    assert Case.objects.count() == 1 and StoredObject.objects.count() == 4
    assert Transaction.objects.count() == 1


def test_the_same_objects_in_a_new_transaction_exist_already(endpoint, post):
    auth, tasks, data = epoc()
    post(data)
    _, _, again = epoc(auth=auth, tasks=tasks)
    root = _root(post(again))
    assert _codes(root)[:3] == ["3010", "3010", "3010"]
    assert Case.objects.count() == 1


def test_a_task_without_its_authorisation_is_an_unresolved_link(endpoint, post):
    root = _root(post(request(ld_task(ids(1)[0], ids(1)[0]))))
    assert _codes(root) == ["3016"]


def test_a_bad_identifier_refuses_the_whole_order_naming_the_task(endpoint, post):
    auth, tasks = ids(1)[0], ids(2)
    data = request(authorisation(auth), ld_task(tasks[0], auth),
                   ld_task(tasks[1], auth, identifier="0612", ldid="FR-X-2"),
                   document(ids(1)[0], auth, FORM))
    root = _root(post(data))
    codes = _codes(root)
    assert codes == ["3007"] * 4
    descriptions = root.xpath("//c:ErrorDescription/text()", namespaces=NS)
    assert "RequestValue/Value" in descriptions[2] and "Target 2" in descriptions[2]
    assert "Not created" in descriptions[0]
    assert Case.objects.count() == 0 and StoredObject.objects.count() == 0
    assert Event.objects.filter(action="cases:intake:refused").count() == 1


def test_a_format_lawdesk_did_not_advertise_is_refused(endpoint, post):
    auth, task = ids(1)[0], ids(1)[0]
    root = _root(post(request(authorisation(auth), ld_task(task, auth, fmt="IMEI"),
                              document(ids(1)[0], auth, FORM))))
    assert "IMEI" in root.xpath("//c:ErrorDescription/text()", namespaces=NS)[1]
    assert Case.objects.count() == 0


def test_an_emergency_flag_makes_an_emergency_case(endpoint, post):
    auth, task = ids(1)[0], ids(1)[0]
    root = _root(post(request(authorisation(auth, emergency=True), ld_task(task, auth),
                              document(ids(1)[0], auth, FORM))))
    assert _codes(root) == [None] * 3
    case = Case.objects.get()
    assert case.kind == "emergency_disclosure"
    assert "emergency_callback_required" in case.flags


def test_the_case_pages_show_the_hi1_origin(endpoint, post, client, make_staff, officer):
    from tests.factories import login

    post(epoc()[2])
    case = Case.objects.get()
    client.logout()
    login(client, make_staff("reviewer"))
    page = client.get(f"/desk/cases/{case.pk}/").content.decode()
    assert "Received through HI-1" in page and "FR/FR-PJJ-EEVIDENCE" in page
    assert case.attachments.get().sha256 in page
    assert "Offence (the message gives no type of case" in page
    client.logout()
    login(client, officer)
    page = client.get(f"/portal/cases/{case.pk}/").content.decode()
    assert "Received through HI-1" in page and "FR/FR-PJJ-EEVIDENCE" in page
    assert "placeholders" not in page  # the desk's notes stay on the desk


def test_an_lptask_becomes_a_preservation_held_for_60_days(endpoint, post, make_staff, now):
    from datetime import timedelta

    from lawdesk.cases import preservation
    from lawdesk.interop.message import parse_datetime
    from tests.interop.messages import lp_task

    auth, task = ids(1)[0], ids(1)[0]
    data = request(authorisation(auth).replace(">EPOC<", ">EPOC-PR<"), lp_task(task, auth),
                   document(ids(1)[0], auth, FORM))
    assert _codes(_root(post(data))) == [None] * 3
    case = Case.objects.get()
    assert (case.kind, case.instrument_type, case.status) == ("preservation", "epoc_pr", "preserved")
    get = request(f"<GET><Identifier>{task}</Identifier></GET>")
    root = _root(post(get))
    assert root.findtext(".//task:Status/common:Value", namespaces=NS) == "Preserved"
    expires = parse_datetime(root.findtext(".//task:PreservationExpiration", namespaces=NS))
    assert expires == case.deadline_at and expires - case.received_at == timedelta(days=60)
    preservation.extend_preservation(case=case, actor=make_staff("reviewer"), now=now,
                                     reason="Form 6 received from the issuing authority")
    root = _root(post(request(f"<GET><Identifier>{task}</Identifier></GET>")))
    assert parse_datetime(root.findtext(".//task:PreservationExpiration", namespaces=NS)) \
        - case.received_at == timedelta(days=90)


def test_disclosure_and_preservation_tasks_are_not_mixed_in_one_order(endpoint, post):
    from tests.interop.messages import lp_task

    auth, t1, t2 = ids(3)
    root = _root(post(request(authorisation(auth), ld_task(t1, auth), lp_task(t2, auth),
                              document(ids(1)[0], auth, FORM))))
    assert set(_codes(root)) == {"3001"} and Case.objects.count() == 0


def test_a_retransmission_after_a_crash_before_the_answer_was_stored_gets_the_answer(
        endpoint, post):
    """The case and its objects commit before the transaction's answer is stored; if lawdesk
    dies in between, the authority retransmits: it must get the original answer (the objects,
    created), not 'object exists', and nothing is created twice."""
    tx = ids(1)[0]
    auth, tasks, data = epoc(tx=tx)
    first = _root(post(data))
    Transaction.objects.all().delete()  # the answer was never stored
    again = _root(post(data))
    assert _codes(again) == [None] * 4
    assert again.xpath("//c:CREATEResponse/c:Identifier/text()", namespaces=NS) == \
        first.xpath("//c:CREATEResponse/c:Identifier/text()", namespaces=NS)
    assert Case.objects.count() == 1 and StoredObject.objects.count() == 4
    # The same objects in another transaction still exist already.
    _, _, other = epoc(auth=auth, tasks=tasks)
    assert _codes(_root(post(other)))[:3] == ["3010", "3010", "3010"]


FORM_6 = (b'<?xml version="1.0" encoding="UTF-8"?>\n<f6:Form xmlns:f6="http://data.europa.eu/edm/1/'
          b'ns/forms/EPOC-PR-FORM-6#"><f6:SectionB>30 days</f6:SectionB></f6:Form>\n')


def _form6_update(task: str, *, generation: str | None = "1", form: bool = True, **header):
    from tests.interop.messages import dict_entry

    gen = f"<Generation>{generation}</Generation>" if generation is not None else ""
    update = f"""<UPDATE><HI1Object xsi:type="task:LPTaskObject">
  <ObjectIdentifier>{task}</ObjectIdentifier><CountryCode>FR</CountryCode>{gen}
  {dict_entry("task:DesiredStatus", "ETSI", "LPTaskDesiredStatus", "AwaitingPreservation")}
  <task:RequestDetails>{dict_entry("task:Type", "ETSI", "RequestType", "SubscriberData")}</task:RequestDetails>
  <task:DesiredPreservationExpiration>2027-02-01T00:00:00Z</task:DesiredPreservationExpiration>
</HI1Object></UPDATE>"""
    actions = [update]
    if form:
        actions.append(document(ids(1)[0], task, FORM_6).replace("EPOC form (Annex I)",
                                                                  "EPOC-PR Form 6"))
    return request(*actions, **header)


def test_an_update_carrying_form_6_extends_the_preservation_by_30_days(endpoint, post):
    from datetime import timedelta

    from lawdesk.interop.message import parse_datetime
    from tests.interop.messages import lp_task

    auth, task = ids(1)[0], ids(1)[0]
    post(request(authorisation(auth).replace(">EPOC<", ">EPOC-PR<"), lp_task(task, auth),
                 document(ids(1)[0], auth, FORM)))
    case = Case.objects.get()
    assert _codes(_root(post(_form6_update(task, form=False)))) == ["3007"]  # no Form 6
    assert _codes(_root(post(_form6_update(task, generation="7")))) == ["3008", "3007"]
    assert _codes(_root(post(_form6_update(ids(1)[0])))) == ["3011", "3007"]
    root = _root(post(_form6_update(task)))
    assert _codes(root) == [None, None]
    assert root.find(".//c:UPDATEResponse", NS) is not None
    case.refresh_from_db()
    assert case.status == "extended"
    assert case.deadline_at - case.received_at == timedelta(days=90)
    form = StoredObject.objects.get(object_type="DocumentObject", content_sha256=hashlib.sha256(
        FORM_6).hexdigest())
    assert bytes(form.content) == FORM_6 and form.case == case
    got = _root(post(request(f"<GET><Identifier>{task}</Identifier></GET>")))
    assert got.findtext(".//c:Generation", namespaces=NS) == "2"
    assert parse_datetime(got.findtext(".//task:PreservationExpiration", namespaces=NS)) \
        == case.deadline_at
    # Once only: the Regulation allows one extension of 30 days.
    again = _root(post(_form6_update(task, generation="2")))
    assert _codes(again) == ["3007", "3007"]
    assert "cannot be extended" in again.findtext(".//c:ErrorDescription", namespaces=NS)
    assert Event.objects.filter(action="cases:case:preservation_extended").count() == 1
