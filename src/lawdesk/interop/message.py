"""lawdesk's own model of an HI-1 message: read a request, write a response.

:func:`read_request` takes the bytes as received and returns a :class:`Request` or raises
:class:`HI1Error` with the TS 103 120 Annex D code to answer with. Action-level problems (an
unknown verb or object type, a schema error inside one action) do not fail the message: they
are kept on the :class:`Action` and answered in that action's ``ErrorInformation``.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import IntEnum

from lxml import etree

from lawdesk.interop import schema as s
from lawdesk.interop.xmlsafe import Limits, UnsafeXML, parse

SUPPORTED_ETSI_VERSIONS = ("V1.22.1",)
# National profiles lawdesk understands, by owner: the EU e-Evidence profile.
SUPPORTED_PROFILES = {"EU": ("v1.3.1",)}
MAX_ACTIONS = 100


class ErrorCode(IntEnum):
    """TS 103 120 Annex D error codes lawdesk answers with (see INTEROP.md §1.2)."""

    NOT_SUPPORTED = 3001
    DUPLICATE_ACTION = 3002
    IMPROPER_VALUE = 3007
    STALE_GENERATION = 3008
    OBJECT_EXISTS = 3010
    OBJECT_NOT_FOUND = 3011
    UNRESOLVED_LINK = 3016
    ENCODING_NOT_SUPPORTED = 3019
    SCHEMA_INVALID = 3020
    VERSION_NOT_SUPPORTED = 3021


class HI1Error(Exception):
    """A problem answered as HI-1 ``ErrorInformation``."""

    def __init__(self, code: ErrorCode, description: str):
        super().__init__(f"{int(code)} {description}")
        self.code = code
        self.description = description
        self.header: Header | None = None  # set when the message's header could be read


@dataclass(frozen=True)
class EndpointId:
    country_code: str
    unique_identifier: str

    def __str__(self) -> str:
        return f"{self.country_code}/{self.unique_identifier}"


@dataclass(frozen=True)
class Version:
    etsi_version: str
    profile_owner: str
    profile_version: str


@dataclass(frozen=True)
class Header:
    sender: EndpointId
    receiver: EndpointId
    transaction_id: str
    timestamp: datetime
    version: Version


@dataclass(frozen=True)
class DictEntry:
    owner: str
    name: str
    value: str


@dataclass
class Action:
    """One ActionRequest: its identifier, verb, and the element under the verb. ``error`` is
    set when this action alone must be answered with ErrorInformation."""

    identifier: int
    verb: str
    body: etree._Element
    error: HI1Error | None = None
    object_type: str = ""  # CREATE / UPDATE / DELIVER: the local name of the xsi:type


@dataclass
class Request:
    header: Header
    actions: list[Action]
    raw: bytes = field(repr=False, default=b"")


# --- Reading -----------------------------------------------------------------------------

def _t(elem: etree._Element, *path: tuple[str, str]) -> str:
    """The stripped text at ``path`` (namespace, name) under ``elem``, or ""."""
    node: etree._Element | None = elem
    for ns, name in path:
        node = node.find(f"{{{ns}}}{name}") if node is not None else None
    return (node.text or "").strip() if node is not None else ""


def text(elem: etree._Element, ns: str, *names: str) -> str:
    return _t(elem, *((ns, n) for n in names))


def dict_entry(elem: etree._Element | None) -> DictEntry | None:
    if elem is None:
        return None
    return DictEntry(_t(elem, (s.COMMON, "Owner")), _t(elem, (s.COMMON, "Name")),
                     _t(elem, (s.COMMON, "Value")))


def parse_datetime(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _endpoint(elem: etree._Element) -> EndpointId:
    return EndpointId(text(elem, s.CORE, "CountryCode"), text(elem, s.CORE, "UniqueIdentifier"))


def read_header(elem: etree._Element) -> Header:
    version = elem.find(f"{{{s.CORE}}}Version")
    assert version is not None  # checked by the schema
    return Header(
        sender=_endpoint(elem.find(f"{{{s.CORE}}}SenderIdentifier")),
        receiver=_endpoint(elem.find(f"{{{s.CORE}}}ReceiverIdentifier")),
        transaction_id=text(elem, s.CORE, "TransactionIdentifier"),
        timestamp=parse_datetime(text(elem, s.CORE, "Timestamp")),
        version=Version(text(version, s.CORE, "ETSIVersion"),
                        text(version, s.CORE, "NationalProfileOwner"),
                        text(version, s.CORE, "NationalProfileVersion")),
    )


def check_version(version: Version) -> None:
    """Refuse (3021) an ETSI version or a national profile lawdesk does not implement."""
    if version.etsi_version not in SUPPORTED_ETSI_VERSIONS:
        raise HI1Error(ErrorCode.VERSION_NOT_SUPPORTED,
                       f"ETSIVersion {version.etsi_version} is not supported; lawdesk supports "
                       + ", ".join(SUPPORTED_ETSI_VERSIONS) + ".")
    profiles = SUPPORTED_PROFILES.get(version.profile_owner)
    if profiles is not None and version.profile_version not in profiles:
        raise HI1Error(ErrorCode.VERSION_NOT_SUPPORTED,
                       f"National profile {version.profile_owner} {version.profile_version} is "
                       f"not supported; lawdesk supports {version.profile_owner} "
                       + ", ".join(profiles) + ".")


def object_type_of(obj: etree._Element) -> tuple[str, str] | None:
    """The (namespace, local name) of an HI1Object's ``xsi:type``, resolved with its prefixes."""
    value = obj.get(f"{{{s.XSI}}}type")
    if not value:
        return None
    prefix, _, name = value.rpartition(":")
    namespace = obj.nsmap.get(prefix or None)
    if namespace is None:
        return None
    return namespace, name


def check_object(obj: etree._Element, path: str) -> tuple[str, str]:
    """Check an HI1Object against its concrete type; return the type, or raise HI1Error."""
    kind = object_type_of(obj)
    if kind is None:
        raise HI1Error(ErrorCode.SCHEMA_INVALID, f"{path}: the HI1Object has no xsi:type.")
    members = s.OBJECT_TYPES.get(kind)
    if members is None:
        known = kind in s.KNOWN_UNSUPPORTED_TYPES
        raise HI1Error(ErrorCode.NOT_SUPPORTED,
                       f"{path}: the object type {kind[1]} is "
                       + ("not supported by lawdesk yet." if known else "unknown."))
    try:
        s.check_sequence(s._children(obj), s.OBJECT_MEMBERS + members, f"{path}/HI1Object")
    except s.SchemaError as exc:
        raise HI1Error(ErrorCode.SCHEMA_INVALID, str(exc)) from None
    return kind


_VERB_BODY = {
    "GET": (s.req("Identifier", s.CORE, pattern=s.UUID),),
    "LIST": s.LIST_FILTER,
    "GETCSPCONFIG": (),
}


def _read_action(elem: etree._Element, path: str) -> Action:
    parts = s._children(elem)
    if not parts or parts[0].tag != f"{{{s.CORE}}}ActionIdentifier":
        raise HI1Error(ErrorCode.SCHEMA_INVALID, f"{path}/ActionIdentifier: is missing")
    try:
        identifier = int(s._text_of(parts[0], f"{path}/ActionIdentifier",
                                    s.req("ActionIdentifier", s.CORE, pattern=r"\d{1,9}")))
    except s.SchemaError as exc:
        raise HI1Error(ErrorCode.SCHEMA_INVALID, str(exc)) from None
    if len(parts) != 2:
        action = Action(identifier, "", elem)
        action.error = HI1Error(ErrorCode.SCHEMA_INVALID,
                                f"{path}: an ActionRequest holds its ActionIdentifier and one verb.")
        return action
    body = parts[1]
    verb = s.local(body.tag)
    action = Action(identifier, verb, body)
    if etree.QName(body).namespace != s.CORE or verb not in s.VERBS:
        action.error = HI1Error(ErrorCode.NOT_SUPPORTED, f"{path}: {verb} is not an HI-1 verb.")
        return action
    try:
        if verb in ("CREATE", "UPDATE"):
            objects = s._children(body)
            if len(objects) != 1 or objects[0].tag != f"{{{s.CORE}}}HI1Object":
                raise HI1Error(ErrorCode.SCHEMA_INVALID, f"{path}/{verb}: holds one HI1Object.")
            action.object_type = check_object(objects[0], f"{path}/{verb}")[1]
        elif verb == "DELIVER":
            parts = s._children(body)
            if len(parts) != 2 or parts[0].tag != f"{{{s.CORE}}}Identifier" \
                    or parts[1].tag != f"{{{s.CORE}}}HI1Object":
                raise HI1Error(ErrorCode.SCHEMA_INVALID,
                               f"{path}/DELIVER: holds an Identifier and one HI1Object.")
            s.check(parts[0], s.req("Identifier", s.CORE, pattern=s.UUID), f"{path}/DELIVER")
            action.object_type = check_object(parts[1], f"{path}/DELIVER")[1]
        elif verb in _VERB_BODY:
            s.check_sequence(s._children(body), _VERB_BODY[verb], f"{path}/{verb}")
    except s.SchemaError as exc:
        action.error = HI1Error(ErrorCode.SCHEMA_INVALID, str(exc))
    except HI1Error as exc:
        action.error = exc
    return action


def read_request(data: bytes, *, limits: Limits | None = None) -> Request:
    """Parse and check a request message; raise :class:`HI1Error` for a message-level error."""
    try:
        root = parse(data, namespaces=s.NAMESPACES, limits=limits or Limits())
    except UnsafeXML as exc:
        raise HI1Error(ErrorCode.SCHEMA_INVALID, exc.message) from None
    if root.tag != f"{{{s.CORE}}}HI1Message":
        raise HI1Error(ErrorCode.SCHEMA_INVALID,
                       f"The root element must be HI1Message in {s.CORE}, not "
                       f"{s.local(root.tag)}.")
    parts = s._children(root)
    try:
        if not parts or parts[0].tag != s.HEADER.tag:
            raise s.SchemaError("/HI1Message/Header", "is missing")
        s.check(parts[0], s.HEADER, "/HI1Message")
    except s.SchemaError as exc:
        raise HI1Error(ErrorCode.SCHEMA_INVALID, str(exc)) from None
    header = read_header(parts[0])
    try:
        actions = _read_payload(header, parts)
    except HI1Error as exc:
        exc.header = header
        raise
    return Request(header, actions, raw=data)


def _read_payload(header: Header, parts: list[etree._Element]) -> list[Action]:
    check_version(header.version)
    if len(parts) != 2 or parts[1].tag != f"{{{s.CORE}}}Payload":
        extra = s.local(parts[2].tag) if len(parts) > 2 else "Payload"
        raise HI1Error(ErrorCode.SCHEMA_INVALID if extra == "Payload" else ErrorCode.NOT_SUPPORTED,
                       "/HI1Message: a Header and a Payload are expected"
                       + (f"; {extra} is not accepted (signed messages are not supported yet)."
                          if extra != "Payload" else "."))
    path = "/HI1Message/Payload/RequestPayload/ActionRequests"
    payload = s._children(parts[1])
    requests = s._children(payload[0]) if len(payload) == 1 and \
        payload[0].tag == f"{{{s.CORE}}}RequestPayload" else []
    if len(requests) != 1 or requests[0].tag != f"{{{s.CORE}}}ActionRequests":
        raise HI1Error(ErrorCode.SCHEMA_INVALID, f"{path}: is missing.")
    elements = s._children(requests[0])
    if not elements:
        raise HI1Error(ErrorCode.SCHEMA_INVALID, f"{path}: holds at least one ActionRequest.")
    if len(elements) > MAX_ACTIONS:
        raise HI1Error(ErrorCode.SCHEMA_INVALID, f"{path}: at most {MAX_ACTIONS} actions.")
    actions = []
    for i, elem in enumerate(elements):
        if elem.tag != f"{{{s.CORE}}}ActionRequest":
            raise HI1Error(ErrorCode.SCHEMA_INVALID,
                           f"{path}/{s.local(elem.tag)}: is not allowed here.")
        actions.append(_read_action(elem, f"{path}/ActionRequest[{i}]"))
    return actions


def decode_base64(value: str) -> bytes:
    try:
        return base64.b64decode("".join(value.split()), validate=True)
    except (binascii.Error, ValueError):
        raise HI1Error(ErrorCode.SCHEMA_INVALID, "DocumentBody/Contents is not base64.") from None


# --- Writing -----------------------------------------------------------------------------

def E(ns: str, name: str, *children: etree._Element | None, text: str | None = None) -> etree._Element:
    elem = etree.Element(f"{{{ns}}}{name}", nsmap=s.PREFIXES if ns == s.CORE and
                         name == "HI1Message" else None)
    if text is not None:
        elem.text = text
    for child in children:
        if child is not None:
            elem.append(child)
    return elem


def C(name: str, *children: etree._Element | None, text: str | None = None) -> etree._Element:
    """An element of the core namespace."""
    return E(s.CORE, name, *children, text=text)


def dict_element(ns: str, name: str, owner: str, dictionary: str, value: str) -> etree._Element:
    return E(ns, name, E(s.COMMON, "Owner", text=owner), E(s.COMMON, "Name", text=dictionary),
             E(s.COMMON, "Value", text=value))


def timestamp(moment: datetime) -> str:
    """A QualifiedMicrosecondDateTime in UTC (``…ss.ffffffZ``)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def header_element(*, sender: EndpointId, receiver: EndpointId, transaction_id: str,
                   now: datetime, version: Version) -> etree._Element:
    def endpoint(name: str, value: EndpointId) -> etree._Element:
        return C(name, C("CountryCode", text=value.country_code),
                 C("UniqueIdentifier", text=value.unique_identifier))

    return C("Header", endpoint("SenderIdentifier", sender), endpoint("ReceiverIdentifier", receiver),
             C("TransactionIdentifier", text=transaction_id), C("Timestamp", text=timestamp(now)),
             C("Version", C("ETSIVersion", text=version.etsi_version),
               C("NationalProfileOwner", text=version.profile_owner),
               C("NationalProfileVersion", text=version.profile_version)))


def error_element(error: HI1Error) -> etree._Element:
    return C("ErrorInformation", C("ErrorCode", text=str(int(error.code))),
             C("ErrorDescription", text=error.description[:s.LONG]))


def message(header: etree._Element, payload: etree._Element) -> bytes:
    root = C("HI1Message", header, C("Payload", payload))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def response(header: etree._Element, *, actions: list[etree._Element] | None = None,
             error: HI1Error | None = None) -> bytes:
    """A ResponsePayload: ActionResponses, or one message-level ErrorInformation."""
    if error is not None:
        body = C("ResponsePayload", error_element(error))
    else:
        body = C("ResponsePayload", C("ActionResponses", *(actions or [])))
    return message(header, body)


def action_response(identifier: int, *content: etree._Element) -> etree._Element:
    return C("ActionResponse", C("ActionIdentifier", text=str(identifier)), *content)
