"""UPDATE: the issuing authority extends its preservation order (e-Evidence Annex VI, Form 6).

The EU profile carries the extension as an ``UPDATE`` of the LPTask (with the ``Generation``
it updates) and the Form 6 as a ``DocumentObject`` associated with that task, in the same
message. lawdesk extends the preservation by 30 days through ``cases`` (once: the Regulation
allows one extension), keeps the form byte for byte, and the task's ``Generation`` and
``PreservationExpiration`` move. An UPDATE of a TDTask answers the desk's question on a
take-down (a TCO Annex III, decision 0028). Nothing else is updatable yet (3001).
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from django.db import transaction
from lxml import etree

from lawdesk.cases import lifecycle
from lawdesk.cases.conversation import answer_clarification
from lawdesk.cases.models import Status
from lawdesk.cases.preservation import extend_preservation_on_order
from lawdesk.core.errors import DomainError
from lawdesk.interop import message as m
from lawdesk.interop import schema as s
from lawdesk.interop.models import StoredObject
from lawdesk.interop.xmlsafe import parse

if TYPE_CHECKING:
    from lawdesk.interop.services import Context


def _links(obj: etree._Element) -> list[str]:
    return [(a.text or "").strip() for a in obj.iterfind(
        f"{{{s.CORE}}}AssociatedObjects/{{{s.CORE}}}AssociatedObject")]


def updated_ids(context: Context) -> set[str]:
    """The objects this message UPDATEs (their Form 6 documents are handled here)."""
    return {m.text(s._children(a.body)[0], s.CORE, "ObjectIdentifier")
            for a in context.request.actions if a.verb == "UPDATE" and a.error is None}


def prepare_updates(context: Context) -> None:
    """Decide every UPDATE of the message (and the CREATE of its Form 6)."""
    # reason: import cycle: interop.orders imports this module
    from lawdesk.interop.orders import Item, _document

    agency_id = context.endpoint.agency_id
    for action in context.request.actions:
        if action.verb != "UPDATE" or action.error is not None:
            continue
        obj = s._children(action.body)[0]
        oid = m.text(obj, s.CORE, "ObjectIdentifier")
        forms = [a for a in context.request.actions if a.verb == "CREATE" and a.error is None
                 and a.object_type == "DocumentObject"
                 and oid in _links(s._children(a.body)[0])]

        def fail(error: m.HI1Error, action: m.Action = action, forms: list[m.Action] = forms,
                 oid: str = oid) -> None:
            context.outcomes[action.identifier] = error
            for form in forms:
                context.outcomes.setdefault(form.identifier, m.HI1Error(
                    m.ErrorCode.IMPROPER_VALUE, f"Not created: the UPDATE of {oid} failed."))

        if action.object_type == "TDTaskObject" and not forms:
            _update_takedown(context, action, obj, oid)
            continue
        if action.object_type != "LPTaskObject":
            fail(m.HI1Error(m.ErrorCode.NOT_SUPPORTED, f"UPDATE of {action.object_type} is not "
                            "supported; lawdesk accepts the extension of an LPTask (Form 6) and "
                            "the clarification of a TDTask."))
            continue
        stored = StoredObject.objects.select_related("case").filter(
            agency_id=agency_id, object_id=oid).first()
        if stored is None or stored.object_type != "LPTaskObject" or stored.case is None:
            fail(m.HI1Error(m.ErrorCode.OBJECT_NOT_FOUND, f"No LPTask {oid}."))
            continue
        generation = m.text(obj, s.CORE, "Generation")
        if not generation:
            fail(m.HI1Error(m.ErrorCode.IMPROPER_VALUE, "An UPDATE names the Generation it "
                            "updates."))
            continue
        if int(generation) != stored.generation:
            fail(m.HI1Error(m.ErrorCode.STALE_GENERATION, f"Generation {generation} is not the "
                            f"current one ({stored.generation}): GET the task first."))
            continue
        server_set = [name for name in ("Status", "PreservationExpiration")
                      if obj.find(f"{{{s.TASK}}}{name}") is not None]
        if server_set:
            fail(m.HI1Error(m.ErrorCode.IMPROPER_VALUE, f"{', '.join(server_set)} is set by "
                            "lawdesk; the requester cannot set it."))
            continue
        if len(forms) != 1:
            fail(m.HI1Error(m.ErrorCode.IMPROPER_VALUE, "The extension needs the Form 6 (Annex "
                            "VI) as one DocumentObject associated with the task, in the same "
                            "message."))
            continue
        form = forms[0]
        form_obj = s._children(form.body)[0]
        form_id = m.text(form_obj, s.CORE, "ObjectIdentifier")
        if StoredObject.objects.filter(agency_id=agency_id, object_id=form_id).exists():
            fail(m.HI1Error(m.ErrorCode.OBJECT_EXISTS, f"Object {form_id} already exists."))
            continue
        item = Item(form, form_obj, form_id, "DocumentObject")
        try:
            body, content_type, _name = _document(item)
            with transaction.atomic():
                case = extend_preservation_on_order(
                    case=stored.case, actor=context.endpoint.officer.user, now=context.now,
                    reason=f"Form 6 (Annex VI) received over HI-1: transaction "
                           f"{context.request.header.transaction_id}, document {form_id}, "
                           f"SHA-256 {hashlib.sha256(body).hexdigest()}",
                    origin=context.origin)
                raw = etree.tostring(form_obj)
                context.created.append(StoredObject.objects.create(
                    agency_id=agency_id, endpoint=context.endpoint, object_id=form_id,
                    object_type="DocumentObject", xml=raw,
                    sha256=hashlib.sha256(raw).hexdigest(), content=body,
                    content_sha256=hashlib.sha256(body).hexdigest(), content_type=content_type,
                    associated=_links(form_obj), case=case,
                    hi1_transaction=context.request.header.transaction_id,
                    created_at=context.now, last_changed=context.now))
                StoredObject.objects.filter(pk=stored.pk).update(
                    generation=stored.generation + 1, last_changed=context.now)
        except DomainError as exc:
            fail(m.HI1Error(m.ErrorCode.IMPROPER_VALUE, f"The extension cannot be applied: "
                            f"{exc.message}"))
            continue
        except Exception as exc:  # a Refusal of the document (not base64, no body)
            # reason: import cycle: interop.orders imports this module
            from lawdesk.interop.orders import Refusal

            if not isinstance(exc, Refusal):
                raise
            fail(m.HI1Error(m.ErrorCode.IMPROPER_VALUE, exc.description))
            continue
        context.outcomes[action.identifier] = m.C("UPDATEResponse", m.C("Identifier", text=oid))
        context.outcomes[form.identifier] = m.C("CREATEResponse", m.C("Identifier", text=form_id))


def _values(obj: etree._Element) -> list[tuple[str, str, str]]:
    return [(m.text(v, s.TASK, "FormatType", "FormatOwner"),
             m.text(v, s.TASK, "FormatType", "FormatName"), m.text(v, s.TASK, "Value"))
            for v in obj.iterfind(f"{{{s.TASK}}}RequestDetails/{{{s.TASK}}}RequestValues/"
                                  f"{{{s.TASK}}}RequestValue")]


def _update_takedown(context: Context, action: m.Action, obj: etree._Element, oid: str) -> None:
    """The authority's clarification of a take-down (TCO Art. 3(7)-(8)): an UPDATE of the
    TDTask naming its current Generation, the answer in ``ManualInformation``, the items as
    they were. It answers the desk's open question on the liaison officer's account — the
    one-hour clock restarts — and the task's Generation moves, so the same UPDATE sent again
    as a new message is stale (3008) and answers nothing twice."""

    def fail(code: m.ErrorCode, description: str) -> None:
        context.outcomes[action.identifier] = m.HI1Error(code, description)

    stored = StoredObject.objects.select_related("case").filter(
        agency_id=context.endpoint.agency_id, object_id=oid).first()
    if stored is None or stored.object_type != "TDTaskObject" or stored.case is None:
        return fail(m.ErrorCode.OBJECT_NOT_FOUND, f"No TDTask {oid}.")
    generation = m.text(obj, s.CORE, "Generation")
    if not generation:
        return fail(m.ErrorCode.IMPROPER_VALUE, "An UPDATE names the Generation it updates.")
    if int(generation) != stored.generation:
        return fail(m.ErrorCode.STALE_GENERATION, f"Generation {generation} is not the current "
                                                  f"one ({stored.generation}): GET the task first.")
    server_set = [name for name in ("Status", "CSPReference")
                  if obj.find(f"{{{s.TASK}}}{name}") is not None]
    if server_set:
        return fail(m.ErrorCode.IMPROPER_VALUE, f"{', '.join(server_set)} is set by lawdesk; "
                                                "the requester cannot set it.")
    original = parse(bytes(stored.xml), namespaces=s.NAMESPACES)
    if _values(obj) != _values(original):
        return fail(m.ErrorCode.IMPROPER_VALUE, "RequestDetails/RequestValues: the items of a "
                                                "take-down cannot change; send a new order.")
    answer = m.text(obj, s.TASK, "ManualInformation")
    if len(answer) < 2:
        return fail(m.ErrorCode.IMPROPER_VALUE, "ManualInformation: the clarification the "
                                                "platform asked for is missing.")
    case = stored.case
    if case.status != Status.AWAITING_CLARIFICATION:
        return fail(m.ErrorCode.IMPROPER_VALUE, "The platform asked no question on this "
                                                "take-down: an UPDATE of a TDTask answers one.")
    try:
        with transaction.atomic(), lifecycle.composed():  # the answer and the new Generation
            answer_clarification(case=case, actor=context.endpoint.officer.user,
                                 now=context.now, origin=context.origin,
                                 answer=f"{answer}\n\n(HI-1 UPDATE of TDTask {oid}, transaction "
                                        f"{context.request.header.transaction_id})")
            StoredObject.objects.filter(pk=stored.pk).update(
                generation=stored.generation + 1, last_changed=context.now)
    except DomainError as exc:
        return fail(m.ErrorCode.IMPROPER_VALUE, f"The clarification cannot be recorded: "
                                                f"{exc.message}")
    context.outcomes[action.identifier] = m.C("UPDATEResponse", m.C("Identifier", text=oid))


def update(context: Context, action: m.Action) -> etree._Element:
    outcome = context.outcomes.get(action.identifier)
    if outcome is None:
        raise m.HI1Error(m.ErrorCode.NOT_SUPPORTED, "This UPDATE was not handled.")
    if isinstance(outcome, m.HI1Error):
        raise outcome
    return outcome
