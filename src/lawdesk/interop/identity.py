"""Who is sending: the client certificate the reverse proxy verified, and only from it.

The authorities' mutual TLS ends at the reverse proxy in front of lawdesk; the proxy checks the
certificate chain and passes the certificate's SHA-256 fingerprint in a header
(``LAWDESK_HI1_CERT_HEADER``). lawdesk believes that header only on connections from the
addresses in ``LAWDESK_HI1_PROXIES``: anyone else could simply type it
(docs/decisions/0019-hi1-mtls-identity.md).
"""

from __future__ import annotations

import ipaddress
import re

from django.conf import settings
from django.http import HttpRequest

from lawdesk.interop.message import EndpointId

_HEX = re.compile(r"[0-9a-f]{64}")


def normalise_fingerprint(text: str) -> str:
    """A SHA-256 fingerprint as lower-case hex without separators; ValueError otherwise.
    Accepts ``AB:CD:…`` (OpenSSL), plain hex, and an optional ``sha256:``/``SHA256=`` prefix."""
    value = text.strip().lower()
    for prefix in ("sha256:", "sha256=", "sha256 fingerprint="):
        value = value.removeprefix(prefix)
    value = value.replace(":", "").replace(" ", "")
    if not _HEX.fullmatch(value):
        raise ValueError("A SHA-256 certificate fingerprint has 64 hexadecimal digits.")
    return value


def from_trusted_proxy(request: HttpRequest) -> bool:
    """The connection comes from one of the configured TLS-terminating proxies."""
    try:
        remote = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    for entry in settings.LAWDESK_HI1_PROXIES:
        try:
            if remote in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


def presented_fingerprint(request: HttpRequest) -> str | None:
    """The fingerprint header as sent (not yet trusted), or None."""
    key = "HTTP_" + settings.LAWDESK_HI1_CERT_HEADER.upper().replace("-", "_")
    value = request.META.get(key)
    return value.strip()[:200] if value else None


def own_identity() -> EndpointId:
    """This platform's HI-1 endpoint identity (``LAWDESK_HI1_IDENTITY``, ``CC:Identifier``)."""
    country, _, unique = settings.LAWDESK_HI1_IDENTITY.partition(":")
    return EndpointId(country.strip().upper(), unique.strip())
