"""CREATE: an Authorisation with its TDTask(s) and the order → one removal case.

A take-down (``TDTaskObject``, TS 103 120 V1.22.1) is the HI-1 carrier of a removal order. One
message carries one order: an ``AuthorisationObject``, one or more ``TDTaskObject``s whose
``RequestValues`` name the content, and the order itself as a ``DocumentObject`` (DocumentType
``TakedownRefinement`` — or ``Warrant``), all linked by ``AssociatedObjects``. lawdesk files it
through ``cases.submission.submit_request`` as the portal and the API do: a removal case on the
endpoint's liaison officer, the document kept byte-exact and hashed as the original order.

Which order it is, read from the message (lawdesk's mapping; no EU profile for take-downs was
found — INTEROP.md §1.3 marks the TCO/DSA carrier as inference):

* ``AuthorisationLegalType`` value ``TCORemovalOrder`` → a TCO removal order (Reg. (EU)
  2021/784): one hour from receipt, whatever ``TakedownDeadline`` says; ``DSAArt9Order`` → a DSA
  Art. 9 order (Reg. (EU) 2022/2065). Any other value is refused (3007).
* No legal type: ``AuthorisationTypeOfCase`` ``TerrorismOrThreatToPublicSafety`` → TCO (the
  instrument for terrorist content, and the stricter clock); anything else cannot be mapped and
  is refused (3007) — lawdesk does not guess between a one-hour EU-wide removal and an order of
  a stated territorial scope.

The items are the tasks' ``RequestValue``s in lawdesk's ``ContentURL`` format (a message link
of the platform, advertised in GETCSPCONFIG). The deadline is the earlier of the law's (TCO:
receipt + 1 h) and the earliest ``TakedownDeadline`` (one already past at receipt is not
applied). The issuing authority
is the agency of the verified mutual-TLS endpoint (decision 0019). What the message cannot give
is listed for the desk to confirm.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from lxml import etree

from lawdesk.audit.actions import Action
from lawdesk.audit.services import record
from lawdesk.cases import lifecycle
from lawdesk.interop import message as m
from lawdesk.interop import schema as s
from lawdesk.interop.identity import own_identity
from lawdesk.platform.content_actions import parse_content_url
from lawdesk.platform.identifiers import PLATFORM_HOST, IdentifierError
from lawdesk.removal.services import platform_view

if TYPE_CHECKING:
    from lawdesk.cases.models import Case
    from lawdesk.interop.orders import Group, Item
    from lawdesk.interop.services import Context

log = logging.getLogger("lawdesk.interop")

TCO = "tco_removal_order"
ART9 = "dsa_art9_order"
LEGAL_TYPES = {"TCORemovalOrder": TCO, "DSAArt9Order": ART9}
TCO_TYPES_OF_CASE = {"TerrorismOrThreatToPublicSafety"}
# The identifier format of an item of content (owner: this platform's identifier).
CONTENT_FORMAT = ("", "ContentURL", rf"^https://{PLATFORM_HOST}/(c/[0-9]{{1,18}}|[A-Za-z]"
                                    r"[A-Za-z0-9_]{3,31})/[0-9]{1,18}/?$",
                  "An item of content: its message link on the platform")
DOCUMENT_TYPES = ("TakedownRefinement", "Warrant")
TDTASK_STATUS = "TDTaskStatus"


@dataclass
class Order:
    payload: dict[str, Any]
    confirm: list[str]
    document: Item
    deadline: datetime | None


def _t(elem: etree._Element, ns: str, *names: str) -> str:
    return m.text(elem, ns, *names)


def content_format() -> tuple[str, str]:
    return own_identity().unique_identifier, CONTENT_FORMAT[1]


def instrument(group: Group) -> str:
    """TCO removal order or DSA Art. 9 order, from the Authorisation (see the module)."""
    # reason: import cycle: interop.orders imports this module
    from lawdesk.interop.orders import Refusal

    auth = group.auth.obj
    legal = m.dict_entry(auth.find(f"{{{s.AUTH}}}AuthorisationLegalType"))
    if legal is not None:
        if legal.value in LEGAL_TYPES:
            return LEGAL_TYPES[legal.value]
        raise Refusal(group.auth, f"AuthorisationLegalType {legal.value} is not a take-down "
                                  "lawdesk can map: TCORemovalOrder (Regulation (EU) 2021/784) or "
                                  "DSAArt9Order (Regulation (EU) 2022/2065, Art. 9).")
    kind = m.dict_entry(auth.find(f"{{{s.AUTH}}}AuthorisationTypeOfCase"))
    if kind is not None and kind.value in TCO_TYPES_OF_CASE:
        return TCO
    raise Refusal(group.auth, "AuthorisationLegalType: say which order this take-down is "
                              "(TCORemovalOrder or DSAArt9Order); without it only "
                              "AuthorisationTypeOfCase TerrorismOrThreatToPublicSafety is read as "
                              "a TCO removal order.")


def _items(task: Item) -> list[str]:
    """The content locations a TDTask names (its RequestValues in the ContentURL format)."""
    # reason: import cycle: interop.orders imports this module
    from lawdesk.interop.orders import Refusal

    desired = m.dict_entry(task.obj.find(f"{{{s.TASK}}}DesiredStatus"))
    if desired is not None and desired.value != "Pending":
        raise Refusal(task, f"DesiredStatus {desired.value} cannot start a take-down; send "
                            "Pending.")
    values = task.obj.findall(f"{{{s.TASK}}}RequestDetails/{{{s.TASK}}}RequestValues/"
                              f"{{{s.TASK}}}RequestValue")
    if not values:
        raise Refusal(task, "RequestDetails/RequestValues: a take-down names each item of "
                            "content (one RequestValue per item).")
    owner, name = content_format()
    found = []
    for value in values:
        fmt = (_t(value, s.TASK, "FormatType", "FormatOwner"),
               _t(value, s.TASK, "FormatType", "FormatName"))
        if fmt != (owner, name):
            raise Refusal(task, f"RequestValue FormatType {fmt[0]}/{fmt[1]} is not the take-down "
                                f"format lawdesk advertised ({owner}/{name}, GETCSPCONFIG).")
        text = _t(value, s.TASK, "Value")
        try:
            parse_content_url(text)
        except IdentifierError as exc:
            raise Refusal(task, f"RequestValue/Value: {exc}") from None
        if not text.startswith("https://"):
            raise Refusal(task, f"RequestValue/Value: {text!r} must be an https:// link.")
        if text not in found:
            found.append(text)
    return found


def _targets(locations: list[str]) -> list[dict[str, str]]:
    """The accounts or channels the items belong to (the intake's targets): a channel's public
    link, else the sender of the message, looked up on the platform."""
    targets: list[str] = []
    for location in locations:
        link = parse_content_url(location)
        if link.public_name:
            identifier = f"https://{PLATFORM_HOST}/{link.public_name}"
        else:
            try:
                identifier = str(platform_view().locate(location).sender_id)
            except IdentifierError:
                continue  # not on the platform: the desk sees it unlocated (Annex III)
            except Exception:  # the platform is unreachable: the order is taken all the same
                log.exception("could not look up the sender of %s", location)
                continue
        if identifier not in targets:
            targets.append(identifier)
    return [{"identifier": t} for t in targets]


def deadline(group: Group) -> datetime | None:
    """The earliest TakedownDeadline of the order's tasks."""
    moments = [m.parse_datetime(_t(d, s.TASK, "DateTime"))
               for task in group.tasks
               for d in task.obj.iterfind(f"{{{s.TASK}}}Deadlines/{{{s.TASK}}}TakedownDeadline")
               if _t(d, s.TASK, "DateTime")]
    return min(moments) if moments else None


def _document(group: Group) -> Item:
    # reason: import cycle: interop.orders imports this module
    from lawdesk.interop.orders import Refusal

    def kind(doc: Item) -> str:
        entry = m.dict_entry(doc.obj.find(f"{{{s.DOC}}}DocumentType"))
        return entry.value if entry else ""

    for wanted in DOCUMENT_TYPES:
        found = next((d for d in group.documents if kind(d) == wanted), None)
        if found is not None:
            return found
    if group.documents:
        return group.documents[0]
    raise Refusal(group.auth, "The removal order is missing: send it as a DocumentObject "
                              "(DocumentType TakedownRefinement) associated with the "
                              "Authorisation.")


def intake(group: Group, context: Context) -> Order:
    """The intake payload of a take-down, and the facts the message could not give."""
    # reason: import cycle: interop.orders imports this module
    from lawdesk.interop.orders import AGENCY_ROLE, OFFENCES, Refusal, _approvals, _flags, _role

    auth = group.auth.obj
    agency = context.endpoint.agency
    kind = instrument(group)
    document = _document(group)
    confirm: list[str] = []
    locations: list[str] = []
    for task in group.tasks:
        locations += [loc for loc in _items(task) if loc not in locations]
    targets = _targets(locations)
    if not targets:
        raise Refusal(group.tasks[0], "RequestValue/Value: no item names a public channel or a "
                                      "message on the platform (give the channel's public link, "
                                      f"https://{PLATFORM_HOST}/<channel>/<message id>).")
    approvals = _approvals(auth)
    issuer = next((a for a in approvals if "validat" not in a["type"].lower()), None)
    when = ((issuer or {}).get("timestamp") or _t(auth, s.AUTH, "AuthorisationCreationTimestamp")
            or _t(auth, s.AUTH, "AuthorisationServedTimestamp"))
    if not when:
        confirm.append("instrument_date")
    if issuer is None or not issuer["name"]:
        confirm.append("issuer_name")
    role = _role(f"{(issuer or {}).get('role', '')} {(issuer or {}).get('type', '')}")
    if role is None:
        role = AGENCY_ROLE.get(agency.kind, "administrative")
        confirm.append("issuer_role")
    if kind == TCO:
        offence = "terrorism"
    else:
        type_of_case = m.dict_entry(auth.find(f"{{{s.AUTH}}}AuthorisationTypeOfCase"))
        offence = OFFENCES.get(type_of_case.value if type_of_case else "") or "other"
        if offence == "other":
            confirm.append("offence_category")
        confirm.append("territorial_scope")  # Art. 9(2)(b): read in the order, recorded on the desk
    texts = [_t(auth, s.AUTH, "AuthorisationManualInformation")]
    for task in group.tasks:
        texts += [_t(task.obj, s.TASK, "RequestDetails", "RequestValueRefinement"),
                  _t(task.obj, s.TASK, "ManualInformation")]
    description = "\n".join(t for t in texts if t)
    if len(description) < 10:
        description = ("Not given in the HI-1 message: read it in the removal order (the "
                       "original order).")
        confirm.append("offence_description")
    first = group.tasks[0].obj
    reference = (_t(first, s.TASK, "RequesterReference")
                 or _t(auth, s.AUTH, "AuthorisationReference") or group.auth.object_id)
    task_flags = {e.value for e in (m.dict_entry(f) for task in group.tasks for f in task.obj.iterfind(
        f"{{{s.TASK}}}Flags/{{{s.TASK}}}TDTaskFlag")) if e}
    flags = _flags(auth) | task_flags
    payload: dict[str, Any] = {
        "kind": "removal",
        "instrument_type": kind,
        "instrument_reference": reference[:200],
        "instrument_date": (m.parse_datetime(when).date() if when else context.now.date())
        .isoformat(),
        "issuer_name": ((issuer or {}).get("name") or agency.name)[:200],
        "issuer_role": role,
        "authority_file_number": (_t(auth, s.AUTH, "AuthorisationReference") or reference)[:100],
        "offence_category": offence,
        "offence_description": description[:5000],
        "categories": [],
        "targets": targets,
        "content_locations": "\n".join(locations),
        # TCO Art. 11(3): the authority asks the provider not to inform the content provider.
        "nondisclosure_order": "DelayInformingUser" in flags,
    }
    return Order(payload, confirm, document, deadline(group))


def apply_deadline(case: Case, order: Order, context: Context) -> None:
    """The order's TakedownDeadline when it is earlier than the law's (a TCO order's hour from
    receipt is never extended by it); one already past at receipt is recorded, not applied."""
    if order.deadline is None:
        return
    applied = lifecycle.bring_deadline_forward(case, order.deadline, now=context.now)
    record(Action.HI1_TAKEDOWN_DEADLINE, actor=context.visitor, target=case, now=context.now,
           origin=context.origin,
           params={"number": case.number, "takedown_deadline": order.deadline.isoformat(),
                   "deadline_at": case.deadline_at.isoformat(), "applied": applied})
