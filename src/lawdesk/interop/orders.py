"""CREATE: an Authorisation with its LDTask(s) and the order's form → one production case.

One message carries one order as several objects (INTEROP.md §2.4: the EU mapping of Form 1 is
an AuthorisationObject, one LDTaskObject per identifier of Section E, and a DocumentObject with
the form). :func:`prepare` groups the message's CREATEs by the Authorisation they are associated
with and submits each group through ``cases.submission.submit_request`` — the same use case as
the portal and the API, with the form kept byte-exact as the case's original order. The facts
the message cannot give are listed for the desk to confirm.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lxml import etree

from lawdesk.cases.attachments import OriginalOrder
from lawdesk.cases.intake import IntakeRefused
from lawdesk.cases.submission import submit_request
from lawdesk.core.errors import DomainError
from lawdesk.interop import message as m
from lawdesk.interop import schema as s
from lawdesk.interop.actions import FORMATS, format_owner
from lawdesk.interop.models import StoredObject
from lawdesk.interop.updates import updated_ids

if TYPE_CHECKING:
    from lawdesk.cases.models import Case
    from lawdesk.interop.services import Context

# RequestType (ETSI dictionary) → lawdesk's data categories (the e-Evidence categories).
CATEGORIES = {
    "SubscriberData": ["subscriber"],
    "UserIdentifyingData": ["identification"],
    "TrafficData": ["traffic"],
    "StoredContentData": ["content"],
    "SubscriberDataAndUserIdentifyingData": ["subscriber", "identification"],
    "TrafficDataAndStoredContentData": ["traffic", "content"],
}
# AuthorisationTypeOfCase values whose offence family is certain; anything else is "other",
# to confirm on the desk.
OFFENCES = {
    "ChildExploitationOrChildSexualAbuse": "child_sexual_abuse",
    "TerrorismOrThreatToPublicSafety": "terrorism",
}
ROLES = (("investigating", "investigating_judge"), ("judge", "judge"), ("court", "court"),
         ("prosecut", "prosecutor"), ("police", "police_officer"))
AGENCY_ROLE = {"prosecutor": "prosecutor", "court": "court",
               "investigating_judge": "investigating_judge", "police": "police_officer",
               "gendarmerie": "police_officer", "customs": "police_officer",
               "administrative_authority": "administrative"}
IP_FORMATS = {"IPv4Address", "IPv6Address", "IPAddressPort"}


@dataclass
class Item:
    action: m.Action
    obj: etree._Element
    object_id: str
    object_type: str


@dataclass
class Group:
    auth: Item
    tasks: list[Item] = field(default_factory=list)
    documents: list[Item] = field(default_factory=list)

    @property
    def items(self) -> list[Item]:
        return [self.auth, *self.tasks, *self.documents]


def _t(elem: etree._Element, ns: str, *names: str) -> str:
    return m.text(elem, ns, *names)


def _fail(items: list[Item], context: Context, error: m.HI1Error) -> None:
    for item in items:
        context.outcomes.setdefault(item.action.identifier, error)


def _status_members(item: Item) -> list[str]:
    """Members only lawdesk sets, present in a CREATE (INTEROP.md §1.6 check 8)."""
    names = {"AuthorisationObject": [(s.AUTH, "AuthorisationStatus")],
             "LDTaskObject": [(s.TASK, "Status")], "LPTaskObject": [(s.TASK, "Status"),
                                                                    (s.TASK, "PreservationExpiration")],
             "TDTaskObject": [(s.TASK, "Status"), (s.TASK, "CSPReference")],
             "DocumentObject": [(s.DOC, "DocumentStatus")]}[item.object_type]
    found = [name for ns, name in names if item.obj.find(f"{{{ns}}}{name}") is not None]
    if item.obj.find(f"{{{s.CORE}}}Generation") is not None:
        found.append("Generation")
    return found


def prepare(context: Context) -> None:
    """Decide every CREATE of the message: store objects and create cases, or say why not."""
    seen: set[int] = set()
    items: dict[str, Item] = {}
    agency_id = context.endpoint.agency_id
    updated = updated_ids(context)
    for action in context.request.actions:
        if action.identifier in seen:
            continue
        seen.add(action.identifier)
        if action.verb != "CREATE" or action.error is not None \
                or action.identifier in context.outcomes:
            continue  # (an UPDATE's Form 6 is answered with its UPDATE)
        if action.object_type == "DocumentObject" and updated & set(
                _links(s._children(action.body)[0])):
            continue
        if action.object_type not in s.RECEIVED_TYPES:
            context.outcomes[action.identifier] = m.HI1Error(
                m.ErrorCode.NOT_SUPPORTED, f"lawdesk sends {action.object_type}s; it does not "
                "accept them from an authority.")
            continue
        obj = s._children(action.body)[0]
        item = Item(action, obj, _t(obj, s.CORE, "ObjectIdentifier"), action.object_type)
        existing = StoredObject.objects.filter(agency_id=agency_id,
                                               object_id=item.object_id).first()
        if existing is not None and _created_by_this_message(existing, item, context):
            # The case was created but the answer was not stored (a crash in between): this
            # retransmission gets the answer the first delivery would have had.
            context.outcomes[action.identifier] = m.C("CREATEResponse",
                                                      m.C("Identifier", text=item.object_id))
            continue
        if item.object_id in items or existing is not None:
            context.outcomes[action.identifier] = m.HI1Error(
                m.ErrorCode.OBJECT_EXISTS, f"Object {item.object_id} already exists.")
            continue
        server_set = _status_members(item)
        if server_set:
            context.outcomes[action.identifier] = m.HI1Error(
                m.ErrorCode.IMPROPER_VALUE, f"{', '.join(server_set)} of {item.object_type} "
                "is set by lawdesk and follows the desk; the requester cannot set it.")
            continue
        items[item.object_id] = item
    groups = {oid: Group(item) for oid, item in items.items()
              if item.object_type == "AuthorisationObject"}
    for item in items.values():
        if item.object_type == "AuthorisationObject":
            continue
        links = [a.text.strip() for a in item.obj.iterfind(
            f"{{{s.CORE}}}AssociatedObjects/{{{s.CORE}}}AssociatedObject") if a.text]
        group = next((groups[oid] for oid in links if oid in groups), None)
        if group is None:
            earlier = StoredObject.objects.filter(agency_id=agency_id, object_id__in=links,
                                                  object_type="AuthorisationObject").exists()
            context.outcomes[item.action.identifier] = m.HI1Error(
                m.ErrorCode.NOT_SUPPORTED if earlier else m.ErrorCode.UNRESOLVED_LINK,
                "Adding objects to an Authorisation of an earlier message is not supported yet: "
                "send the Authorisation, its tasks and its form in one message." if earlier else
                f"{item.object_type} {item.object_id}: its AssociatedObjects name no "
                "Authorisation in this message or on record.")
            continue
        (group.documents if item.object_type == "DocumentObject" else group.tasks).append(item)
    for group in groups.values():
        if group.auth.action.identifier in context.outcomes:
            continue
        if not group.tasks:
            _fail(group.items, context, m.HI1Error(
                m.ErrorCode.NOT_SUPPORTED, "An Authorisation is accepted with its LDTask, "
                "LPTask or TDTask objects and its form in the same message (one message, one "
                "order)."))
            continue
        if len({t.object_type for t in group.tasks}) > 1:
            _fail(group.items, context, m.HI1Error(
                m.ErrorCode.NOT_SUPPORTED, "One order is either disclosure (LDTask), "
                "preservation (LPTask) or take-down (TDTask): send them as separate "
                "Authorisations."))
            continue
        _create_case(group, context)


def _links(obj: etree._Element) -> list[str]:
    return [(a.text or "").strip() for a in obj.iterfind(
        f"{{{s.CORE}}}AssociatedObjects/{{{s.CORE}}}AssociatedObject")]


def _created_by_this_message(existing: StoredObject, item: Item, context: Context) -> bool:
    """Whether ``existing`` is exactly this object, stored by this very transaction."""
    return (existing.hi1_transaction == context.request.header.transaction_id
            and existing.object_type == item.object_type
            and existing.sha256 == hashlib.sha256(etree.tostring(item.obj)).hexdigest())


# --- One order → one case ----------------------------------------------------------------

class Refusal(Exception):
    """A problem of one object of the order; the whole order is refused."""

    def __init__(self, item: Item, description: str):
        super().__init__(description)
        self.item = item
        self.description = description


def _approvals(auth: etree._Element) -> list[dict[str, str]]:
    found = []
    for approval in auth.iterfind(f"{{{s.AUTH}}}AuthorisationApprovalDetails"):
        kind = m.dict_entry(approval.find(f"{{{s.COMMON}}}ApprovalType"))
        found.append({
            "type": kind.value if kind else "",
            "name": _t(approval, s.COMMON, "ApproverDetails", "Name"),
            "role": _t(approval, s.COMMON, "ApproverDetails", "Role"),
            "timestamp": _t(approval, s.COMMON, "ApprovalTimestamp"),
            "emergency": _t(approval, s.COMMON, "ApprovalIsEmergency"),
        })
    return found


def _role(text: str) -> str | None:
    lowered = text.lower()
    return next((role for key, role in ROLES if key in lowered), None)


def _flags(auth: etree._Element) -> set[str]:
    return {entry.value for entry in (m.dict_entry(f) for f in auth.iterfind(
        f"{{{s.AUTH}}}AuthorisationFlags/{{{s.AUTH}}}AuthorisationFlag")) if entry}


def _target(task: Item) -> tuple[dict[str, Any], list[str]]:
    """The intake target and the categories of one LDTask."""
    details = task.obj.find(f"{{{s.TASK}}}RequestDetails")
    assert details is not None  # the schema requires it
    desired = m.dict_entry(task.obj.find(f"{{{s.TASK}}}DesiredStatus"))
    start = "AwaitingPreservation" if task.object_type == "LPTaskObject" else "AwaitingDisclosure"
    if desired is not None and desired.value != start:
        raise Refusal(task, f"DesiredStatus {desired.value} cannot start a task; send {start}.")
    request_type = m.dict_entry(details.find(f"{{{s.TASK}}}Type"))
    categories = CATEGORIES.get(request_type.value if request_type else "")
    if categories is None:
        raise Refusal(task, f"RequestType {request_type.value if request_type else ''} is not "
                            "one lawdesk handles: " + ", ".join(CATEGORIES) + ".")
    values = details.findall(f"{{{s.TASK}}}RequestValues/{{{s.TASK}}}RequestValue")
    if len(values) != 1:
        raise Refusal(task, "A task names exactly one identifier (one task per identifier).")
    owner = _t(values[0], s.TASK, "FormatType", "FormatOwner")
    name = _t(values[0], s.TASK, "FormatType", "FormatName")
    value = _t(values[0], s.TASK, "Value")
    if (owner, name) not in {(format_owner(o), n) for o, n, _, _ in FORMATS}:
        raise Refusal(task, f"FormatType {owner}/{name} is not one lawdesk advertised "
                            "(GETCSPCONFIG).")
    target: dict[str, Any] = {}
    if name in IP_FORMATS:
        observed = _t(details, s.TASK, "ObservedTime")
        if not observed:
            raise Refusal(task, "An IP address needs the moment it was used (ObservedTime).")
        target = {"identifier": value, "at": observed}
    else:
        text = {"InternationalE164": "+" + value.lstrip("+"),
                "Username": "@" + value.lstrip("@")}.get(name, value)
        target = {"identifier": text}
        for member, key in (("StartTime", "window_start"), ("EndTime", "window_end")):
            moment = _t(details, s.TASK, member)
            if moment:
                target[key] = moment
    return target, categories


def _document(doc: Item) -> tuple[bytes, str, str]:
    contents = _t(doc.obj, s.DOC, "DocumentBody", "Contents")
    content_type = _t(doc.obj, s.DOC, "DocumentBody", "ContentType")
    if not contents:
        raise Refusal(doc, "The order's form has no DocumentBody.")
    try:
        body = base64.b64decode("".join(contents.split()), validate=True)
    except ValueError:
        raise Refusal(doc, "DocumentBody/Contents is not base64.") from None
    return body, content_type, _t(doc.obj, s.DOC, "DocumentName") or "order"


def _intake(group: Group, context: Context) -> tuple[dict[str, Any], list[str]]:
    """The intake payload of the order, and the facts the message could not give."""
    auth = group.auth.obj
    agency = context.endpoint.agency
    confirm: list[str] = []
    approvals = _approvals(auth)
    issuer = next((a for a in approvals if "validat" not in a["type"].lower()), None)
    validator = next((a for a in approvals if "validat" in a["type"].lower()), None)
    flags = _flags(auth)
    emergency = "IsEmergency" in flags or any(a["emergency"] in ("true", "1") for a in approvals)
    reference = _t(auth, s.AUTH, "AuthorisationReference") or group.auth.object_id
    legal_type = m.dict_entry(auth.find(f"{{{s.AUTH}}}AuthorisationLegalType"))
    eu = context.request.header.version.profile_owner == "EU"
    preservation = group.tasks[0].object_type == "LPTaskObject"
    eu_type = "EPOC-PR" if preservation else "EPOC"
    instrument = ("epoc_pr" if preservation else "epoc") \
        if eu and (legal_type is None or legal_type.value == eu_type) else "other"
    when = (issuer or {}).get("timestamp") or _t(auth, s.AUTH, "AuthorisationCreationTimestamp")
    instrument_date = m.parse_datetime(when).date() if when else context.now.date()
    if not when:
        confirm.append("instrument_date")
    issuer_role = _role(f"{(issuer or {}).get('role', '')} {(issuer or {}).get('type', '')}")
    if issuer is None or not issuer["name"]:
        confirm.append("issuer_name")
    if issuer_role is None:
        issuer_role = AGENCY_ROLE.get(agency.kind, "other")
        confirm.append("issuer_role")
    type_of_case = m.dict_entry(auth.find(f"{{{s.AUTH}}}AuthorisationTypeOfCase"))
    offence = OFFENCES.get(type_of_case.value if type_of_case else "")
    if offence is None:
        confirm.append("offence_category")
    description = _t(auth, s.AUTH, "AuthorisationManualInformation")
    if len(description) < 10:
        description = ("Not given in the HI-1 message: read it in the order's form (the "
                       "original order).")
        confirm.append("offence_description")
    targets, categories = [], []
    for task in group.tasks:
        target, task_categories = _target(task)
        targets.append(target)
        categories += [c for c in task_categories if c not in categories]
    payload: dict[str, Any] = {
        "kind": "preservation" if preservation else
                "emergency_disclosure" if emergency else "production",
        "instrument_type": instrument,
        "instrument_reference": reference[:200],
        "instrument_date": instrument_date.isoformat(),
        "issuer_name": ((issuer or {}).get("name") or agency.name)[:200],
        "issuer_role": issuer_role,
        "authority_file_number": reference[:100],
        "offence_category": offence or "other",
        "offence_description": description[:5000],
        "categories": categories,
        "targets": targets,
        "enforcing_authority_notified": "EnforcingAuthorityNotified" in flags,
        "nondisclosure_order": "DelayInformingUser" in flags,
    }
    if validator and validator["name"]:
        payload["validator_name"] = validator["name"][:200]
        payload["validator_role"] = _role(validator["role"] + " " + validator["type"]) or "other"
    if emergency and not preservation:
        payload["emergency_threat"] = ("Emergency flagged by the issuing authority in the HI-1 "
                                       "order: read the threat in the order's form.")
        confirm.append("emergency_threat")
    if any(c in ("traffic", "content") for c in categories) and not preservation:
        confirm.append("max_sentence_years")
    if not preservation:
        confirm.append("user_named_as_suspect")  # the message has no member for it
    return payload, confirm


def _origin(group: Group, context: Context, document: Item | None) -> dict[str, Any]:
    header = context.request.header
    return {
        "channel": "hi1",
        "endpoint": f"{header.sender.country_code}/{header.sender.unique_identifier}",
        "transaction_id": header.transaction_id,
        "profile": f"{header.version.etsi_version} {header.version.profile_owner} "
                   f"{header.version.profile_version}".strip(),
        "authorisation": group.auth.object_id,
        "tasks": [t.object_id for t in group.tasks],
        "document": document.object_id if document else None,
    }


def _create_case(group: Group, context: Context) -> None:
    # reason: import cycle: interop.takedown imports this module's helpers
    from lawdesk.interop import takedown

    endpoint = context.endpoint
    order: takedown.Order | None = None
    document: Item | None
    try:
        if group.tasks[0].object_type == "TDTaskObject":
            order = takedown.intake(group, context)
            payload, confirm, document = order.payload, order.confirm, order.document
        else:
            payload, confirm = _intake(group, context)
            document = group.documents[0] if group.documents else None
        if document is None and payload["kind"] != "emergency_disclosure":
            raise Refusal(group.auth, "The order's form is missing: send it as a DocumentObject "
                                      "associated with the Authorisation.")
        original = None
        if document is not None:
            body, content_type, name = _document(document)
            original = OriginalOrder(name=name, content=body, content_type=content_type,
                                     origin=_origin(group, context, document))
    except Refusal as exc:
        context.outcomes[exc.item.action.identifier] = m.HI1Error(m.ErrorCode.IMPROPER_VALUE,
                                                                  exc.description)
        _fail(group.items, context, _not_created(group))
        return

    def store(case: Case) -> None:
        targets = list(case.targets.order_by("position"))
        for item in group.items:
            body = None
            if item.object_type == "DocumentObject":
                body = _document(item)[0]
            raw = etree.tostring(item.obj)
            context.created.append(StoredObject.objects.create(
                agency_id=endpoint.agency_id, endpoint=endpoint, object_id=item.object_id,
                object_type=item.object_type, xml=raw, sha256=hashlib.sha256(raw).hexdigest(),
                content=body, content_sha256=hashlib.sha256(body).hexdigest() if body else "",
                content_type=_t(item.obj, s.DOC, "DocumentBody", "ContentType")
                if body is not None else "",
                associated=[a.text for a in item.obj.iterfind(
                    f"{{{s.CORE}}}AssociatedObjects/{{{s.CORE}}}AssociatedObject")],
                case=case,
                target=targets[group.tasks.index(item)]
                if item in group.tasks and order is None else None,
                hi1_transaction=context.request.header.transaction_id,
                facts_to_confirm=confirm if item is group.auth else [],
                created_at=context.now, last_changed=context.now))
        if order is not None:
            takedown.apply_deadline(case, order, context)

    before = len(context.created)
    try:
        submit_request(actor=endpoint.officer.user, now=context.now, payload=payload,
                       channel="hi1", origin=context.origin, on_created=store, original=original)
    except IntakeRefused as exc:
        del context.created[before:]
        for path, messages in exc.errors.items():
            item = _item_for(group, path)
            context.outcomes.setdefault(item.action.identifier, m.HI1Error(
                m.ErrorCode.IMPROPER_VALUE, f"{_member_for(path)}: {' '.join(messages)}"))
        _fail(group.items, context, _not_created(group))
        return
    except DomainError as exc:  # the liaison officer or the agency is not active
        del context.created[before:]
        _fail(group.items, context, m.HI1Error(m.ErrorCode.IMPROPER_VALUE,
                                               f"The order cannot be accepted: {exc.message}"))
        return
    for item in group.items:
        context.outcomes[item.action.identifier] = m.C("CREATEResponse",
                                                       m.C("Identifier", text=item.object_id))


def _not_created(group: Group) -> m.HI1Error:
    return m.HI1Error(m.ErrorCode.IMPROPER_VALUE,
                      f"Not created: the order of Authorisation {group.auth.object_id} has an "
                      "error in another of its objects (see their ErrorInformation).")


def _item_for(group: Group, path: str) -> Item:
    parts = path.split(".")
    if parts[0] == "targets" and len(parts) > 1 and parts[1].isdigit() \
            and int(parts[1]) < len(group.tasks):
        return group.tasks[int(parts[1])]
    if parts[0] == "content_locations" and group.tasks:
        return group.tasks[0]
    if parts[0] == "attachments" and group.documents:
        return group.documents[0]
    return group.auth


_MEMBERS = {"window_start": "RequestDetails/StartTime", "window_end": "RequestDetails/EndTime",
            "identifier": "RequestDetails/RequestValues/RequestValue/Value",
            "at": "RequestDetails/ObservedTime", "instrument_date": "ApprovalTimestamp",
            "issuer_name": "ApproverDetails/Name", "categories": "RequestDetails/Type",
            "content_locations": "RequestDetails/RequestValues/RequestValue/Value",
            "instrument_type": "AuthorisationLegalType"}


def _member_for(path: str) -> str:
    """The HI-1 member an intake field came from, for the error description."""
    last = path.split(".")[-1]
    return _MEMBERS.get(last, path)


def create_object(context: Context, action: m.Action) -> etree._Element:
    outcome = context.outcomes.get(action.identifier)
    if outcome is None:
        raise m.HI1Error(m.ErrorCode.NOT_SUPPORTED, "This object was not handled.")
    if isinstance(outcome, m.HI1Error):
        raise outcome
    return outcome

