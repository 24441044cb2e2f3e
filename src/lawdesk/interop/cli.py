"""``lawdesk hi1``: the authority's side, for integrators and tests.

``lawdesk hi1 send FILE.xml --to URL --cert CERT --key KEY`` posts an HI-1 message over mutual
TLS and prints each action's answer; ``lawdesk hi1 get OBJECT_ID`` asks for one object;
``lawdesk hi1 status TASK`` prints a task's status by its identifier or its reference (LDID,
a take-down's RequesterReference). None needs Django or a database.
"""

from __future__ import annotations

import ssl
import sys
import urllib.error
import urllib.request
import uuid
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from lawdesk.core.clock import utcnow

app = typer.Typer(help="HI-1 (ETSI TS 103 120): send messages as an authority would.",
                  no_args_is_help=True)

CertOpt = Annotated[str | None, typer.Option(help="Client certificate (PEM) for mutual TLS.")]
KeyOpt = Annotated[str | None, typer.Option(help="Private key of the client certificate (PEM).")]
CaOpt = Annotated[str | None, typer.Option(help="CA certificate(s) to verify the server "
                                                "(default: the system's).")]


def _context(cert: str | None, key: str | None, ca: str | None) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=ca)
    if cert:
        context.load_cert_chain(cert, key)
    return context


def post(data: bytes, url: str, *, cert: str | None = None, key: str | None = None,
         ca: str | None = None, timeout: float = 30) -> tuple[int, bytes]:
    """POST ``data`` to ``url``; return the HTTP status and body."""
    if not url.startswith(("https://", "http://")):
        raise typer.BadParameter("--to must be an http(s) URL")
    request = urllib.request.Request(url, data=data, method="POST",  # noqa: S310 (checked above)
                                     headers={"Content-Type": "application/xml"})
    handlers = []
    if url.startswith("https://"):
        handlers.append(urllib.request.HTTPSHandler(context=_context(cert, key, ca)))
    opener = urllib.request.build_opener(*handlers)
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except (urllib.error.URLError, OSError) as exc:  # TLS handshake refused, no route …
        typer.echo(f"could not reach {url}: {getattr(exc, 'reason', exc)}", err=True)
        raise typer.Exit(3) from None


def fresh(data: bytes, now: datetime) -> bytes:
    """The message with a new TransactionIdentifier and Timestamp (text substitution on the
    first occurrence of each, so the rest of the bytes stay as written)."""
    # reason: start-up time: the command line loads only what the command it runs needs
    import re

    # reason: start-up time: the command line loads only what the command it runs needs
    from lawdesk.interop.message import timestamp

    data = re.sub(rb"(<(?:\w+:)?TransactionIdentifier>)[^<]*", lambda m: m.group(1)
                  + str(uuid.uuid4()).encode(), data, count=1)
    return re.sub(rb"(<(?:\w+:)?Timestamp>)[^<]*", lambda m: m.group(1)
                  + timestamp(now).encode(), data, count=1)


def summarise(body: bytes) -> tuple[list[str], bool]:
    """One line per action answer (and the message-level error); True if anything failed."""
    # reason: start-up time: the command line loads only what the command it runs needs
    from lawdesk.interop import schema as s
    from lawdesk.interop.xmlsafe import parse

    root = parse(body, namespaces=s.NAMESPACES)
    ns = {"c": s.CORE}
    lines, failed = [], False
    top = root.find("c:Payload/c:ResponsePayload/c:ErrorInformation", ns)
    if top is not None:
        lines.append(f"message: error {top.findtext('c:ErrorCode', namespaces=ns)} "
                     f"{top.findtext('c:ErrorDescription', namespaces=ns)}")
        return lines, True
    for answer in root.iterfind(".//c:ActionResponse", ns):
        action = answer.findtext("c:ActionIdentifier", namespaces=ns)
        error = answer.find("c:ErrorInformation", ns)
        if error is not None:
            failed = True
            lines.append(f"action {action}: error {error.findtext('c:ErrorCode', namespaces=ns)} "
                         f"{error.findtext('c:ErrorDescription', namespaces=ns)}")
            continue
        result = next((c for c in answer if isinstance(c.tag, str)
                       and not c.tag.endswith("ActionIdentifier")), None)
        name = s.local(result.tag) if result is not None else "?"
        identifier = result.findtext("c:Identifier", namespaces=ns) if result is not None else None
        status = root.xpath(".//*[local-name()='Status']/*[local-name()='Value']/text()") \
            if name == "GETResponse" else []
        lines.append(f"action {action}: {name}" + (f" {identifier}" if identifier else "")
                     + (f" status {status[0]}" if status else ""))
    return lines, failed


@app.command("send")
def send(
    file: Annotated[Path, typer.Argument(help="The HI-1 message (XML).")],
    to: Annotated[str, typer.Option("--to", help="The platform's HI-1 URL, e.g. "
                                                 "https://lawdesk.example/hi1/.")],
    cert: CertOpt = None, key: KeyOpt = None, ca: CaOpt = None,
    new_transaction: Annotated[bool, typer.Option(
        "--new-transaction", help="Send with a new TransactionIdentifier and Timestamp (without "
        "it, sending the same file again is a retransmission).")] = False,
    raw: Annotated[bool, typer.Option("--raw", help="Print the answer's XML.")] = False,
) -> None:
    """Send one HI-1 message; print each action's answer. Exit 1 on any error, 2 if refused."""
    data = file.read_bytes()
    if new_transaction:
        data = fresh(data, utcnow())
    status, body = post(data, to, cert=cert, key=key, ca=ca)
    if status != 200:
        typer.echo(f"refused: HTTP {status} {body.decode('utf-8', 'replace').strip()}", err=True)
        raise typer.Exit(2)
    if raw:
        sys.stdout.write(body.decode("utf-8"))
    lines, failed = summarise(body)
    for line in lines:
        typer.echo(line)
    raise typer.Exit(1 if failed else 0)


@app.command("get")
def get(
    object_id: Annotated[str, typer.Argument(help="ObjectIdentifier of a task or other object.")],
    to: Annotated[str, typer.Option("--to", help="The platform's HI-1 URL.")],
    sender: Annotated[str, typer.Option(help="Your endpoint: CountryCode:UniqueIdentifier.")],
    receiver: Annotated[str, typer.Option(help="The platform's: CountryCode:UniqueIdentifier.")],
    cert: CertOpt = None, key: KeyOpt = None, ca: CaOpt = None,
) -> None:
    """Ask for one object as the platform holds it now (a task's Status follows the desk)."""
    # reason: start-up time: the command line loads only what the command it runs needs
    from lawdesk.interop import message as m

    status, answer = post(_tasks_request(sender, receiver, m.C("GET", m.C("Identifier", text=object_id))),
                          to, cert=cert, key=key, ca=ca)
    if status != 200:
        typer.echo(f"refused: HTTP {status} {answer.decode('utf-8', 'replace').strip()}", err=True)
        raise typer.Exit(2)
    lines, failed = summarise(answer)
    for line in lines:
        typer.echo(line)
    raise typer.Exit(1 if failed else 0)


def _tasks_request(sender: str, receiver: str, *actions: object) -> bytes:
    # reason: start-up time: the command line loads only what the command it runs needs
    from lawdesk.interop import message as m

    def endpoint(text: str) -> m.EndpointId:
        country, _, unique = text.partition(":")
        return m.EndpointId(country.upper(), unique)

    header = m.header_element(sender=endpoint(sender), receiver=endpoint(receiver),
                              transaction_id=str(uuid.uuid4()), now=utcnow(),
                              version=m.Version("V1.22.1", "EU", "v1.3.1"))
    body = m.C("RequestPayload", m.C("ActionRequests", *(
        m.C("ActionRequest", m.C("ActionIdentifier", text=str(i)), action)
        for i, action in enumerate(actions))))
    return m.message(header, body)


TASK_TYPES = ("LDTask", "LPTask", "TDTask")


@app.command("status")
def status(
    task: Annotated[str, typer.Argument(help="The task: its ObjectIdentifier, or its reference "
                                             "(an LDTask's LDID, a TDTask's RequesterReference).")],
    to: Annotated[str, typer.Option("--to", help="The platform's HI-1 URL.")],
    sender: Annotated[str, typer.Option(help="Your endpoint: CountryCode:UniqueIdentifier.")],
    receiver: Annotated[str, typer.Option(help="The platform's: CountryCode:UniqueIdentifier.")],
    cert: CertOpt = None, key: KeyOpt = None, ca: CaOpt = None,
) -> None:
    """Print the status the platform gives a task (and its own reference of it). A reference is
    looked up among your tasks (LIST, then GET of each). Exit 1 if no task matches."""
    # reason: start-up time: the command line loads only what the command it runs needs
    import re

    # reason: start-up time: the command line loads only what the command it runs needs
    from lawdesk.interop import message as m
    from lawdesk.interop import schema as s
    from lawdesk.interop.xmlsafe import parse

    def ask(*actions: object) -> object:
        code, answer = post(_tasks_request(sender, receiver, *actions), to, cert=cert, key=key,
                            ca=ca)
        if code != 200:
            typer.echo(f"refused: HTTP {code} {answer.decode('utf-8', 'replace').strip()}",
                       err=True)
            raise typer.Exit(2)
        return parse(answer, namespaces=s.NAMESPACES)

    ns = {"c": s.CORE, "task": s.TASK, "common": s.COMMON}
    if re.fullmatch(s.UUID, task):
        candidates = [task]
    else:
        listed = ask(m.C("LIST"))
        candidates = [r.findtext("c:Identifier", namespaces=ns) or "" for r in listed.iterfind(  # type: ignore[attr-defined]
            ".//c:ListResponseRecord", ns)
            if r.findtext("c:ObjectType/common:Value", namespaces=ns) in TASK_TYPES][:100]
    found = 0
    if candidates:
        root = ask(*(m.C("GET", m.C("Identifier", text=oid)) for oid in candidates))
        for obj in root.iterfind(".//c:GETResponse/c:HI1Object", ns):  # type: ignore[attr-defined]
            oid = obj.findtext("c:ObjectIdentifier", namespaces=ns)
            references = {obj.findtext("task:Reference", namespaces=ns),
                          obj.findtext("task:RequesterReference", namespaces=ns)}
            if oid != task and task not in references:
                continue
            found += 1
            kind = (obj.get(f"{{{s.XSI}}}type") or "").rpartition(":")[2].removesuffix("Object")
            value = obj.findtext("task:Status/common:Value", namespaces=ns) or "?"
            platform = obj.findtext("task:CSPReference", namespaces=ns)
            typer.echo(f"{oid} {kind}: status {value}"
                       + (f" (platform reference {platform})" if platform else ""))
        for error in root.iterfind(".//c:ErrorInformation", ns):  # type: ignore[attr-defined]
            typer.echo(f"error {error.findtext('c:ErrorCode', namespaces=ns)} "
                       f"{error.findtext('c:ErrorDescription', namespaces=ns)}")
    if not found:
        typer.echo(f"no task {task}", err=True)
    raise typer.Exit(0 if found else 1)


@app.command("receive")
def receive(
    folder: Annotated[Path, typer.Argument(help="Where each message received is kept.")],
    cert: Annotated[str, typer.Option(help="This server's certificate (PEM).")],
    key: Annotated[str, typer.Option(help="This server's private key (PEM).")],
    client_ca: Annotated[str, typer.Option(help="CA that signed the platform's client "
                                                "certificate (mutual TLS).")],
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8443,
) -> None:
    """Run an authority's HI-1 server: keep and answer what the platform sends (status
    notifications, deliveries) until interrupted."""
    # reason: start-up time: the command line loads only what the command it runs needs
    import time

    # reason: start-up time: the command line loads only what the command it runs needs
    from lawdesk.interop.authority import Receiver

    server = Receiver(folder, cert=cert, key=key, client_ca=client_ca, host=host,
                      port=port).start()
    typer.echo(f"receiving at {server.url}, keeping messages in {folder}")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.close()


@app.command("unpack")
def unpack(
    file: Annotated[Path, typer.Argument(help="A message the platform sent (XML).")],
    out: Annotated[Path, typer.Option("--out", help="Folder for the packages.")] = Path("."),
    public_key: Annotated[Path | None, typer.Option(
        "--public-key", help="Verify each package with the platform's package key (PEM), as "
        "lawdesk verify does.")] = None,
    cert: CertOpt = None, key: KeyOpt = None, ca: CaOpt = None,
) -> None:
    """Check a DELIVER (or a status notification): write each package after checking its
    length and checksums (fetching it over mutual TLS when it is a URL), list the tasks
    without data, and with --public-key verify each package. Exit 1 if anything fails."""
    # reason: start-up time: the command line loads only what the command it runs needs
    from lawdesk.interop.authority import UnpackError
    from lawdesk.interop.authority import unpack as take_apart
    from lawdesk.interop.message import HI1Error

    try:
        result = take_apart(file.read_bytes(), out, cert=cert, key=key, ca=ca)
    except (UnpackError, HI1Error, OSError) as exc:
        typer.echo(f"failed: {exc}", err=True)
        raise typer.Exit(1) from None
    for line in result.lines:
        typer.echo(line)
    failed = False
    if public_key is not None:
        # reason: start-up time: the command line loads only what the command it runs needs
        from lawdesk.evidence.verify import verify_package

        for package in result.packages:
            report = verify_package(package, public_key_pem=public_key.read_bytes())
            if report.failure is not None:
                failed = True
                typer.echo(f"{package.name}: verification FAILED: {report.failure}")
            else:
                typer.echo(f"{package.name}: verified (signature and every checksum)")
    raise typer.Exit(1 if failed else 0)
