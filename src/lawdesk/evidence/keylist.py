"""The platform's published key list, read by verifiers (no Django).

``/.well-known/lawdesk-keys.json`` lists every key the platform has used: purpose (``package``,
``checkpoint``, ``receipt``), fingerprint, raw public key, validity period and revocation. A
package verifies against it when it is signed by a *package* key that was valid at the time
the package says it was produced (a time covered by the signature).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lawdesk.evidence.bag import Failure
from lawdesk.evidence.catalogue import Message, gettext_noop

FORMAT = "lawdesk-keys/1"
WELL_KNOWN = "/.well-known/lawdesk-keys.json"
_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")
MAX_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class ListedKey:
    """One published key."""

    purpose: str
    fingerprint: str
    raw: bytes
    not_before: str
    not_after: str | None
    revoked_at: str | None
    revocation_reason: str

    def problem_at(self, when: datetime) -> str | None:
        """Why this key was not valid at ``when``, or None if it was."""
        t = when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        if t < self.not_before:
            return Message(gettext_noop("its validity starts at %(start)s, after the signing time %(at)s"),
                           start=self.not_before, at=t)
        if self.revoked_at is not None and t >= self.revoked_at:
            return Message(gettext_noop("it was revoked from %(revoked)s (%(reason)s), before the signing "
                                        "time %(at)s"), revoked=self.revoked_at, at=t,
                           reason=self.revocation_reason or Message(gettext_noop("no reason given")))
        if self.not_after is not None and t >= self.not_after:
            return Message(gettext_noop("its validity ended at %(end)s, before the signing time %(at)s"),
                           end=self.not_after, at=t)
        return None

    def period(self) -> str:
        """The validity period in words."""
        text = (Message(gettext_noop("valid from %(start)s until %(end)s (retired)"), start=self.not_before,
                        end=self.not_after) if self.not_after else
                Message(gettext_noop("valid from %(start)s current"), start=self.not_before))
        if self.revoked_at:
            text = Message(gettext_noop("%(period)s, revoked from %(revoked)s"), period=text,
                           revoked=self.revoked_at)
        return text


def _fingerprint(raw: bytes) -> str:
    return "SHA256:" + base64.b64encode(hashlib.sha256(raw).digest()).decode().rstrip("=")


def parse(data: Any, where: str = "key list") -> list[ListedKey]:
    """Parse and check a key list document (each fingerprint must match its key)."""
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("keys"), list):
        raise Failure(where, gettext_noop("not a %(format)s document"), {"format": FORMAT})
    out = []
    for n, entry in enumerate(data["keys"]):
        try:
            raw = base64.b64decode(entry["public_key"], validate=True)
            times = [entry["not_before"], entry.get("not_after"), entry.get("revoked_at")]
            if len(raw) != 32 or not isinstance(entry["purpose"], str):
                raise ValueError("bad key")
            if any(t is not None and not _TIME.fullmatch(t) for t in times) or times[0] is None:
                raise ValueError("bad time")
            key = ListedKey(purpose=entry["purpose"], fingerprint=entry["fingerprint"], raw=raw,
                            not_before=times[0], not_after=times[1], revoked_at=times[2],
                            revocation_reason=str(entry.get("revocation_reason") or ""))
        except (KeyError, TypeError, ValueError) as exc:
            raise Failure(where, gettext_noop(
                "entry %(n)s is malformed (%(error)s)"),
                {"n": n, "error": exc}) from None
        if key.fingerprint != _fingerprint(raw):
            raise Failure(where, gettext_noop(
                "entry %(n)s: fingerprint %(fingerprint)s does not match its key"),
                {"n": n, "fingerprint": key.fingerprint})
        out.append(key)
    return out


def load(location: str) -> list[ListedKey]:
    """Read a key list from a file or an http(s) URL (a site URL means its well-known path)."""
    if re.match(r"https?://", location):
        parts = urllib.parse.urlsplit(location)
        url = location if parts.path.endswith(".json") else urllib.parse.urlunsplit(
            (parts.scheme, parts.netloc, WELL_KNOWN, "", ""))
        request = urllib.request.Request(url, headers={"User-Agent": "lawdesk-verify"})  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (scheme checked)
                body = response.read(MAX_BYTES + 1)
        except (urllib.error.URLError, OSError) as exc:
            raise Failure(url, gettext_noop("cannot fetch the key list (%(error)s)"), {"error": exc}) from exc
    else:
        try:
            body = Path(location).read_bytes()[: MAX_BYTES + 1]
        except OSError as exc:
            raise Failure(location, gettext_noop(
                "cannot read the key list (%(strerror)s)"),
                {"strerror": exc.strerror}) from exc
    if len(body) > MAX_BYTES:
        raise Failure(location, gettext_noop("key list too large"))
    try:
        return parse(json.loads(body), location)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise Failure(location, gettext_noop("the key list is not JSON")) from exc


def find(keys: list[ListedKey], fingerprint: str, purpose: str) -> ListedKey:
    """The listed key with this fingerprint for ``purpose``; a clear failure otherwise."""
    same = [k for k in keys if k.fingerprint == fingerprint]
    for k in same:
        if k.purpose == purpose:
            return k
    if same:
        raise Failure("signature", gettext_noop(
            "key %(fingerprint)s is the platform's %(purpose)s key, not a %(purpose2)s key"),
            {"fingerprint": fingerprint, "purpose": same[0].purpose, "purpose2": purpose})
    raise Failure("signature", gettext_noop(
        "key %(fingerprint)s is not in the platform's published key list"),
        {"fingerprint": fingerprint})


def receipt_signed_bytes(document: dict[str, Any]) -> bytes:
    """What the receipt key signs: the receipt's canonical JSON without its signature fields."""
    body = {k: v for k, v in document.items() if k not in ("signature", "signing_key")}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def check_receipt_signature(document: Any, keys: list[ListedKey]) -> ListedKey:
    """The listed *receipt* key whose signature the receipt carries; a failure otherwise."""
    # reason: start-up time: this module is on the command line's or a verifier's import path (no Django)
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        fingerprint = document["signing_key"]["fingerprint"]
        signature = base64.b64decode(document["signature"], validate=True)
    except (KeyError, TypeError, ValueError):
        raise Failure("receipt", gettext_noop("not signed with a receipt key")) from None
    key = find(keys, fingerprint, "receipt")
    if key.revoked_at is not None:
        raise Failure("receipt", gettext_noop(
            "signed by receipt key %(fingerprint)s, revoked from %(revoked_at)s (%(reason)s)"),
            {"fingerprint": fingerprint,
             "revoked_at": key.revoked_at,
             "reason": key.revocation_reason or gettext_noop("no reason given")})
    try:
        Ed25519PublicKey.from_public_bytes(key.raw).verify(signature, receipt_signed_bytes(document))
    except InvalidSignature:
        raise Failure("receipt", gettext_noop(
            "the signature by receipt key %(fingerprint)s does not verify: the receipt was altered"),
            {"fingerprint": fingerprint}) from None
    return key
