"""The part of ETSI TS 103 120 (HI-1) lawdesk reads, as a small declarative schema of its own.

Written from the facts in ``shared/design/INTEROP.md`` (message structure, members in order,
dictionaries). Each complex element lists its children in order with their occurrences; a
child that is not listed, out of order, repeated too often or missing is *schema-invalid*
(HI-1 error 3020), and so is text where the schema has elements, or a value that does not
match its pattern. Members whose inner structure lawdesk does not use yet are ``ANY``: their
content is kept verbatim and only checked by the safe parser (namespaces, depth, size).

The normative XSDs (ETSI forge ``li/schemas-definitions``, tag ``spec/103120/1.22.1``) settle
any doubt; vendoring them and validating against them in the tests is listed as remaining work
in ``docs/interop/README.md``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

ETSI = "http://uri.etsi.org/03120/common/"
CORE = ETSI + "2019/10/Core"
COMMON = ETSI + "2016/02/Common"
TASK = ETSI + "2020/09/Task"
AUTH = ETSI + "2020/09/Authorisation"
DOC = ETSI + "2020/09/Document"
NOTIFICATION = ETSI + "2016/02/Notification"
DELIVERY = ETSI + "2019/10/Delivery"
CONFIG = ETSI + "2024/06/Config"
ETSI280 = "http://uri.etsi.org/03280/common/2017/07"
DICTIONARIES = "http://uri.etsi.org/03280/common/2019/10/Dictionaries"
XSI = "http://www.w3.org/2001/XMLSchema-instance"

NAMESPACES = frozenset({CORE, COMMON, TASK, AUTH, DOC, NOTIFICATION, DELIVERY, CONFIG, ETSI280,
                        DICTIONARIES})
PREFIXES = {None: CORE, "common": COMMON, "task": TASK, "auth": AUTH, "doc": DOC,
            "notification": NOTIFICATION, "delivery": DELIVERY, "config": CONFIG,
            "etsi280": ETSI280, "dictionaries": DICTIONARIES, "xsi": XSI}

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
# TS 103 280 QualifiedMicrosecondDateTime (the header) and QualifiedDateTime (everything else).
MICRO_DATETIME = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}(Z|[+-]\d{2}:\d{2})"
DATETIME = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})"
SHORT = 255
LONG = 65_535

TEXT, DICT, ANY, BASE64 = "text", "dict", "any", "base64"


@dataclass(frozen=True)
class El:
    """One child in a sequence: name, namespace, occurrences (``most`` 0 = unbounded), and
    either a simple kind (TEXT, DICT, ANY, BASE64) or the children of a complex element."""

    name: str
    ns: str
    least: int = 0
    most: int = 1
    kind: str = TEXT
    children: tuple[El, ...] = ()
    pattern: str | None = None
    max_length: int = SHORT
    choice: bool = False  # exactly one of ``children``

    @property
    def tag(self) -> str:
        return f"{{{self.ns}}}{self.name}"


def req(name: str, ns: str, **kw: object) -> El:
    return El(name, ns, least=1, **kw)  # type: ignore[arg-type]


def opt(name: str, ns: str, **kw: object) -> El:
    return El(name, ns, **kw)  # type: ignore[arg-type]


def many(name: str, ns: str, least: int = 0, **kw: object) -> El:
    return El(name, ns, least=least, most=0, **kw)  # type: ignore[arg-type]


def struct(name: str, ns: str, *children: El, least: int = 0, most: int = 1,
           choice: bool = False) -> El:
    return El(name, ns, least=least, most=most, kind="struct", children=children, choice=choice)


ENDPOINT = (req("CountryCode", CORE, pattern=r"[A-Z]{2}"), req("UniqueIdentifier", CORE))
HEADER = struct(
    "Header", CORE,
    struct("SenderIdentifier", CORE, *ENDPOINT, least=1),
    struct("ReceiverIdentifier", CORE, *ENDPOINT, least=1),
    req("TransactionIdentifier", CORE, pattern=UUID),
    req("Timestamp", CORE, pattern=MICRO_DATETIME),
    struct("Version", CORE,
           req("ETSIVersion", CORE, pattern=r"V\d+\.\d+\.\d+"),
           req("NationalProfileOwner", CORE),
           req("NationalProfileVersion", CORE), least=1),
    least=1,
)

# HI1Object members common to every object type (core namespace, in this order).
OBJECT_MEMBERS = (
    req("ObjectIdentifier", CORE, pattern=UUID),
    opt("CountryCode", CORE, pattern=r"[A-Z]{2}"),
    opt("OwnerIdentifier", CORE),
    opt("Generation", CORE, pattern=r"\d{1,9}"),
    opt("ExternalIdentifier", CORE),
    struct("AssociatedObjects", CORE, many("AssociatedObject", CORE, pattern=UUID)),
    opt("LastChanged", CORE, pattern=DATETIME),
    opt("NationalHandlingParameters", CORE, kind=ANY),
)

APPROVAL = struct(
    "AuthorisationApprovalDetails", AUTH,
    opt("ApprovalType", COMMON, kind=DICT),
    opt("ApprovalDescription", COMMON, max_length=LONG),
    opt("ApprovalReference", COMMON),
    struct("ApproverDetails", COMMON,
           req("Name", COMMON), opt("Role", COMMON), many("ApproverContactDetails", COMMON,
                                                          kind=ANY)),
    opt("ApprovalTimestamp", COMMON, pattern=DATETIME),
    opt("ApprovalIsEmergency", COMMON, pattern=r"true|false|1|0"),
    opt("ApprovalDigitalSignature", COMMON, kind=ANY),
    opt("ApprovalNationalDetails", COMMON, kind=ANY),
    most=0,
)

AUTHORISATION = (
    opt("AuthorisationReference", AUTH),
    opt("AuthorisationLegalType", AUTH, kind=DICT),
    opt("AuthorisationPriority", AUTH, kind=DICT),
    opt("AuthorisationStatus", AUTH, kind=DICT),
    opt("AuthorisationDesiredStatus", AUTH, kind=DICT),
    struct("AuthorisationTimespan", AUTH, opt("StartTime", AUTH, pattern=DATETIME),
           opt("EndTime", AUTH, pattern=DATETIME)),
    opt("AuthorisationCSPID", AUTH, kind=ANY),
    opt("AuthorisationCreationTimestamp", AUTH, pattern=DATETIME),
    opt("AuthorisationServedTimestamp", AUTH, pattern=DATETIME),
    opt("AuthorisationTerminationTimestamp", AUTH, pattern=DATETIME),
    APPROVAL,
    struct("AuthorisationFlags", AUTH, many("AuthorisationFlag", AUTH, kind=DICT)),
    opt("AuthorisationManualInformation", AUTH, max_length=LONG),
    opt("NationalAuthorisationParameters", AUTH, kind=ANY),
    opt("AuthorisationJurisdiction", AUTH),
    opt("AuthorisationTypeOfCase", AUTH, kind=DICT),
    opt("AuthorisationLegalEntity", AUTH),
)

REQUEST_VALUE = struct(
    "RequestValue", TASK,
    struct("FormatType", TASK, req("FormatOwner", TASK), req("FormatName", TASK), least=1),
    req("Value", TASK, max_length=LONG),
    least=1, most=0,
)


def request_details(*, least: int = 1) -> El:
    return struct(
        "RequestDetails", TASK,
        req("Type", TASK, kind=DICT),
        opt("StartTime", TASK, pattern=DATETIME),
        opt("EndTime", TASK, pattern=DATETIME),
        opt("ObservedTime", TASK, pattern=DATETIME),
        opt("ObservedTimes", TASK, kind=ANY),
        struct("RequestValues", TASK, REQUEST_VALUE),
        opt("Subtype", TASK, kind=ANY),
        opt("TargetIdentifierSubtype", TASK, kind=ANY),
        least=least,
    )


LDTASK = (
    opt("Reference", TASK, pattern=r"[A-Z]{2}-.+-.+"),
    opt("Status", TASK, kind=DICT),
    opt("StatusReason", TASK, kind=ANY),
    opt("DesiredStatus", TASK, kind=DICT),
    request_details(),
    opt("DeliveryDetails", TASK, kind=ANY),
    many("ApprovalDetails", TASK, kind=ANY),
    opt("CSPID", TASK, kind=ANY),
    opt("HandlingProfile", TASK, kind=ANY),
    opt("InvalidReason", TASK, kind=ANY),
    opt("Flags", TASK, kind=ANY),
    opt("NationalLDTaskingParameters", TASK, kind=ANY),
    opt("AlternativePreservationReferences", TASK, kind=ANY),
    opt("Deadlines", TASK, kind=ANY),
    opt("ManualInformation", TASK, max_length=LONG),
)

LPTASK = (
    opt("Reference", TASK, pattern=r"[A-Z]{2}-.+-.+"),
    opt("Status", TASK, kind=DICT),
    opt("StatusReason", TASK, kind=ANY),
    opt("DesiredStatus", TASK, kind=DICT),
    request_details(),
    opt("DesiredPreservationExpiration", TASK, pattern=DATETIME),
    opt("PreservationExpiration", TASK, pattern=DATETIME),
    opt("CSPID", TASK, kind=ANY),
)

# TDTaskObject (1.22.1): a take-down — the HI-1 carrier of a TCO removal order or a DSA Art. 9
# order. Members in the order of INTEROP.md §1.3 (and the Task XSD, which has the national
# parameters between Flags and Deadlines).
TAKEDOWN_DEADLINE = struct(
    "TakedownDeadline", TASK,
    opt("DateTime", TASK, pattern=DATETIME),
    opt("NatureOfDeadline", TASK, kind=DICT),
    opt("OtherInformation", TASK, max_length=LONG),
    most=0,
)
TDTASK = (
    opt("RequesterReference", TASK, max_length=LONG),
    opt("CSPReference", TASK, max_length=LONG),
    opt("Status", TASK, kind=DICT),
    opt("StatusReason", TASK, kind=ANY),
    opt("DesiredStatus", TASK, kind=DICT),
    struct("RequestDetails", TASK,
           struct("RequestValues", TASK, REQUEST_VALUE),
           opt("RequestValueRefinement", TASK, max_length=LONG),
           struct("ObservedTimes", TASK, many("ObservedTime", TASK, pattern=DATETIME))),
    opt("CSPID", TASK, kind=ANY),
    struct("Flags", TASK, many("TDTaskFlag", TASK, kind=DICT)),
    opt("NationalTDTaskingParameters", TASK, kind=ANY),
    struct("Deadlines", TASK, TAKEDOWN_DEADLINE),
    opt("AlternativeDisclosureReferences", TASK, kind=ANY),
    opt("ManualInformation", TASK, max_length=LONG),
)

DOCUMENT = (
    opt("DocumentReference", DOC),
    opt("DocumentName", DOC),
    opt("DocumentStatus", DOC, kind=DICT),
    opt("DocumentDesiredStatus", DOC, kind=DICT),
    opt("DocumentTimespan", DOC, kind=ANY),
    opt("DocumentType", DOC, kind=DICT),
    opt("DocumentProperties", DOC, kind=ANY),
    struct("DocumentBody", DOC, req("Contents", DOC, kind=BASE64),
           req("ContentType", DOC), opt("Checksum", DOC, kind=ANY)),
    opt("DocumentSignature", DOC, kind=ANY),
    opt("DocumentInvalidReason", DOC, kind=ANY),
    opt("NationalDocumentParameters", DOC, kind=ANY),
)

# What lawdesk sends: status notifications (platform → authority) and deliveries.
NOTIFICATION_OBJECT = (
    req("NotificationDetails", NOTIFICATION, max_length=LONG),
    req("NotificationType", NOTIFICATION, kind=DICT),
    req("NewNotification", NOTIFICATION, pattern=r"true|false|1|0"),
    req("NotificationTimestamp", NOTIFICATION, pattern=DATETIME),
    struct("StatusOfAssociatedObjects", NOTIFICATION,
           struct("AssociatedObjectStatus", NOTIFICATION,
                  req("AssociatedObject", NOTIFICATION, pattern=UUID),
                  req("Status", NOTIFICATION, kind=DICT),
                  opt("Details", NOTIFICATION, max_length=LONG),
                  least=1, most=0)),
    opt("NationalNotificationParameters", NOTIFICATION, kind=ANY),
)

CHECKSUMS = struct("Checksums", DELIVERY,
                   struct("ChecksumAndType", COMMON, req("Checksum", COMMON),
                          req("ChecksumType", COMMON), least=1, most=0))
DELIVERY_OBJECT = (
    struct("Reference", DELIVERY, req("LDID", DELIVERY, pattern=r"[A-Z]{2}-.+-.+"),
           req("LIID", DELIVERY), choice=True),
    opt("DeliveryID", DELIVERY, pattern=UUID),
    opt("SequenceNumber", DELIVERY, pattern=r"\d{1,9}"),
    opt("LastSequence", DELIVERY, pattern=r"true|false|1|0"),
    opt("Manifest", DELIVERY, kind=ANY),
    struct("Delivery", DELIVERY,
           struct("BinaryData", DELIVERY,
                  req("Data", DELIVERY, kind=BASE64),
                  opt("ContentType", DELIVERY),
                  opt("Checksum", DELIVERY),
                  opt("ChecksumType", DELIVERY),
                  CHECKSUMS,
                  opt("OriginalFilename", DELIVERY, max_length=LONG),
                  opt("ContentLength", DELIVERY, pattern=r"\d{1,15}")),
           opt("XMLData", DELIVERY, kind=ANY),
           opt("JSONData", DELIVERY, kind=ANY),
           struct("URL", DELIVERY,
                  req("URL", DELIVERY, max_length=LONG),
                  opt("ContentLength", DELIVERY, pattern=r"\d{1,15}"),
                  opt("ContentType", DELIVERY, max_length=LONG),
                  opt("Expiry", DELIVERY, pattern=MICRO_DATETIME),
                  opt("Checksum", DELIVERY),
                  opt("OriginalFilename", DELIVERY, max_length=LONG),
                  opt("CSPDefinedIdentifier", DELIVERY, max_length=LONG),
                  opt("ChecksumType", DELIVERY),
                  CHECKSUMS),
           opt("DataExistence", DELIVERY, pattern=r"true|false|1|0"),
           choice=True),
    opt("DeliveryStatus", DELIVERY, kind=DICT),
    opt("DeliveryDesiredStatus", DELIVERY, kind=DICT),
    opt("EncryptionDetails", DELIVERY, kind=ANY),
)

# Concrete HI1Object types by xsi:type (namespace, local name) → their own members.
OBJECT_TYPES: dict[tuple[str, str], tuple[El, ...]] = {
    (AUTH, "AuthorisationObject"): AUTHORISATION,
    (TASK, "LDTaskObject"): LDTASK,
    (TASK, "LPTaskObject"): LPTASK,
    (TASK, "TDTaskObject"): TDTASK,
    (DOC, "DocumentObject"): DOCUMENT,
    (NOTIFICATION, "NotificationObject"): NOTIFICATION_OBJECT,
    (DELIVERY, "DeliveryObject"): DELIVERY_OBJECT,
}
# Types lawdesk creates from what an authority sends (the others it only emits).
RECEIVED_TYPES = frozenset({"AuthorisationObject", "LDTaskObject", "LPTaskObject",
                            "TDTaskObject", "DocumentObject"})
# Types the TS defines that lawdesk does not handle yet: answered "not supported" (3001).
KNOWN_UNSUPPORTED_TYPES = {(TASK, "TrafficPolicyObject")}

VERBS = ("GET", "CREATE", "UPDATE", "LIST", "DELIVER", "GETCSPCONFIG")
LIST_FILTER = (
    opt("ObjectType", CORE, kind=DICT),
    opt("LastChanged", CORE, pattern=DATETIME),
    opt("MaximumObjectCount", CORE, pattern=r"\d{1,6}"),
    opt("Status", CORE, kind=DICT),
)


@dataclass
class SchemaError(Exception):
    """A document that does not follow the schema; ``path`` names the element."""

    path: str
    message: str
    details: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def local(tag: str) -> str:
    return etree.QName(tag).localname


def _children(elem: etree._Element) -> list[etree._Element]:
    return [c for c in elem if isinstance(c.tag, str)]


def _text_of(elem: etree._Element, path: str, spec: El) -> str:
    if _children(elem):
        raise SchemaError(path, "has elements where a value is expected")
    value = (elem.text or "").strip()
    if spec.kind == BASE64:
        if not re.fullmatch(r"[A-Za-z0-9+/=\s]*", value):
            raise SchemaError(path, "is not base64")
        return value
    if not value:
        raise SchemaError(path, "is empty")
    if len(value) > spec.max_length:
        raise SchemaError(path, f"is longer than {spec.max_length} characters")
    if spec.pattern and not re.fullmatch(spec.pattern, value):
        raise SchemaError(path, f"{value[:80]!r} does not match the pattern {spec.pattern}")
    return value


DICT_ENTRY = (req("Owner", COMMON), req("Name", COMMON), req("Value", COMMON))


def check(elem: etree._Element, spec: El, path: str = "") -> None:
    """Raise :class:`SchemaError` unless ``elem`` follows ``spec`` (recursively)."""
    path = f"{path}/{spec.name}"
    if spec.kind == ANY:
        return
    if spec.kind in (TEXT, BASE64):
        _text_of(elem, path, spec)
        return
    if (elem.text or "").strip():
        raise SchemaError(path, "has text where elements are expected")
    for child in elem:
        if isinstance(child.tag, str) and (child.tail or "").strip():
            raise SchemaError(path, "has text between its elements")
    members = DICT_ENTRY if spec.kind == DICT else spec.children
    check_sequence(_children(elem), members, path, choice=spec.choice)


def check_sequence(children: list[etree._Element], members: tuple[El, ...], path: str, *,
                   choice: bool = False) -> None:
    """Check ``children`` against ``members`` in order (or exactly one of them, ``choice``)."""
    if choice:
        known = {m.tag: m for m in members}
        if len(children) != 1 or children[0].tag not in known:
            raise SchemaError(path, "must contain exactly one of "
                                    + ", ".join(m.name for m in members))
        check(children[0], known[children[0].tag], path)
        return
    index = 0
    for spec in members:
        seen = 0
        while index < len(children) and children[index].tag == spec.tag:
            seen += 1
            if spec.most and seen > spec.most:
                raise SchemaError(f"{path}/{spec.name}", "appears too many times")
            check(children[index], spec, path)
            index += 1
        if seen < spec.least:
            if index < len(children) and children[index].tag not in {m.tag for m in members}:
                _not_allowed(children[index], path)
            raise SchemaError(f"{path}/{spec.name}", "is missing")
    if index < len(children):
        _not_allowed(children[index], path)


def _not_allowed(extra: etree._Element, path: str) -> None:
    raise SchemaError(f"{path}/{local(extra.tag)}", "is not allowed here (unknown element or "
                                                    "out of order)")
