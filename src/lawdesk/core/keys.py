"""The platform's Ed25519 keys: one per purpose, each with a validity period.

Purposes: ``package`` signs evidence packages, ``checkpoint`` signs the transparency log's and
the anchor log's checkpoints, ``receipt`` signs the receipts officers are given. A key serves
one purpose only; a verifier refuses a package signed with a checkpoint key.

The keys live in ``LAWDESK_KEYS_DIR`` (default ``$LAWDESK_HOME/keys``): one PKCS#8 PEM file per
private key and ``registry.json``, the list of every key ever used with its purpose, validity
period and revocation. Rotating a purpose's key starts a new key and closes the old one's period;
the old key stays in the list so that what it signed still verifies. The list without the
private file names is the public document served at ``/.well-known/lawdesk-keys.json`` and
recorded in the anchor log.

Embedded and test modes create missing keys on first use. Production refuses to: run
``lawdesk keys init`` once (a key that appeared silently would make earlier signatures
unverifiable). A deployment that had the single key of earlier versions
(``LAWDESK_SIGNING_KEY_FILE`` or ``$LAWDESK_HOME/platform_ed25519.pem``) keeps it as its
checkpoint key, so that verifiers who pinned it keep working, and it is listed as a package key
valid until the separation, so that the packages it signed still verify.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from lawdesk.core.clock import utcnow

PURPOSES = ("package", "checkpoint", "receipt")
REGISTRY_FORMAT = "lawdesk-keys/1"
_REGISTRY = "registry.json"


class KeyError_(ValueError):
    """A key operation was refused (unknown purpose or key, already revoked…)."""


@dataclass(frozen=True)
class KeyRecord:
    """One key in the registry: its purpose, validity period, and revocation if any.

    A key is valid at ``t`` when ``not_before <= t``, ``t < not_after`` (if set) and
    ``t < revoked_at`` (if set). ``revoked_at`` is when the key is considered compromised:
    signatures dated from then on are refused, earlier ones still verify.
    """

    purpose: str
    fingerprint: str
    public_key: str  # base64 of the 32 raw bytes
    not_before: str
    not_after: str | None = None
    revoked_at: str | None = None
    revocation_reason: str = ""
    note: str = ""
    file: str = field(default="", compare=False)  # private key file name (never published)

    @property
    def raw(self) -> bytes:
        """The 32 raw public key bytes."""
        return base64.b64decode(self.public_key)

    def public_key_pem(self) -> bytes:
        """SubjectPublicKeyInfo PEM (what OpenSSL reads)."""
        return Ed25519PublicKey.from_public_bytes(self.raw).public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)

    def valid_at(self, when: datetime) -> bool:
        """Whether this key was valid for its purpose at ``when``."""
        t = _iso(when)
        return (self.not_before <= t and (self.not_after is None or t < self.not_after)
                and (self.revoked_at is None or t < self.revoked_at))

    def public(self) -> dict[str, Any]:
        """The published form: everything but the private file name."""
        data = asdict(self)
        data.pop("file")
        data["public_key_pem"] = self.public_key_pem().decode()
        return data


def _iso(when: datetime) -> str:
    if when.tzinfo is None:
        raise ValueError("key validity times must be timezone-aware")
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def fingerprint_raw(raw: bytes) -> str:
    """``SHA256:<base64>`` of a raw 32-byte key, as people compare keys."""
    return "SHA256:" + base64.b64encode(hashlib.sha256(raw).digest()).decode().rstrip("=")


def keys_dir() -> Path:
    """Where the private keys and the registry are kept."""
    configured = os.environ.get("LAWDESK_KEYS_DIR") or getattr(settings, "LAWDESK_KEYS_DIR", "")
    return Path(configured) if configured else Path(settings.HOME) / "keys"


def _legacy_path() -> Path | None:
    configured = os.environ.get("LAWDESK_SIGNING_KEY_FILE")
    if configured:
        return Path(configured)
    path = Path(settings.HOME) / "platform_ed25519.pem"
    return path if path.exists() else None


@contextlib.contextmanager
def _locked() -> Iterator[Path]:
    """Hold an exclusive lock on the key directory (web workers, worker and CLI share it)."""
    folder = keys_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    with open(folder / ".lock", "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield folder
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _read_registry(folder: Path) -> list[KeyRecord]:
    path = folder / _REGISTRY
    if not path.exists():
        return []
    data = json.loads(path.read_text("utf-8"))
    return [KeyRecord(**{k: v for k, v in entry.items() if k != "public_key_pem"})
            for entry in data.get("keys", [])]


def _write_registry(folder: Path, records: list[KeyRecord]) -> None:
    tmp = folder / (_REGISTRY + ".tmp")
    body = {"format": REGISTRY_FORMAT, "keys": [asdict(r) for r in records]}
    tmp.write_text(json.dumps(body, indent=1, sort_keys=True) + "\n", "utf-8")
    tmp.replace(folder / _REGISTRY)


def _load_private(path: Path) -> Ed25519PrivateKey:
    return _load_private_cached(str(path), path.stat().st_mtime_ns)


@lru_cache(maxsize=32)
def _load_private_cached(path: str, _mtime: int) -> Ed25519PrivateKey:
    loaded = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    if not isinstance(loaded, Ed25519PrivateKey):
        raise ImproperlyConfigured(f"{path} is not an Ed25519 private key.")
    return loaded


def _raw(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _new_key(folder: Path, purpose: str, now: datetime, note: str = "") -> KeyRecord:
    key = Ed25519PrivateKey.generate()
    raw = _raw(key)
    name = f"{purpose}-{hashlib.sha256(raw).hexdigest()[:16]}.pem"
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    fd = os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    return KeyRecord(purpose=purpose, fingerprint=fingerprint_raw(raw),
                     public_key=base64.b64encode(raw).decode(), not_before=_iso(now), note=note, file=name)


def _ensure(folder: Path, records: list[KeyRecord], now: datetime, *, create: bool) -> list[KeyRecord]:
    """Add a current key for every purpose that has none (adopting a single legacy key first)."""
    changed = False
    if not records:
        legacy = _legacy_path()
        if legacy is not None and legacy.exists():
            key = _load_private(legacy)
            raw = _raw(key)
            common = {"fingerprint": fingerprint_raw(raw), "public_key": base64.b64encode(raw).decode(),
                      "file": str(legacy.resolve())}
            # Its real start is unknown: valid from the epoch. Old packages keep verifying.
            records.append(KeyRecord(purpose="package", not_before="1970-01-01T00:00:00Z",
                                     not_after=_iso(now), note="the single key of earlier versions",
                                     **common))
            records.append(KeyRecord(purpose="checkpoint", not_before="1970-01-01T00:00:00Z",
                                     note="the single key of earlier versions, kept for the log", **common))
            changed = True
    for purpose in PURPOSES:
        if current(records, purpose) is None:
            if not create:
                raise ImproperlyConfigured(f"no current {purpose} key: run `lawdesk keys init`")
            records.append(_new_key(folder, purpose, now))
            changed = True
    if changed:
        _write_registry(folder, records)
    return records


def current(records: list[KeyRecord], purpose: str) -> KeyRecord | None:
    """The key that signs for ``purpose`` now: open-ended and not revoked."""
    for record in reversed(records):
        if record.purpose == purpose and record.not_after is None and record.revoked_at is None:
            return record
    return None


def registry(*, create: bool | None = None) -> list[KeyRecord]:
    """Every key ever used, oldest first (creating missing current keys outside production)."""
    allow = (not settings.PRODUCTION) if create is None else create
    folder = keys_dir()
    records = _read_registry(folder) if (folder / _REGISTRY).exists() else []
    if all(current(records, p) is not None for p in PURPOSES):
        return records
    with _locked() as folder:
        return _ensure(folder, _read_registry(folder), utcnow(), create=allow)


def init(now: datetime) -> list[KeyRecord]:
    """Create the missing keys (what production runs once, deliberately)."""
    with _locked() as folder:
        return _ensure(folder, _read_registry(folder), now, create=True)


def _check_purpose(purpose: str) -> None:
    if purpose not in PURPOSES:
        raise KeyError_(f"unknown key purpose {purpose!r}: one of {', '.join(PURPOSES)}")


def current_record(purpose: str) -> KeyRecord:
    """The registry entry of the key that signs for ``purpose`` now."""
    _check_purpose(purpose)
    found = current(registry(), purpose)
    if found is None:  # pragma: no cover - registry() guarantees one
        raise ImproperlyConfigured(f"no current {purpose} key")
    return found


def signing_key(purpose: str) -> Ed25519PrivateKey:
    """The private key that signs for ``purpose`` now."""
    record = current_record(purpose)
    path = Path(record.file)
    return _load_private(path if path.is_absolute() else keys_dir() / path)


def public_key(purpose: str = "package") -> Ed25519PublicKey:
    """The current public key for ``purpose``."""
    return Ed25519PublicKey.from_public_bytes(current_record(purpose).raw)


def public_key_pem(purpose: str = "package") -> bytes:
    """The current key for ``purpose`` as SubjectPublicKeyInfo PEM (what ``openssl pkeyutl`` reads)."""
    return current_record(purpose).public_key_pem()


def public_key_raw(purpose: str = "package") -> bytes:
    """The 32 raw bytes of the current key for ``purpose``."""
    return current_record(purpose).raw


def fingerprint(purpose: str = "package") -> str:
    """``SHA256:<base64>`` of the current key for ``purpose``."""
    return current_record(purpose).fingerprint


def sign(message: bytes, *, purpose: str) -> bytes:
    """Sign ``message`` with the current key of ``purpose`` (64-byte Ed25519 signature)."""
    return signing_key(purpose).sign(message)


def signer(purpose: str) -> tuple[Any, bytes]:
    """A ``sign(message)`` function and the raw public key of the same key (read once)."""
    record = current_record(purpose)
    path = Path(record.file)
    key = _load_private(path if path.is_absolute() else keys_dir() / path)
    return key.sign, record.raw


def rotate(purpose: str, now: datetime, note: str = "") -> tuple[KeyRecord | None, KeyRecord]:
    """Start a new key for ``purpose``; the old one's period ends now (it still verifies)."""
    _check_purpose(purpose)
    with _locked() as folder:
        records = _ensure(folder, _read_registry(folder), now, create=not settings.PRODUCTION)
        old = current(records, purpose)
        if old is not None:
            records[records.index(old)] = replace(old, not_after=_iso(now))
        new = _new_key(folder, purpose, now, note)
        records.append(new)
        _write_registry(folder, records)
    return old, new


def revoke(fingerprint_: str, since: datetime, reason: str, now: datetime) -> tuple[list[KeyRecord],
                                                                                   KeyRecord | None]:
    """Revoke a key from ``since`` (signatures dated from then on fail); replace it if current.

    Returns the revoked entries (one per purpose the key was listed for) and the new key, if
    the revoked one was signing now.
    """
    if not reason.strip():
        raise KeyError_("a revocation needs a reason")
    with _locked() as folder:
        records = _read_registry(folder)
        hits = [r for r in records if r.fingerprint == fingerprint_]
        if not hits:
            raise KeyError_(f"no key {fingerprint_} in the registry")
        if all(r.revoked_at is not None for r in hits):
            raise KeyError_(f"key {fingerprint_} is already revoked")
        revoked = []
        was_current = []
        for r in hits:
            if r.revoked_at is None:
                if r.not_after is None:
                    was_current.append(r.purpose)
                updated = replace(r, revoked_at=_iso(since), revocation_reason=reason.strip())
                records[records.index(r)] = updated
                revoked.append(updated)
        new = None
        for purpose in was_current:
            new = _new_key(folder, purpose, now, note=f"replaces revoked {fingerprint_}")
            records.append(new)
        _write_registry(folder, records)
    return revoked, new


def published() -> dict[str, Any]:
    """The public key list: every key with its purpose, validity period and revocation."""
    return {"format": REGISTRY_FORMAT, "keys": [r.public() for r in registry()]}
