"""A real TLS-terminating reverse proxy on loopback, as the deployment puts in front of lawdesk:
it requires a client certificate signed by the authorities' CA, strips any incoming
fingerprint header, and forwards the body with the SHA-256 fingerprint of the verified
certificate, as coming from its own address (127.0.0.2, the one lawdesk is told to trust).

The hop to lawdesk is in-process (Django's test client in the test's thread, so the test's
database transaction is seen): the proxy serves one request at a time in the calling thread,
while the client under test runs in another (:meth:`TlsProxy.serve_while`)."""

from __future__ import annotations

import datetime as dt
import hashlib
import http.server
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

PROXY_SOURCE = "127.0.0.2"
HEADER = "X-Client-Cert-SHA256"


@dataclass
class Pki:
    ca: Path
    server_cert: Path
    server_key: Path

    def client(self, name: str) -> tuple[Path, Path, str]:
        """A client certificate signed by the CA: (cert, key, SHA-256 fingerprint of its DER)."""
        return _issue(self.ca.parent, name, self.ca, self.ca.with_suffix(".key"), client=True)


def _write(path: Path, key, cert) -> None:
    path.with_suffix(".key").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def _builder(subject: str, issuer: x509.Name | None, public_key):
    now = dt.datetime.now(dt.UTC)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    return (x509.CertificateBuilder().subject_name(name).issuer_name(issuer or name)
            .public_key(public_key).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1)))


def _issue(folder: Path, name: str, ca_cert: Path, ca_key: Path, *, client: bool):
    ca = x509.load_pem_x509_certificate(ca_cert.read_bytes())
    signer = serialization.load_pem_private_key(ca_key.read_bytes(), None)
    key = ec.generate_private_key(ec.SECP256R1())
    builder = _builder(name, ca.subject, key.public_key())
    if not client:
        import ipaddress

        builder = builder.add_extension(x509.SubjectAlternativeName(
            [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
    cert = builder.sign(signer, hashes.SHA256())
    path = folder / f"{name}.pem"
    _write(path, key, cert)
    fingerprint = hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()
    return path, path.with_suffix(".key"), fingerprint


def make_pki(folder: Path) -> Pki:
    key = ec.generate_private_key(ec.SECP256R1())
    ca = (_builder("authorities-ca", None, key.public_key())
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .sign(key, hashes.SHA256()))
    _write(folder / "ca.pem", key, ca)
    server, server_key, _ = _issue(folder, "server", folder / "ca.pem", folder / "ca.key",
                                   client=False)
    return Pki(folder / "ca.pem", server, server_key)


class TlsProxy:
    """Serve HTTPS with required client certificates on 127.0.0.1; hand each request to
    ``forward(path, body, headers) -> (status, content_type, body)``."""

    def __init__(self, forward: Callable[[str, bytes, dict[str, str]], tuple[int, str, bytes]],
                 pki: Pki):
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # a download: ``forward`` gets no body (None)
                self.do_POST(get=True)

            def do_POST(self, get=False):
                der = self.connection.getpeercert(binary_form=True)
                body = None if get else self.rfile.read(int(self.headers.get("Content-Length", "0")))
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in (HEADER.lower(), "host", "content-length")}
                headers[HEADER] = hashlib.sha256(der).hexdigest()
                status, content_type, data = forward(self.path, body, headers)
                proxy.forwarded += 1
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(pki.server_cert, pki.server_key)
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(pki.ca)
        self.server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.server.timeout = 0.2
        self.forwarded = 0
        self.url = f"https://127.0.0.1:{self.server.server_port}"

    def serve_while(self, client: Callable[[], Any]) -> Any:
        """Run ``client`` in a thread and serve its requests here until it returns."""
        result: list[Any] = []
        thread = threading.Thread(target=lambda: result.append(client()), daemon=True)
        thread.start()
        while thread.is_alive():
            self.server.handle_request()
        thread.join()
        return result[0]

    def close(self) -> None:
        self.server.server_close()
