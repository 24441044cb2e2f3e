"""The authority's side of lawdesk's answers, for integrators and tests (no Django).

:class:`Receiver` is a small HI-1 server behind mutual TLS, as an authority runs one: it reads
each message lawdesk sends with the same schema lawdesk reads requests with, keeps it under its
TransactionIdentifier (a retransmission replaces the same file), and answers every action
(CREATEResponse, DELIVERResponse). :func:`unpack` takes a kept DELIVER message apart: each
package is decoded (or fetched from its URL over mutual TLS), its length and every checksum
checked, and written to a folder for ``lawdesk verify``; a task without data is reported as
``DataExistence`` false.
"""

from __future__ import annotations

import base64
import hashlib
import http.server
import re
import ssl
import threading
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from lawdesk.core.clock import utcnow
from lawdesk.interop import message as m
from lawdesk.interop import schema as s

_HASHES = {"SHA-256": hashlib.sha256, "SHA-512": hashlib.sha512, "SHA256": hashlib.sha256,
           "SHA512": hashlib.sha512}


def answer(data: bytes) -> bytes:
    """The authority's answer to a message from the platform: one response per action."""
    try:
        request = m.read_request(data)
    except m.HI1Error as exc:
        header = exc.header
        me = header.receiver if header else m.EndpointId("XX", "authority")
        return m.response(m.header_element(
            sender=me, receiver=header.sender if header else me,
            transaction_id=header.transaction_id if header else str(uuid.uuid4()),
            now=utcnow(), version=header.version if header else
            m.Version("V1.22.1", "EU", "v1.3.1")), error=exc)
    header = request.header
    actions = []
    for action in request.actions:
        if action.error is not None:
            actions.append(m.action_response(action.identifier, m.error_element(action.error)))
            continue
        identifier = m.text(action.body, s.CORE, "Identifier") or m.text(
            s._children(action.body)[0], s.CORE, "ObjectIdentifier")
        kind = {"CREATE": "CREATEResponse", "DELIVER": "DELIVERResponse"}.get(action.verb)
        if kind is None:
            actions.append(m.action_response(action.identifier, m.error_element(m.HI1Error(
                m.ErrorCode.NOT_SUPPORTED, f"{action.verb} is not accepted here."))))
            continue
        actions.append(m.action_response(action.identifier,
                                         m.C(kind, m.C("Identifier", text=identifier))))
    return m.response(m.header_element(sender=header.receiver, receiver=header.sender,
                                       transaction_id=header.transaction_id,
                                       now=utcnow(), version=header.version),
                      actions=actions)


class Receiver:
    """An HTTPS server requiring a client certificate signed by ``client_ca``; every message
    POSTed is kept in ``folder`` as ``<TransactionIdentifier>.xml`` and answered."""

    def __init__(self, folder: Path, *, cert: str, key: str, client_ca: str,
                 host: str = "127.0.0.1", port: int = 0):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.received: list[Path] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                data = self.rfile.read(min(length, 20_000_000))
                body = answer(data)
                match = re.search(rb"<(?:\w+:)?TransactionIdentifier>([0-9a-f-]{36})<", data)
                if match:
                    path = outer.folder / f"{match.group(1).decode()}.xml"
                    path.write_bytes(data)
                    outer.received.append(path)
                self.send_response(200)
                self.send_header("Content-Type", "application/xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                return

        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        context.load_verify_locations(client_ca)
        context.verify_mode = ssl.CERT_REQUIRED
        self.server = http.server.ThreadingHTTPServer((host, port), Handler)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.url = f"https://{host}:{self.server.server_address[1]}/hi1/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> Receiver:
        self.thread.start()
        return self

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class UnpackError(ValueError):
    """A delivery that does not check out (length, checksum, missing data)."""


@dataclass
class Unpacked:
    """What one message held: packages written, tasks without data, statuses notified."""

    packages: list[Path] = field(default_factory=list)
    no_data: list[str] = field(default_factory=list)  # LDIDs (or task ids)
    statuses: list[tuple[str, str]] = field(default_factory=list)  # (object id, status)
    documents: list[Path] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)


def _check(content: bytes, binary: etree._Element, what: str) -> None:
    d, c = s.DELIVERY, s.COMMON
    length = m.text(binary, d, "ContentLength")
    if length and int(length) != len(content):
        raise UnpackError(f"{what}: {len(content)} bytes, the DELIVER says {length}")
    sums = [(m.text(binary, d, "Checksum"), m.text(binary, d, "ChecksumType") or "SHA-256")]
    sums += [(m.text(pair, c, "Checksum"), m.text(pair, c, "ChecksumType")) for pair in
             binary.iterfind(f"{{{d}}}Checksums/{{{c}}}ChecksumAndType")]
    checked = 0
    for value, kind in sums:
        if not value:
            continue
        digest = _HASHES.get(kind.upper())
        if digest is None:
            continue
        if digest(content).hexdigest() != value.lower():
            raise UnpackError(f"{what}: the {kind} checksum does not match")
        checked += 1
    if not checked:
        raise UnpackError(f"{what}: no SHA-256 or SHA-512 checksum to check it against")


def fetch(url: str, *, cert: str | None, key: str | None, ca: str | None,
          timeout: float = 120) -> bytes:
    if not url.startswith("https://"):
        raise UnpackError(f"{url}: a delivery URL must be https")
    context = ssl.create_default_context(cafile=ca)
    if cert:
        context.load_cert_chain(cert, key)
    opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context))
    with opener.open(url, timeout=timeout) as response:
        return bytes(response.read())


def unpack(data: bytes, folder: Path, *, cert: str | None = None, key: str | None = None,
           ca: str | None = None) -> Unpacked:
    """Check and write every package a message delivers; note tasks without data and the
    statuses a notification reports."""
    request = m.read_request(data)
    folder.mkdir(parents=True, exist_ok=True)
    out = Unpacked()
    d, n = s.DELIVERY, s.NOTIFICATION
    for action in request.actions:
        if action.error is not None:
            raise UnpackError(f"action {action.identifier}: {action.error}")
        obj = s._children(action.body)[-1]
        if action.object_type == "NotificationObject":
            for status in obj.iterfind(f"{{{n}}}StatusOfAssociatedObjects/"
                                       f"{{{n}}}AssociatedObjectStatus"):
                entry = m.dict_entry(status.find(f"{{{n}}}Status"))
                oid = m.text(status, n, "AssociatedObject")
                out.statuses.append((oid, entry.value if entry else ""))
                out.lines.append(f"status {oid}: {entry.value if entry else '?'}")
            continue
        if action.object_type == "DocumentObject":  # an Annex III form, an Annex II feedback
            body = obj.find(f"{{{s.DOC}}}DocumentBody")
            if body is None:
                continue
            content = base64.b64decode("".join(m.text(body, s.DOC, "Contents").split()))
            kind = m.text(body, s.DOC, "ContentType")
            suffix = {"application/pdf": ".pdf", "application/xml": ".xml",
                      "application/json": ".json"}.get(kind, ".bin")
            path = folder / f"{m.text(obj, s.CORE, 'ObjectIdentifier')}{suffix}"
            path.write_bytes(content)
            out.documents.append(path)
            out.lines.append(f"document {m.text(obj, s.DOC, 'DocumentName')}: {path}")
            continue
        if action.object_type != "DeliveryObject":
            continue
        reference = m.text(obj, d, "Reference", "LDID") or m.text(obj, s.CORE, "ObjectIdentifier")
        delivery = obj.find(f"{{{d}}}Delivery")
        if delivery is None:
            raise UnpackError(f"{reference}: the DeliveryObject has no Delivery")
        content_element = s._children(delivery)[0]
        kind = s.local(content_element.tag)
        if kind == "DataExistence":
            if (content_element.text or "").strip() in ("false", "0"):
                out.no_data.append(reference)
                out.lines.append(f"{reference}: no data held (DataExistence false)")
            continue
        if kind == "BinaryData":
            content = base64.b64decode("".join(m.text(content_element, d, "Data").split()))
        elif kind == "URL":
            expiry = m.text(content_element, d, "Expiry")
            if expiry and m.parse_datetime(expiry) <= utcnow():
                raise UnpackError(f"{reference}: the delivery URL expired at {expiry}")
            content = fetch(m.text(content_element, d, "URL"), cert=cert, key=key, ca=ca)
        else:
            raise UnpackError(f"{reference}: {kind} deliveries are not handled by this tool")
        _check(content, content_element, reference)
        name = Path(m.text(content_element, d, "OriginalFilename") or f"{reference}.bin").name
        path = folder / name
        path.write_bytes(content)
        out.packages.append(path)
        associated = [a.text or "" for a in obj.iterfind(
            f"{{{s.CORE}}}AssociatedObjects/{{{s.CORE}}}AssociatedObject")]
        out.lines.append(f"{reference}: package {path} ({len(content):,} bytes, checksums match;"
                         f" tasks {', '.join(associated)})")
    return out
