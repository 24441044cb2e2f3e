"""Who signs a package: the platform key in production, any Ed25519 key in tests and benchmarks."""

from __future__ import annotations

from typing import Protocol

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lawdesk.core import keys


class Signer(Protocol):
    """Signs bytes with an Ed25519 key and tells its public half."""

    def sign(self, message: bytes) -> bytes:
        """A 64-byte Ed25519 signature over ``message``."""
        ...

    def public_key_pem(self) -> bytes:
        """The public key as SubjectPublicKeyInfo PEM."""
        ...


class KeySigner:
    """A signer holding an Ed25519 private key in memory."""

    def __init__(self, key: Ed25519PrivateKey) -> None:
        self._key = key

    def sign(self, message: bytes) -> bytes:
        """A 64-byte Ed25519 signature over ``message``."""
        return self._key.sign(message)

    def public_key_pem(self) -> bytes:
        """The public key as SubjectPublicKeyInfo PEM."""
        return self._key.public_key().public_bytes(serialization.Encoding.PEM,
                                                   serialization.PublicFormat.SubjectPublicKeyInfo)


class PlatformSigner:
    """The platform's current package key (``lawdesk.core.keys``, purpose ``package``).

    The key is read once, on first use, so a rotation during a build cannot make the embedded
    public key and the signature disagree.
    """

    def __init__(self) -> None:
        self._key: Ed25519PrivateKey | None = None

    def _current(self) -> Ed25519PrivateKey:
        if self._key is None:

            self._key = keys.signing_key("package")
        return self._key

    def sign(self, message: bytes) -> bytes:
        """Sign with the package key."""
        return self._current().sign(message)

    def public_key_pem(self) -> bytes:
        """The package key's public half, PEM."""
        return self._current().public_key().public_bytes(serialization.Encoding.PEM,
                                                         serialization.PublicFormat.SubjectPublicKeyInfo)
