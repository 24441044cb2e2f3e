"""One handler per HI-1 verb: each takes the context and the action, and returns the element
that goes into the ActionResponse (or raises HI1Error, answered as ErrorInformation)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from lxml import etree

from lawdesk.interop import message as m
from lawdesk.interop import schema as s
from lawdesk.interop import takedown
from lawdesk.interop.identity import own_identity
from lawdesk.interop.models import StoredObject
from lawdesk.interop.status import dictionary, task_status
from lawdesk.interop.updates import update as answer_update
from lawdesk.interop.xmlsafe import parse

if TYPE_CHECKING:
    from lawdesk.interop.services import Context


# --- GETCSPCONFIG: what lawdesk accepts ----------------------------------------------------

# Identifier formats lawdesk understands, with the target kind they become. ETSI TS 103 280
# names where one exists; the others are lawdesk's own (owner: this platform's identifier).
FORMATS: tuple[tuple[str, str, str, str], ...] = (
    # owner, name, regex, description
    ("ETSI", "InternationalE164", r"^[0-9]{1,15}$", "Phone number, E.164 digits without '+'"),
    ("ETSI", "IPv4Address", r"^((25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])\.){3}"
                            r"(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])$",
     "IPv4 address; the moment of use in ObservedTime"),
    ("ETSI", "IPv6Address", r"^([0-9a-f]{4}:){7}[0-9a-f]{4}$",
     "IPv6 address, fully expanded; the moment of use in ObservedTime"),
    ("", "IPAddressPort", r"^(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-fA-F:]+\]):\d{1,5}$",
     "IP address and source port (a.b.c.d:port or [v6]:port); the moment in ObservedTime"),
    ("", "Username", r"^@?[A-Za-z0-9_.]{3,64}$", "Username of an account"),
    ("", "AccountID", r"^[0-9]{1,19}$", "Numeric account id"),
)
# RequestType values lawdesk handles (INTEROP.md §1.4; the e-Evidence categories).
REQUEST_TYPES = ("SubscriberData", "UserIdentifyingData", "TrafficData", "StoredContentData",
                 "SubscriberDataAndUserIdentifyingData", "TrafficDataAndStoredContentData")


def format_owner(owner: str) -> str:
    return owner or own_identity().unique_identifier


def get_csp_config(context: Context, action: m.Action) -> etree._Element:
    """Advertise the identifier formats and request types lawdesk accepts.

    The element shapes inside ``GETCSPCONFIGResponse`` follow the member names in INTEROP.md
    §1.2; check them against the 1.22.1 Config XSD when it is vendored.
    """
    cfg = s.CONFIG
    definitions = m.E(cfg, "TargetFormatTypeDefinitions", *(
        m.E(cfg, "FormatTypeDefinition",
            m.E(cfg, "FormatOwner", text=format_owner(owner)), m.E(cfg, "FormatName", text=name),
            m.E(cfg, "Description", text=description), m.E(cfg, "FormatRegex", text=regex))
        for owner, name, regex, description in FORMATS))
    targeting = m.E(cfg, "TargetingConfigurations", *(
        m.E(cfg, "TargetingConfiguration",
            m.E(cfg, "FormatOwner", text=format_owner(owner)), m.E(cfg, "FormatName", text=name),
            m.E(cfg, "SupportedLDRequestTypes", *(
                m.dict_element(cfg, "LDRequestType", "ETSI", "RequestType", value)
                for value in REQUEST_TYPES)),
            m.E(cfg, "SupportedLPRequestTypes", *(
                m.dict_element(cfg, "LPRequestType", "ETSI", "RequestType", value)
                for value in REQUEST_TYPES)))
        for owner, name, _, _ in FORMATS))
    # Take-downs (TDTask): items of content named by their message link; the request type of a
    # take-down is lawdesk's own value (the ETSI RequestType dictionary has none for it).
    owner, name = takedown.content_format()
    content = m.E(cfg, "FormatTypeDefinition",
                  m.E(cfg, "FormatOwner", text=owner), m.E(cfg, "FormatName", text=name),
                  m.E(cfg, "Description", text=takedown.CONTENT_FORMAT[3]),
                  m.E(cfg, "FormatRegex", text=takedown.CONTENT_FORMAT[2]))
    definitions.append(content)
    targeting.append(m.E(cfg, "TargetingConfiguration",
                         m.E(cfg, "FormatOwner", text=owner), m.E(cfg, "FormatName", text=name),
                         m.E(cfg, "SupportedTDRequestTypes", *(
                             m.dict_element(cfg, "TDRequestType", owner, "LawdeskTakedownLegalType",
                                            value) for value in takedown.LEGAL_TYPES))))
    return m.C("GETCSPCONFIGResponse", m.C("LastChanged", text="2026-12-01T00:00:00Z"),
               definitions, targeting)


# --- GET and LIST: the objects an authority created, as lawdesk sees them now ---------------

def _visible(context: Context) -> object:
    """Objects of the sender's agency only (another agency's object is 'not found')."""
    return StoredObject.objects.filter(agency_id=context.endpoint.agency_id)


def _set_member(obj: etree._Element, spec: tuple[s.El, ...], name: str, ns: str,
                new: etree._Element) -> None:
    """Put ``new`` in place of member ``name`` of ``obj``, or insert it in schema order."""
    tag = f"{{{ns}}}{name}"
    existing = obj.find(tag)
    if existing is not None:
        obj.replace(existing, new)
        return
    order = [e.tag for e in spec]
    position = order.index(tag)
    later = set(order[position + 1:])
    for index, child in enumerate(obj):
        if isinstance(child.tag, str) and child.tag in later:
            obj.insert(index, new)
            return
    obj.append(new)


def render(stored: StoredObject) -> etree._Element:
    """The object as created, with the members only lawdesk sets: Generation, LastChanged and
    (for tasks) Status."""
    obj = parse(bytes(stored.xml), namespaces=s.NAMESPACES)
    members = s.OBJECT_MEMBERS + s.OBJECT_TYPES[_type_key(stored.object_type)]
    _set_member(obj, members, "Generation", s.CORE,
                m.C("Generation", text=str(stored.generation)))
    _set_member(obj, members, "LastChanged", s.CORE,
                m.C("LastChanged", text=m.timestamp(stored.last_changed)))
    status = task_status(stored)
    if status is not None:
        _set_member(obj, members, "Status", s.TASK,
                    m.dict_element(s.TASK, "Status", "ETSI", dictionary(stored.object_type),
                                   status))
    if stored.object_type == "TDTaskObject" and stored.case is not None and stored.case.number:
        # The platform's reference of the take-down: lawdesk's case number.
        _set_member(obj, members, "CSPReference", s.TASK,
                    m.E(s.TASK, "CSPReference", text=stored.case.number))
    if status == "Preserved" and stored.case is not None:
        # Until when the data is kept: 60 days from receipt, +30 per extension (the desk's).
        _set_member(obj, members, "PreservationExpiration", s.TASK,
                    m.E(s.TASK, "PreservationExpiration", text=m.timestamp(stored.case.deadline_at)))
    return obj


def _type_key(object_type: str) -> tuple[str, str]:
    return next(key for key in s.OBJECT_TYPES if key[1] == object_type)


def get(context: Context, action: m.Action) -> etree._Element:
    identifier = m.text(action.body, s.CORE, "Identifier")
    stored = _visible(context).filter(object_id=identifier).first()  # type: ignore[attr-defined]
    if stored is None:
        raise m.HI1Error(m.ErrorCode.OBJECT_NOT_FOUND, f"No object {identifier}.")
    return m.C("GETResponse", render(stored))


def list_objects(context: Context, action: m.Action) -> etree._Element:
    objects = _visible(context)
    kind = m.dict_entry(action.body.find(f"{{{s.CORE}}}ObjectType"))
    if kind is not None:
        wanted = kind.value if kind.value.endswith("Object") else f"{kind.value}Object"
        objects = objects.filter(object_type=wanted)  # type: ignore[attr-defined]
    since = m.text(action.body, s.CORE, "LastChanged")
    if since:
        objects = objects.filter(last_changed__gt=m.parse_datetime(since))  # type: ignore[attr-defined]
    limit = int(m.text(action.body, s.CORE, "MaximumObjectCount") or 1000)
    # TS 103 120 ListResponseRecord: ObjectType (the ObjectType dictionary: "LDTask", not
    # "LDTaskObject"), Identifier, Generation, LastChanged.
    records = [m.C("ListResponseRecord",
                   m.dict_element(s.CORE, "ObjectType", "ETSI", "ObjectType",
                                  o.object_type.removesuffix("Object")),
                   m.C("Identifier", text=o.object_id),
                   m.C("Generation", text=str(o.generation)),
                   m.C("LastChanged", text=m.timestamp(o.last_changed)))
               for o in objects.order_by("last_changed", "pk")[:min(limit, 1000)]]  # type: ignore[attr-defined]
    return m.C("LISTResponse", *records)


def create(context: Context, action: m.Action) -> etree._Element:
    # reason: import cycle: interop.orders imports this module
    from lawdesk.interop.orders import create_object

    return create_object(context, action)


def update(context: Context, action: m.Action) -> etree._Element:
    return answer_update(context, action)


HANDLERS: dict[str, Callable[[Context, m.Action], etree._Element]] = {
    "GETCSPCONFIG": get_csp_config,
    "GET": get,
    "LIST": list_objects,
    "CREATE": create,
    "UPDATE": update,
}
