"""The platform's Ed25519 signing key: signs evidence packages and transparency checkpoints.

Embedded mode generates the key into ``$LAWDESK_HOME/platform_ed25519.pem`` on first use.
Production mode reads ``LAWDESK_SIGNING_KEY_FILE`` (PKCS#8 PEM) and refuses to generate one:
a key that changes silently would make every earlier signature unverifiable.
"""

from __future__ import annotations

import base64
import hashlib
import os
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _key_path() -> Path:
    configured = os.environ.get("LAWDESK_SIGNING_KEY_FILE")
    if configured:
        return Path(configured)
    if settings.PRODUCTION:
        raise ImproperlyConfigured("LAWDESK_SIGNING_KEY_FILE must name the platform's Ed25519 key.")
    return Path(settings.HOME) / "platform_ed25519.pem"


@lru_cache(maxsize=1)
def signing_key() -> Ed25519PrivateKey:
    """The platform's private key (generated on first use in embedded and test modes)."""
    path = _key_path()
    if not path.exists():
        if settings.PRODUCTION:
            raise ImproperlyConfigured(f"Signing key file {path} does not exist.")
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(pem)
    loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(loaded, Ed25519PrivateKey):
        raise ImproperlyConfigured(f"{path} is not an Ed25519 private key.")
    return loaded


def public_key() -> Ed25519PublicKey:
    """The platform's public key."""
    return signing_key().public_key()


def public_key_pem() -> bytes:
    """The public key as SubjectPublicKeyInfo PEM (what OpenSSL's ``pkeyutl -verify`` reads)."""
    return public_key().public_bytes(serialization.Encoding.PEM,
                                     serialization.PublicFormat.SubjectPublicKeyInfo)


def public_key_raw() -> bytes:
    """The 32 raw bytes of the public key."""
    return public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def fingerprint() -> str:
    """A short, printable fingerprint: SHA-256 of the raw key, base64, as people compare keys."""
    return "SHA256:" + base64.b64encode(hashlib.sha256(public_key_raw()).digest()).decode().rstrip("=")


def sign(message: bytes) -> bytes:
    """Sign ``message`` with the platform key (64-byte Ed25519 signature)."""
    return signing_key().sign(message)
