"""Answers in the same channel: what lawdesk sends back to an authority over HI-1.

* A **status notification** (a ``CREATE`` of a ``NotificationObject``) each time the status the
  authority sees of an order's tasks changes — AwaitingDisclosure → Disclosed,
  DisclosureNotAvailable, Rejected, Cancelled; Preserved, Expired … (``status.task_status``).
* A **delivery** (``DELIVER`` of ``DeliveryObject``s) when the evidence package is built: the
  signed package itself (``BinaryData`` with its SHA-256 and SHA-512) or, above
  ``LAWDESK_HI1_INLINE_BYTES``, a ``URL`` that expires, with the same checksums; a task whose
  identifier yielded nothing gets ``DataExistence`` false. It goes to the destination the order
  names (the task's ``DeliveryDetails`` endpoint — Section L of the form), which must be a
  registered endpoint identity of the same agency.

Each message is written to the outbox (:class:`OutboundMessage`) in the transaction of the
change it reports, with its bytes fixed: every later attempt is a retransmission (same
TransactionIdentifier) that the authority answers without creating anything twice. The worker
sends it after commit; the clock loop (:func:`send_due`) retries whatever is due, so a
restart loses nothing.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import ssl
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext
from lxml import etree

from lawdesk.audit.actions import Action
from lawdesk.audit.services import record
from lawdesk.cases.models import Case
from lawdesk.collection.models import EvidencePackage
from lawdesk.core.errors import DomainError
from lawdesk.core.origin import Origin
from lawdesk.core.tasks import enqueue_on_commit
from lawdesk.interop import message as m
from lawdesk.interop import schema as s
from lawdesk.interop.identity import own_identity
from lawdesk.interop.models import AnnexIII, Endpoint, OutboundMessage, StoredObject
from lawdesk.interop.status import dictionary, rows_delivered, task_status
from lawdesk.interop.tasks import send_outbound
from lawdesk.interop.xmlsafe import UnsafeXML, parse

log = logging.getLogger("lawdesk.interop")

EU_VERSION = m.Version("V1.22.1", "EU", "v1.3.1")


# --- Reading what the order asked ----------------------------------------------------------

TASK_TYPES = ("LDTaskObject", "LPTaskObject", "TDTaskObject")


def _objects(case: Case) -> tuple[StoredObject | None, list[StoredObject]]:
    objects = list(StoredObject.objects.filter(case=case).select_related("target", "endpoint")
                   .order_by("pk"))
    auth = next((o for o in objects if o.object_type == "AuthorisationObject"), None)
    tasks = [o for o in objects if o.object_type in TASK_TYPES]
    return auth, tasks


def _xml(stored: StoredObject) -> etree._Element:
    return parse(bytes(stored.xml), namespaces=s.NAMESPACES)


def ldid(task: StoredObject) -> str:
    return m.text(_xml(task), s.TASK, "Reference")


def destination(task: StoredObject) -> m.EndpointId:
    """Where the task's data goes: the endpoint its DeliveryDetails name (Section L of the form,
    mapped to an EndpointID), else the endpoint that sent the order."""
    found = _xml(task).xpath(
        "./*[local-name()='DeliveryDetails']//*[local-name()='EndpointID']")
    if found:
        parts = {etree.QName(c).localname: (c.text or "").strip() for c in found[0]
                 if isinstance(c.tag, str)}
        if parts.get("CountryCode") and parts.get("UniqueIdentifier"):
            return m.EndpointId(parts["CountryCode"], parts["UniqueIdentifier"])
    return m.EndpointId(task.endpoint.country_code, task.endpoint.unique_identifier)


def endpoint_for(agency_id: int, identity: m.EndpointId) -> Endpoint | None:
    """The agency's registered endpoint with that identity and a URL (never another agency's)."""
    return (Endpoint.objects.filter(agency_id=agency_id, country_code=identity.country_code,
                                    unique_identifier=identity.unique_identifier,
                                    revoked_at__isnull=True).exclude(delivery_url="")
            .order_by("-approved_at").first())


# --- Writing the messages --------------------------------------------------------------------

def _hi1_object(xsi_type: str, object_id: str, associated: list[str],
                *members: etree._Element) -> etree._Element:
    me = own_identity()
    obj = m.C("HI1Object", m.C("ObjectIdentifier", text=object_id),
              m.C("CountryCode", text=me.country_code),
              m.C("OwnerIdentifier", text=me.unique_identifier[:s.SHORT]),
              m.C("AssociatedObjects", *(m.C("AssociatedObject", text=a) for a in associated)),
              *members)
    obj.set(f"{{{s.XSI}}}type", xsi_type)
    return obj


def _request(receiver: m.EndpointId, transaction_id: str, now: datetime,
             *actions: etree._Element) -> bytes:
    header = m.header_element(sender=own_identity(), receiver=receiver,
                              transaction_id=transaction_id, now=now, version=EU_VERSION)
    body = m.C("RequestPayload", m.C("ActionRequests", *(
        m.C("ActionRequest", m.C("ActionIdentifier", text=str(i)), action)
        for i, action in enumerate(actions))))
    data = m.message(header, body)
    validate_outgoing(data)
    return data


def validate_outgoing(data: bytes) -> m.Request:
    """Read a message lawdesk is about to send with its own schema, exactly as it reads what
    it receives; raise HI1Error on the first problem (lawdesk never emits what it refuses)."""
    parsed = m.read_request(data)
    for action in parsed.actions:
        if action.error is not None:
            raise action.error
    return parsed


def notification_object(object_id: str, associated: list[str], *, details: str,
                        kind: tuple[str, str, str], statuses: list[tuple[str, str, str, str]],
                        now: datetime) -> etree._Element:
    """A NotificationObject: ``kind`` is (owner, dictionary, value); ``statuses`` are
    (object id, dictionary, status, details) per associated object."""
    n = s.NOTIFICATION
    return _hi1_object(
        "notification:NotificationObject", object_id, associated,
        m.E(n, "NotificationDetails", text=details[:s.LONG]),
        m.dict_element(n, "NotificationType", *kind),
        m.E(n, "NewNotification", text="true"),
        m.E(n, "NotificationTimestamp", text=m.timestamp(now)),
        m.E(n, "StatusOfAssociatedObjects", *(
            m.E(n, "AssociatedObjectStatus", m.E(n, "AssociatedObject", text=oid),
                m.dict_element(n, "Status", "ETSI", dictionary, status),
                m.E(n, "Details", text=text[:s.LONG]) if text else None)
            for oid, dictionary, status, text in statuses)))


def queue(*, case: Case, kind: str, key: str, receiver: m.EndpointId, now: datetime,
           actions: list[etree._Element], summary: dict[str, Any],
           **extra: Any) -> OutboundMessage | None:
    """Write one message to the outbox (once per ``key``) and send it after commit."""
    if OutboundMessage.objects.filter(key=key).exists():
        return None
    transaction_id = str(uuid.uuid4())
    body = _request(receiver, transaction_id, now, *actions)
    try:
        with transaction.atomic():
            message = OutboundMessage.objects.create(
                agency_id=case.agency_id, case=case, kind=kind, key=key,
                country_code=receiver.country_code, unique_identifier=receiver.unique_identifier,
                transaction_id=transaction_id, body=body, summary=summary, next_attempt_at=now,
                created_at=now, **extra)
    except IntegrityError:  # the same reason, queued at the same time by another process
        return None
    record(Action.HI1_ANSWER_QUEUED, actor=None, target=case, now=now,
           params={"number": case.number, "kind": kind, "transaction_id": transaction_id,
                   "receiver": str(receiver), "sha256": hashlib.sha256(body).hexdigest(),
                   **summary})

    enqueue_on_commit(send_outbound, message.pk)
    return message


_DETAILS = {
    "AwaitingDisclosure": "The order is being handled.",
    "Disclosed": "The data was produced: see the DELIVER of this task.",
    "DisclosureNotAvailable": "No data about this identifier is held: the delivery says "
                              "DataExistence false and the package's certificate says why.",
    "Rejected": "The platform does not produce data for this identifier; the requester's "
                "portal holds the reasons.",
    "Cancelled": "The order was withdrawn or released.",
    "Preserved": "The data is preserved.",
    "Expired": "The preservation period ended.",
    "Pending": "The take-down is being handled.",
    "Resolved": "Effect was given to the order on the platform: see the feedback documents.",
}
# Messages that tell the authority the tasks' statuses (the last one is what it knows).
_STATUS_KINDS = (OutboundMessage.Kind.NOTIFICATION, OutboundMessage.Kind.FEEDBACK,
                 OutboundMessage.Kind.ANNEX_III)


def notify_status(*, case: Case, now: datetime) -> OutboundMessage | None:
    """Queue a status notification if the tasks' statuses changed since the last one."""
    auth, tasks = _objects(case)
    if auth is None or not tasks or AnnexIII.objects.filter(case=case).exists():
        return None  # (an Annex III carries the statuses itself)
    statuses = [(t.object_id, dictionary(t.object_type), task_status(t) or "", "")
                for t in tasks]
    statuses = [(oid, d, st, _DETAILS.get(st, "")) for oid, d, st, _ in statuses]
    current = [f"{oid}={st}" for oid, _, st, _ in statuses]
    earlier = OutboundMessage.objects.filter(
        case=case, kind__in=_STATUS_KINDS).order_by("-pk").first()
    if earlier is not None and earlier.summary.get("statuses") == current:
        return None
    if earlier is None and all(st in ("AwaitingDisclosure", "AwaitingPreservation", "Pending")
                               for _, _, st, _ in statuses):
        return None  # nothing to say yet: the CREATE's answer told it already
    count = OutboundMessage.objects.filter(case=case, kind=OutboundMessage.Kind.NOTIFICATION).count()
    key = f"status:{auth.agency_id}:{auth.object_id}:{count + 1}"
    object_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"lawdesk:{key}"))
    me = own_identity()
    notification = notification_object(
        object_id, [auth.object_id, *(t.object_id for t in tasks)],
        details=f"Status of order {case.instrument_reference} (lawdesk case {case.number}).",
        kind=(me.unique_identifier[:s.SHORT], "LawdeskNotificationType", "TaskStatusChanged"),
        statuses=statuses, now=now)
    return queue(case=case, kind=OutboundMessage.Kind.NOTIFICATION, key=key,
                  receiver=m.EndpointId(auth.endpoint.country_code,
                                        auth.endpoint.unique_identifier),
                  now=now, actions=[m.C("CREATE", notification)],
                  summary={"statuses": current})


# --- Take-downs: the feedback and the impossibility, as documents with the task's status -------

def document_object(object_id: str, associated: list[str], *, name: str,
                    kind: tuple[str, str, str], content: bytes,
                    content_type: str) -> etree._Element:
    """A DocumentObject lawdesk sends: ``kind`` is the DocumentType (owner, dictionary, value)."""
    d = s.DOC
    return _hi1_object(
        "doc:DocumentObject", object_id, associated,
        m.E(d, "DocumentName", text=name[:s.SHORT]),
        m.dict_element(d, "DocumentType", *kind),
        m.E(d, "DocumentBody",
            m.E(d, "Contents", text=base64.b64encode(content).decode("ascii")),
            m.E(d, "ContentType", text=content_type)))


def _canonical_json(document: dict[str, Any]) -> bytes:
    """The JSON as lawdesk hashes it (the effect report's SHA-256 is of these bytes)."""
    return json.dumps(document, sort_keys=True, ensure_ascii=False).encode()


def _takedown_message(*, case: Case, now: datetime, kind: str, key: str, status: str,
                      details: str, documents: list[tuple[str, str, bytes, str]],
                      summary: dict[str, Any]) -> OutboundMessage | None:
    """One message to the authority that sent a take-down: the documents (name, DocumentType
    value, content, content type) and a notification of the tasks' status, together."""
    auth, tasks = _objects(case)
    tasks = [t for t in tasks if t.object_type == "TDTaskObject"]
    if auth is None or not tasks:
        return None
    me = own_identity()
    ids = {name: str(uuid.uuid5(uuid.NAMESPACE_URL, f"lawdesk:{key}:{name}"))
           for name in ["notification", *(str(i) for i in range(len(documents)))]}
    doc_ids = [ids[str(i)] for i in range(len(documents))]
    actions = [m.C("CREATE", document_object(
        doc_ids[i], [auth.object_id, *(t.object_id for t in tasks)], name=name,
        kind=(me.unique_identifier[:s.SHORT], "LawdeskDocumentType", value), content=content,
        content_type=content_type)) for i, (name, value, content, content_type) in enumerate(documents)]
    statuses = [(t.object_id, "TDTaskStatus", status, details) for t in tasks]
    actions.append(m.C("CREATE", notification_object(
        ids["notification"], [auth.object_id, *(t.object_id for t in tasks), *doc_ids],
        details=f"Take-down {case.instrument_reference} (lawdesk case {case.number}): {details}",
        kind=(me.unique_identifier[:s.SHORT], "LawdeskNotificationType", "TaskStatusChanged"),
        statuses=statuses, now=now)))
    return queue(case=case, kind=kind, key=key,
                 receiver=m.EndpointId(auth.endpoint.country_code, auth.endpoint.unique_identifier),
                 now=now, actions=actions,
                 summary={"statuses": [f"{t.object_id}={status}" for t in tasks], **summary})


def takedown_feedback(*, case: Case, now: datetime) -> OutboundMessage | None:
    """The effect given to a take-down, back to the authority once every item is done: a TCO
    order's Annex II feedback (Art. 3(6)), a DSA Art. 9 order's report of the effect (Art.
    9(1), as kept when it was produced) — each as the machine document (JSON) and its PDF —
    with the task ``Resolved``."""
    # reason: start-up time: the PDF renderers load only for a take-down's answer
    from lawdesk.removal import art9, feedback
    from lawdesk.removal.services import is_tco

    auth, _tasks = _objects(case)
    if auth is None:
        return None
    key = f"feedback:{auth.agency_id}:{auth.object_id}"
    if is_tco(case):
        document = feedback.annex_ii(case)
        if not document["complete"]:
            return None
        body, pdf = _canonical_json(document), feedback.annex_ii_pdf(case)
        name, value = "TCO Annex II (feedback on the removal order)", "TCOAnnexII"
    elif art9.is_art9(case):
        report = case.effect_reports.order_by("pk").first()
        if report is None:
            return None
        body, pdf = _canonical_json(report.document), art9.report_pdf(report.document, case)
        name, value = "DSA Art. 9 report of the effect given", "DSAArt9EffectReport"
    else:
        return None
    return _takedown_message(
        case=case, now=now, kind=OutboundMessage.Kind.FEEDBACK, key=key, status="Resolved",
        details=_DETAILS["Resolved"],
        documents=[(f"{name} (machine document)", value, body, "application/json"),
                   (name, value, pdf, "application/pdf")],
        summary={"document_sha256": hashlib.sha256(body).hexdigest(),
                 "pdf_sha256": hashlib.sha256(pdf).hexdigest()})


def takedown_impossibility(*, case: Case, now: datetime) -> OutboundMessage | None:
    """A TCO Annex III (the order cannot be complied with yet, Art. 3(7)-(8)) back to the
    authority: the form as JSON and PDF, with the task in ``Error`` until the clarification."""
    # reason: start-up time: the PDF renderer loads only for a take-down's answer
    from lawdesk.removal import tco_annex_iii

    auth, _tasks = _objects(case)
    row = case.impossibilities.order_by("-declared_at", "-pk").first()
    if auth is None or row is None:
        return None
    key = f"tco-annex3:{auth.agency_id}:{auth.object_id}:{row.pk}"
    if OutboundMessage.objects.filter(key=key).exists():
        return None
    document = tco_annex_iii.document(row)
    body, pdf = _canonical_json(document), tco_annex_iii.pdf(row)
    details = (f"Annex III: {row.get_reason_display()}. {row.explanation}"
               + (f" Clarification requested: {row.clarification}" if row.clarification else ""))
    name = "TCO Annex III (impossibility to comply)"
    return _takedown_message(
        case=case, now=now, kind=OutboundMessage.Kind.ANNEX_III, key=key, status="Error",
        details=details,
        documents=[(f"{name} (machine document)", "TCOAnnexIII", body, "application/json"),
                   (name, "TCOAnnexIII", pdf, "application/pdf")],
        summary={"document_sha256": hashlib.sha256(body).hexdigest(),
                 "pdf_sha256": hashlib.sha256(pdf).hexdigest(), "reason": row.reason})


@dataclass
class PackageFile:
    path: Path
    name: str
    sha256: str
    sha512: str
    size: int
    content_type: str


def _package_file(case: Case) -> PackageFile | None:
    package = EvidencePackage.objects.filter(case=case).first()
    if package is None:
        return None
    path = Path(package.path)
    sha512 = hashlib.sha512()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            sha512.update(chunk)
    return PackageFile(path, package.file_name, package.sha256, sha512.hexdigest(),
                       package.size, "application/octet-stream" if package.encrypted
                       else "application/zip")


def _checksums(package: PackageFile) -> etree._Element:
    d, c = s.DELIVERY, s.COMMON
    return m.E(d, "Checksums", *(
        m.E(c, "ChecksumAndType", m.E(c, "Checksum", text=value), m.E(c, "ChecksumType", text=kind))
        for value, kind in ((package.sha256, "SHA-256"), (package.sha512, "SHA-512"))))


def delivery_object(*, object_id: str, task: StoredObject, associated: list[str],
                    content: etree._Element) -> etree._Element:
    d = s.DELIVERY
    reference = ldid(task)
    return _hi1_object(
        "delivery:DeliveryObject", object_id, associated,
        m.E(d, "Reference", m.E(d, "LDID", text=reference)) if reference else None,
        m.E(d, "DeliveryID", text=object_id),
        m.E(d, "SequenceNumber", text="1"),
        m.E(d, "LastSequence", text="true"),
        m.E(d, "Delivery", content))


def deliver(*, case: Case, now: datetime) -> list[OutboundMessage]:
    """Queue the DELIVER of a delivered case's package, one message per destination."""
    auth, tasks = _objects(case)
    package = _package_file(case)
    tasks = [t for t in tasks if t.object_type == "LDTaskObject" and t.target is not None
             and t.target.approved is not False]
    if auth is None or package is None or not tasks:
        return []
    d = s.DELIVERY
    by_destination: dict[m.EndpointId, list[StoredObject]] = {}
    for task in tasks:
        by_destination.setdefault(destination(task), []).append(task)
    queued = []
    for receiver, group in by_destination.items():
        key = f"deliver:{auth.agency_id}:{auth.object_id}:{receiver}"
        with_data = [t for t in group if rows_delivered(case, t.target)]  # type: ignore[arg-type]
        actions, extra = [], {}
        if with_data:
            oid = str(uuid.uuid5(uuid.NAMESPACE_URL, f"lawdesk:{key}:package"))
            if package.size <= settings.LAWDESK_HI1_INLINE_BYTES:
                content = m.E(d, "BinaryData",
                              m.E(d, "Data", text=base64.b64encode(package.path.read_bytes())
                                  .decode("ascii")),
                              m.E(d, "ContentType", text=package.content_type),
                              m.E(d, "Checksum", text=package.sha256),
                              m.E(d, "ChecksumType", text="SHA-256"), _checksums(package),
                              m.E(d, "OriginalFilename", text=package.name),
                              m.E(d, "ContentLength", text=str(package.size)))
            else:

                download_id = str(uuid.uuid4())
                expires = now + timedelta(days=settings.LAWDESK_DOWNLOAD_DAYS)
                content = m.E(d, "URL", m.E(d, "URL", text=download_url(download_id)),
                              m.E(d, "ContentLength", text=str(package.size)),
                              m.E(d, "ContentType", text=package.content_type),
                              m.E(d, "Expiry", text=m.timestamp(expires)),
                              m.E(d, "Checksum", text=package.sha256),
                              m.E(d, "OriginalFilename", text=package.name),
                              m.E(d, "ChecksumType", text="SHA-256"), _checksums(package))
                extra = {"package": EvidencePackage.objects.get(case=case),
                         "download_id": download_id, "expires_at": expires}
            actions.append(m.C("DELIVER", m.C("Identifier", text=oid), delivery_object(
                object_id=oid, task=with_data[0], associated=[t.object_id for t in with_data],
                content=content)))
        for task in group:
            if task in with_data:
                continue
            oid = str(uuid.uuid5(uuid.NAMESPACE_URL, f"lawdesk:{key}:{task.object_id}"))
            actions.append(m.C("DELIVER", m.C("Identifier", text=oid), delivery_object(
                object_id=oid, task=task, associated=[task.object_id],
                content=m.E(d, "DataExistence", text="false"))))
        message = queue(case=case, kind=OutboundMessage.Kind.DELIVERY, key=key,
                         receiver=receiver, now=now, actions=actions,
                         summary={"package_sha256": package.sha256,
                                  "with_data": [t.object_id for t in with_data],
                                  "data_existence_false": [t.object_id for t in group
                                                           if t not in with_data],
                                  "by_url": bool(extra)}, **extra)
        if message is not None:
            queued.append(message)
    return queued


def download_url(download_id: str) -> str:
    """Where the authority fetches a package too large to travel inside the DELIVER (over
    the same mutual TLS as ``/hi1/``)."""
    base = settings.LAWDESK_HI1_PUBLIC_URL or "https://localhost/hi1/"
    return f"{base.rstrip('/')}/deliveries/{download_id}/"


def fetch_package(*, download_id: str, endpoint: Endpoint, now: datetime,
                  origin: Origin | None = None, visitor: Any = None) -> Path:
    """The package file behind a delivery URL, for an endpoint of the case's agency until the
    URL expires; audited either way (``visitor``, the web request's user, as the actor). Another
    agency's link is 'not found', like a missing one."""
    message = OutboundMessage.objects.select_related("case", "package").filter(
        download_id=download_id, agency_id=endpoint.agency_id).first()
    if message is None or message.package is None:
        raise DomainError(gettext("No such delivery."), code="not_found")
    params = {"number": message.case.number if message.case else "",
              "transaction_id": message.transaction_id, "endpoint": str(endpoint),
              "package_sha256": message.package.sha256}
    expired = message.expires_at is not None and message.expires_at <= now
    with transaction.atomic():
        record(Action.HI1_PACKAGE_FETCH_REFUSED if expired else Action.HI1_PACKAGE_FETCHED,
               actor=visitor, target=message.case, now=now, origin=origin,
               params={**params, "reason": "expired"} if expired else params)
    if expired:
        raise DomainError(gettext("This delivery URL has expired; ask the platform for a new "
                                  "delivery."), code="expired")
    return Path(message.package.path)


# --- Sending ---------------------------------------------------------------------------------

class SendError(Exception):
    """The authority could not be reached, or answered with something else than HI-1."""


def _ssl_context() -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=settings.LAWDESK_HI1_SERVER_CA or None)
    if settings.LAWDESK_HI1_CLIENT_CERT:
        context.load_cert_chain(settings.LAWDESK_HI1_CLIENT_CERT,
                                settings.LAWDESK_HI1_CLIENT_KEY or None)
    return context


def post(url: str, data: bytes, *, timeout: float = 60) -> bytes:
    """POST an HI-1 message over mutual TLS; the body of a 200 answer, else SendError."""
    if not url.startswith("https://"):
        raise SendError(f"{url}: HI-1 answers go over HTTPS only")
    request = urllib.request.Request(url, data=data, method="POST",  # noqa: S310 (https only)
                                     headers={"Content-Type": "application/xml"})
    opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=_ssl_context()))
    try:
        with opener.open(request, timeout=timeout) as response:
            return bytes(response.read())
    except urllib.error.HTTPError as exc:
        raise SendError(f"HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise SendError(str(getattr(exc, "reason", exc))) from None


def _errors(answer: bytes) -> list[str]:
    """The ErrorInformation of an HI-1 answer ("code description"), or SendError."""

    try:
        root = parse(answer, namespaces=s.NAMESPACES)
    except UnsafeXML as exc:
        raise SendError(f"the answer is not HI-1 XML: {exc.message}") from None
    if root.tag != f"{{{s.CORE}}}HI1Message" or root.find(
            f"{{{s.CORE}}}Payload/{{{s.CORE}}}ResponsePayload") is None:
        raise SendError("the answer is not an HI-1 response")
    return [f"{e.findtext(f'{{{s.CORE}}}ErrorCode')} {e.findtext(f'{{{s.CORE}}}ErrorDescription')}"
            for e in root.iter(f"{{{s.CORE}}}ErrorInformation")]


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(3600, 30 * 2 ** min(attempts, 7)))


def send(message_id: int, *, now: datetime) -> str:
    """Try to send one message; return its state. Safe to run twice at once: a short lease
    lets one process send, and a second send would be a retransmission anyway."""
    lease = now + timedelta(minutes=2)
    taken = OutboundMessage.objects.filter(
        Q(lease_until__isnull=True) | Q(lease_until__lt=now), pk=message_id,
        state=OutboundMessage.State.PENDING).update(lease_until=lease)
    if not taken:
        return OutboundMessage.objects.get(pk=message_id).state
    message = OutboundMessage.objects.select_related("case").get(pk=message_id)
    target = endpoint_for(message.agency_id, m.EndpointId(message.country_code,
                                                          message.unique_identifier))
    error, answer, refused = "", b"", []
    if target is None:
        error = (f"no registered endpoint {message.country_code}/{message.unique_identifier} "
                 "of this agency with a URL")
    else:
        try:
            answer = post(target.delivery_url, bytes(message.body))
            refused = _errors(answer)
        except SendError as exc:
            error = str(exc)
    with transaction.atomic():
        message.attempts += 1
        message.lease_until = None
        params = {"number": message.case.number if message.case else "", "kind": message.kind,
                  "transaction_id": message.transaction_id, "attempt": message.attempts,
                  "receiver": f"{message.country_code}/{message.unique_identifier}"}
        if error:
            message.last_error = error[:2000]
            message.next_attempt_at = now + _backoff(message.attempts)
            record(Action.HI1_ANSWER_NOT_SENT, actor=None, target=message.case, now=now,
                   params={**params, "error": error[:500]})
        else:
            message.response = answer
            message.sent_at = now
            message.state = (OutboundMessage.State.FAILED if refused
                             else OutboundMessage.State.SENT)
            message.last_error = "; ".join(refused)[:2000]
            record(Action.HI1_ANSWER_SENT, actor=None, target=message.case, now=now,
                   params={**params, "url": target.delivery_url if target else "",
                           "errors": refused[:20]})
        message.save()
    if error:
        log.warning("HI-1 message %s not sent (attempt %s): %s", message.transaction_id,
                    message.attempts, error)
    return message.state


def send_due(*, now: datetime) -> int:
    """Send every pending message whose time has come (the clock loop; after a restart)."""
    due = list(OutboundMessage.objects.filter(
        state=OutboundMessage.State.PENDING, next_attempt_at__lte=now).filter(
        Q(lease_until__isnull=True) | Q(lease_until__lt=now)).values_list("pk", flat=True)[:100])
    for pk in due:
        send(pk, now=now)
    return len(due)
