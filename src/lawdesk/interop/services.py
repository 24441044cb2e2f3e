"""Use cases of the HI-1 channel: the endpoint identities (under the two-administrator rule of
the trust anchors), and receiving a message — one transaction, its audit event, its answer."""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext
from lxml import etree

from lawdesk.accounts import services as accounts
from lawdesk.accounts.models import Agency, AnchorChange, Officer, User
from lawdesk.audit.actions import Action
from lawdesk.audit.services import record
from lawdesk.core.errors import DomainError
from lawdesk.core.origin import Origin
from lawdesk.interop import actions, orders
from lawdesk.interop import message as m
from lawdesk.interop import schema as s
from lawdesk.interop.identity import normalise_fingerprint, own_identity
from lawdesk.interop.models import Endpoint, StoredObject, Transaction
from lawdesk.interop.updates import prepare_updates
from lawdesk.interop.xmlsafe import parse

EU_VERSION = m.Version("V1.22.1", "EU", "v1.3.1")


# --- Endpoint identities: trust anchors -------------------------------------------------

_UNIQUE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,254}")


def propose_endpoint(
    *, actor: User, now: datetime, agency: Agency, officer: Officer, country_code: str,
    unique_identifier: str, fingerprint: str, evidence: str, delivery_url: str = "",
    origin: Origin | None = None,
) -> AnchorChange:
    """Propose that the agency's HI-1 endpoint ``country_code``/``unique_identifier`` sends
    with the certificate ``fingerprint``; orders from it are filed on ``officer``'s account,
    and lawdesk's answers (status, deliveries) go to ``delivery_url``. A second administrator
    approves it on the agency's page (decision 0014)."""
    country = country_code.strip().upper()
    if not re.fullmatch(r"[A-Z]{2}", country):
        raise DomainError(gettext("Enter the two-letter country code of the endpoint."),
                          field="country_code", code="invalid")
    unique = unique_identifier.strip()
    if not _UNIQUE_ID.fullmatch(unique):
        raise DomainError(gettext("Enter the endpoint's UniqueIdentifier (letters, digits, "
                                  "dot, dash, colon; at most 255)."),
                          field="unique_identifier", code="invalid")
    try:
        digest = normalise_fingerprint(fingerprint)
    except ValueError as exc:
        raise DomainError(str(exc), field="fingerprint", code="invalid") from None
    url = delivery_url.strip()
    if url and not re.fullmatch(r"https://[^\s/?#]+(/[^\s]*)?", url):
        raise DomainError(gettext("Enter the https:// address of the authority's HI-1 server, "
                                  "or leave it empty."), field="delivery_url", code="invalid")
    if officer.agency_id != agency.pk:
        raise DomainError(gettext("The liaison officer must be an officer of this agency."),
                          field="officer", code="invalid")
    if len(evidence.strip()) < 5:
        raise DomainError(gettext("Say how the certificate was obtained and checked (e.g. "
                                  "handed over at the onboarding meeting, compared by phone)."),
                          field="evidence", code="required")
    if Endpoint.objects.filter(fingerprint=digest, revoked_at__isnull=True).exists():
        raise DomainError(gettext("This certificate is already registered."),
                          field="fingerprint", code="duplicate")
    return accounts.propose_anchor(
        actor=actor, now=now, agency=agency, kind=AnchorChange.Kind.ADD_HI1_ENDPOINT,
        subject=f"{country}/{unique} sha256:{digest[:16]}…",
        details={"country_code": country, "unique_identifier": unique, "fingerprint": digest,
                 "officer_id": officer.pk, "delivery_url": url},
        evidence=evidence, origin=origin)


def propose_endpoint_removal(*, actor: User, now: datetime, endpoint: Endpoint, reason: str,
                             origin: Origin | None = None) -> AnchorChange:
    """Propose to stop accepting one certificate of an endpoint (a second admin approves)."""
    return accounts.propose_anchor(
        actor=actor, now=now, agency=endpoint.agency, kind=AnchorChange.Kind.REMOVE_HI1_ENDPOINT,
        subject=f"{endpoint} sha256:{endpoint.fingerprint[:16]}…",
        details={"endpoint_id": endpoint.pk, "fingerprint": endpoint.fingerprint},
        evidence=reason, origin=origin)


def _apply_add(change: AnchorChange, actor: User, now: datetime) -> dict[str, Any]:
    details = change.details
    if Endpoint.objects.filter(fingerprint=details["fingerprint"], revoked_at__isnull=True).exists():
        raise DomainError(gettext("This certificate is already registered."), field="anchor",
                          code="duplicate")
    officer = Officer.objects.get(pk=details["officer_id"], agency=change.agency_id)
    endpoint = Endpoint.objects.create(
        agency_id=change.agency_id, officer=officer, country_code=details["country_code"],
        unique_identifier=details["unique_identifier"], fingerprint=details["fingerprint"],
        delivery_url=details.get("delivery_url", ""), change=change, approved_at=now)
    return {"hi1_endpoint_id": endpoint.pk}


def _apply_remove(change: AnchorChange, actor: User, now: datetime) -> dict[str, Any]:
    # Past transactions and objects keep their endpoint: the row is revoked, not deleted.
    endpoint = Endpoint.objects.filter(pk=change.details["endpoint_id"], agency_id=change.agency_id,
                                       revoked_at__isnull=True).first()
    if endpoint is None:
        raise DomainError(gettext("This endpoint is no longer registered."), field="anchor",
                          code="not_found")
    endpoint.revoked_at = now
    endpoint.save(update_fields=["revoked_at"])
    return {"hi1_endpoint_id": endpoint.pk}


def register_anchor_kinds() -> None:
    accounts.register_anchor_kind(AnchorChange.Kind.ADD_HI1_ENDPOINT, _apply_add)
    accounts.register_anchor_kind(AnchorChange.Kind.REMOVE_HI1_ENDPOINT, _apply_remove)


def endpoint_for(fingerprint: str | None) -> Endpoint | None:
    """The registered endpoint with this certificate, of an active agency; else None."""
    if not fingerprint:
        return None
    try:
        digest = normalise_fingerprint(fingerprint)
    except ValueError:
        return None
    endpoint = Endpoint.objects.select_related("agency", "officer__user").filter(
        fingerprint=digest, revoked_at__isnull=True).first()
    if endpoint is None or endpoint.agency.status != Agency.Status.ACTIVE:
        return None
    return endpoint


def refuse_sender(*, reason: str, now: datetime, origin: Origin | None,
                  fingerprint: str | None = None, claimed: m.EndpointId | None = None,
                  endpoint: Endpoint | None = None, visitor: Any = None) -> None:
    """Audit a refused sender in its own transaction (nothing else of the message is kept).

    ``visitor`` is the web request's user (anonymous: the client certificate, not a session, is
    the credential), recorded as the actor; ``None`` outside a request."""
    with transaction.atomic():
        record(Action.HI1_SENDER_REFUSED, actor=visitor, target=endpoint, origin=origin,
               now=now, params={"reason": reason, "fingerprint": fingerprint or "",
                                "claimed_sender": str(claimed) if claimed else "",
                                "registered_sender": str(endpoint) if endpoint else ""})


# --- Receiving a message ----------------------------------------------------------------

@dataclass
class Answer:
    """What the view sends back: HTTP 200 with ``body``, or a refusal (``refused``)."""

    body: bytes = b""
    refused: str = ""


def _header_for(request_header: m.Header | None, endpoint: Endpoint, now: datetime) \
        -> etree._Element:
    if request_header is None:
        return m.header_element(sender=own_identity(), receiver=_identity(endpoint),
                                transaction_id=str(uuid.uuid4()), now=now, version=EU_VERSION)
    return m.header_element(sender=own_identity(), receiver=request_header.sender,
                            transaction_id=request_header.transaction_id, now=now,
                            version=request_header.version)


def _identity(endpoint: Endpoint) -> m.EndpointId:
    return m.EndpointId(endpoint.country_code, endpoint.unique_identifier)


def _payload_digest(raw: bytes) -> str:
    """SHA-256 of the canonical Payload (parsed again by the safe parser; already checked)."""
    root = parse(raw, namespaces=s.NAMESPACES)
    payload = root.find(f"{{{s.CORE}}}Payload")
    return hashlib.sha256(etree.tostring(payload, method="c14n")).hexdigest()


def receive(*, data: bytes, endpoint: Endpoint, now: datetime,
            origin: Origin | None = None, visitor: Any = None) -> Answer:
    """Answer one HI-1 message from ``endpoint`` (whose certificate the proxy verified).

    ``origin`` and ``visitor`` (the web request's user, recorded as the actor of the message's
    own events) come from the view; ``None`` outside a request."""
    try:
        parsed = m.read_request(data)
    except m.HI1Error as exc:
        if exc.header is not None and exc.header.sender != _identity(endpoint):
            return _forged(exc.header, endpoint, now, origin, visitor)
        with transaction.atomic():
            record(Action.HI1_MESSAGE_REFUSED, actor=visitor, target=endpoint, origin=origin,
                   now=now, params={"code": int(exc.code), "description": exc.description[:500],
                                    "request_sha256": hashlib.sha256(data).hexdigest()})
        return Answer(m.response(_header_for(exc.header, endpoint, now), error=exc))
    header = parsed.header
    if header.sender != _identity(endpoint):
        return _forged(header, endpoint, now, origin, visitor)
    if header.receiver != own_identity():
        error = m.HI1Error(m.ErrorCode.IMPROPER_VALUE, f"ReceiverIdentifier {header.receiver} is "
                           f"not this platform's endpoint ({own_identity()}).")
        return Answer(m.response(_header_for(header, endpoint, now), error=error))
    digest = _payload_digest(data)
    try:
        return _process(parsed, endpoint, digest, now, origin, visitor)
    except IntegrityError:
        # The same transaction arrived twice at once: the other one's answer is the answer.
        return _replay(parsed, endpoint, digest, now) or Answer(refused="conflict")


def _forged(header: m.Header, endpoint: Endpoint, now: datetime,
            origin: Origin | None, visitor: Any) -> Answer:
    refuse_sender(reason="sender_identifier_mismatch", now=now, origin=origin, visitor=visitor,
                  fingerprint=endpoint.fingerprint, claimed=header.sender, endpoint=endpoint)
    return Answer(refused="sender_identifier_mismatch")


def _replay(parsed: m.Request, endpoint: Endpoint, digest: str, now: datetime) -> Answer | None:
    done = Transaction.objects.filter(agency_id=endpoint.agency_id,
                                      transaction_id=parsed.header.transaction_id).first()
    if done is None:
        return None
    if done.payload_sha256 != digest:
        error = m.HI1Error(m.ErrorCode.IMPROPER_VALUE, "TransactionIdentifier "
                           f"{parsed.header.transaction_id} was already used for a different "
                           "message.")
        return Answer(m.response(_header_for(parsed.header, endpoint, now), error=error))
    return Answer(bytes(done.response))


ActionHandler = Callable[["Context", m.Action], etree._Element]


@dataclass
class Context:
    """What an action handler needs: the sender, the time, the whole request, where it came
    from (``origin``; ``visitor``, the web request's user, recorded as the actor of the
    message's own events), and the outcome of the message's CREATEs (prepared together: one
    order is several objects)."""

    endpoint: Endpoint
    now: datetime
    request: m.Request
    origin: Origin | None
    created: list[StoredObject]
    outcomes: dict[int, etree._Element | m.HI1Error]
    visitor: Any = None  # the web request's user, the actor of the message's own events


def _process(parsed: m.Request, endpoint: Endpoint, digest: str, now: datetime,
             origin: Origin | None, visitor: Any) -> Answer:
    replay = _replay(parsed, endpoint, digest, now)
    if replay is not None:
        with transaction.atomic():
            record(Action.HI1_RETRANSMISSION, actor=visitor, target=endpoint, origin=origin,
                   now=now, params={"transaction_id": parsed.header.transaction_id})
        return replay
    context = Context(endpoint, now, parsed, origin, [], {}, visitor)
    # Each order becomes a case through cases' own use case, in its own transaction (the
    # objects are stored in it: a second delivery of the same objects cannot create a second
    # case — their identifiers are unique per agency).

    prepare_updates(context)  # (an UPDATE's Form 6 is not an order of its own)
    orders.prepare(context)
    with transaction.atomic():
        answers = _answer_actions(context)
        body = m.response(_header_for(parsed.header, endpoint, now), actions=answers)
        Transaction.objects.create(
            agency_id=endpoint.agency_id, endpoint=endpoint,
            transaction_id=parsed.header.transaction_id, payload_sha256=digest,
            request_sha256=hashlib.sha256(parsed.raw).hexdigest(), response=body,
            received_at=now)
        summary = [f"{a.identifier}:{a.verb}{':' + a.object_type if a.object_type else ''}"
                   for a in parsed.actions]
        record(Action.HI1_MESSAGE_RECEIVED, actor=visitor, target=endpoint, origin=origin,
               now=now,
               params={"transaction_id": parsed.header.transaction_id, "actions": summary,
                       "request_sha256": hashlib.sha256(parsed.raw).hexdigest(),
                       "profile": f"{parsed.header.version.profile_owner} "
                                  f"{parsed.header.version.profile_version}",
                       "errors": _error_codes(body),
                       "created": [f"{o.object_type}:{o.object_id}" for o in context.created],
                       "cases": sorted({o.case.number for o in context.created
                                        if o.case is not None and o.case.number})})
    return Answer(body)


def _error_codes(body: bytes) -> list[str]:
    root = parse(body, namespaces=s.NAMESPACES)
    return [e.text or "" for e in root.iter(f"{{{s.CORE}}}ErrorCode")]


def _answer_actions(context: Context) -> list[etree._Element]:
    seen: set[int] = set()
    answers = []
    for action in context.request.actions:
        if action.identifier in seen:
            answers.append(m.action_response(action.identifier, m.error_element(m.HI1Error(
                m.ErrorCode.DUPLICATE_ACTION,
                f"ActionIdentifier {action.identifier} appears more than once."))))
            continue
        seen.add(action.identifier)
        if action.error is not None:
            answers.append(m.action_response(action.identifier, m.error_element(action.error)))
            continue
        handler = actions.HANDLERS.get(action.verb)
        try:
            if handler is None:
                raise m.HI1Error(m.ErrorCode.NOT_SUPPORTED,
                                 f"{action.verb} is not supported by lawdesk yet.")
            with transaction.atomic():
                content = handler(context, action)
        except m.HI1Error as exc:
            content = m.error_element(exc)
        answers.append(m.action_response(action.identifier, content))
    return answers
