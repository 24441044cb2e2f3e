"""C2SP signed notes (Ed25519) and C2SP tlog-checkpoint bodies (no Django).

signed-note: ``text`` (ending in a newline), a blank line, then signature lines
``— <key name> <base64(4-byte key ID || signature)>``. The Ed25519 key ID is the first four
bytes of ``SHA-256(key name || 0x0A || 0x01 || public key)``. A verifier key is written
``<name>+<key ID, 8 hex digits>+<base64(0x01 || public key)>``.

tlog-checkpoint: the note text is the origin, the tree size (decimal, no leading zeroes), the
base64 root hash, each on its own line, then optional extension lines.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

ED25519 = 0x01
EM_DASH = "\u2014"
MAX_SIGNATURES = 100  # the spec asks verifiers to bound it and to accept at least 16
MAX_NOTE_BYTES = 64 * 1024
# ASCII digits only: int() would also take "+1", " 1", "1_0" and non-ASCII digits.
_SIZE = re.compile(r"0|[1-9][0-9]{0,19}")


class NoteError(ValueError):
    """A note or checkpoint is malformed, or carries no valid signature from a trusted key."""


def _b64decode(text: str, what: str) -> bytes:
    """Strict standard base64: right alphabet, padding, and canonical trailing bits."""
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise NoteError(f"{what} is not valid base64") from exc
    if base64.b64encode(raw).decode() != text:
        raise NoteError(f"{what} is not canonical base64")
    return raw


def _check_key_name(name: str) -> None:
    if not name or "+" in name or any(ch.isspace() for ch in name):
        raise NoteError(f"invalid key name {name!r}: must be non-empty, without spaces or '+'")


def key_id(name: str, public_key: bytes) -> bytes:
    """The 4-byte key ID of an Ed25519 key: SHA-256(name || 0x0A || 0x01 || key)[:4]."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([ED25519]) + public_key).digest()[:4]


@dataclass(frozen=True)
class Verifier:
    """A trusted Ed25519 key: its name, key ID and 32-byte public key."""

    name: str
    key_id: bytes
    public_key: bytes

    def encode(self) -> str:
        """The verifier key string ``name+hexid+base64(0x01||key)``."""
        return verifier_key_string(self.name, self.public_key)

    def verify(self, message: bytes, signature: bytes) -> bool:
        """Whether ``signature`` is this key's Ed25519 signature of ``message``."""
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, message)
        except InvalidSignature:
            return False
        return True


def verifier_key_string(name: str, public_key: bytes) -> str:
    """Encode an Ed25519 verifier key as ``<name>+<key ID hex>+<base64(0x01 || key)>``."""
    _check_key_name(name)
    if len(public_key) != 32:
        raise NoteError("an Ed25519 public key is 32 bytes")
    keydata = base64.b64encode(bytes([ED25519]) + public_key).decode()
    return f"{name}+{key_id(name, public_key).hex()}+{keydata}"


def parse_verifier_key(text: str) -> Verifier:
    """Parse a verifier key string; refuse other algorithms and a key ID that does not match."""
    parts = text.strip().split("+", 2)  # names hold no '+', base64 may
    if len(parts) != 3:
        raise NoteError("a verifier key is <name>+<key id>+<key data>")
    name, hex_id, b64 = parts
    _check_key_name(name)
    if not re.fullmatch(r"[0-9a-f]{8}", hex_id):
        raise NoteError("a verifier key's ID is 8 lower-case hex digits")
    keydata = _b64decode(b64, "verifier key data")
    if len(keydata) != 33 or keydata[0] != ED25519:
        raise NoteError("only Ed25519 verifier keys (type 0x01, 32 bytes) are supported")
    public_key = keydata[1:]
    if key_id(name, public_key).hex() != hex_id:
        raise NoteError("the verifier key's ID does not match its name and key")
    return Verifier(name=name, key_id=bytes.fromhex(hex_id), public_key=public_key)


def _check_text(text: str) -> None:
    if not text.endswith("\n"):
        raise NoteError("note text must end with a newline")
    bad = next((ch for ch in text if ord(ch) < 0x20 and ch != "\n"), None)
    if bad is not None:
        raise NoteError(f"note contains control character U+{ord(bad):04X}")


def sign_note(text: str, name: str, sign: Callable[[bytes], bytes], public_key: bytes) -> str:
    """Sign ``text`` with an Ed25519 ``sign`` function and return the signed note."""
    _check_text(text)
    _check_key_name(name)
    signature = sign(text.encode())
    if len(signature) != 64:
        raise NoteError("an Ed25519 signature is 64 bytes")
    blob = base64.b64encode(key_id(name, public_key) + signature).decode()
    return f"{text}\n{EM_DASH} {name} {blob}\n"


@dataclass(frozen=True)
class Signature:
    """One signature line: key name, key ID and the raw signature."""

    name: str
    key_id: bytes
    signature: bytes


def split_note(note: bytes | str) -> tuple[str, list[Signature]]:
    """Split a signed note into its text and signature lines, enforcing the format (no crypto)."""
    if isinstance(note, bytes):
        if len(note) > MAX_NOTE_BYTES:
            raise NoteError("note is too large")
        try:
            note = note.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise NoteError("note is not valid UTF-8") from exc
    elif len(note.encode("utf-8", "surrogatepass")) > MAX_NOTE_BYTES:
        raise NoteError("note is too large")
    try:
        note.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise NoteError("note is not valid UTF-8") from exc
    _check_text(note)
    # The text ends at the last blank line; it keeps its own final newline.
    cut = note.rfind("\n\n")
    if cut < 0:
        raise NoteError("note has no blank line before its signatures")
    text, block = note[: cut + 1], note[cut + 2:]
    if not block:
        raise NoteError("note has no signature lines")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise NoteError(f"note has more than {MAX_SIGNATURES} signatures")
    signatures: list[Signature] = []
    for line in lines:
        m = re.fullmatch(EM_DASH + r" (\S+) (\S+)", line)
        if m is None:
            raise NoteError(f"malformed signature line {line[:80]!r}")
        name, blob = m.group(1), _b64decode(m.group(2), "signature")
        _check_key_name(name)
        if len(blob) < 5:
            raise NoteError("signature is too short to hold a key ID")
        signatures.append(Signature(name=name, key_id=blob[:4], signature=blob[4:]))
    return text, signatures


def open_note(note: bytes | str, verifiers: Iterable[Verifier]) -> str:
    """Return the text of ``note`` if a trusted key signed it; raise ``NoteError`` otherwise.

    Signatures by unknown keys are ignored (the spec requires it: witnesses may cosign);
    a signature by a known key that fails to verify rejects the whole note.
    """
    text, signatures = split_note(note)
    known = {(v.name, v.key_id): v for v in verifiers}
    verified = False
    for sig in signatures:
        verifier = known.get((sig.name, sig.key_id))
        if verifier is None:
            continue
        if len(sig.signature) != 64 or not verifier.verify(text.encode(), sig.signature):
            raise NoteError(f"signature by {sig.name} does not verify: the note was altered or forged")
        verified = True
    if not verified:
        raise NoteError("note carries no signature from the trusted key")
    return text


@dataclass(frozen=True)
class Checkpoint:
    """A tlog-checkpoint body: origin, tree size, root hash and extension lines."""

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def text(self) -> str:
        """The note text of this checkpoint."""
        return format_checkpoint(self.origin, self.size, self.root_hash, self.extensions)


def format_checkpoint(origin: str, size: int, root: bytes, extensions: Iterable[str] = ()) -> str:
    """The checkpoint note text: origin, size and base64 root, one per line."""
    lines = [origin, str(size), base64.b64encode(root).decode(), *extensions]
    if size < 0 or len(root) != 32 or any(not line or "\n" in line for line in lines):
        raise NoteError("invalid checkpoint fields")
    text = "\n".join(lines) + "\n"
    _check_text(text)
    return text


def parse_checkpoint(text: str, *, allow_extensions: bool = False) -> Checkpoint:
    """Parse checkpoint note text; extension lines are refused unless ``allow_extensions``.

    lawdesk's log writes none, and the spec advises against them (monitors cannot audit them),
    so by default a checkpoint carrying some is treated as not ours.
    """
    _check_text(text)
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise NoteError("a checkpoint has at least three lines: origin, tree size, root hash")
    if any(not line for line in lines):
        raise NoteError("checkpoint lines must not be empty")
    origin, size_text, root_text, *extensions = lines
    if not _SIZE.fullmatch(size_text):
        raise NoteError(f"invalid tree size {size_text[:30]!r}")
    root = _b64decode(root_text, "root hash")
    if len(root) != 32:
        raise NoteError("root hash must be 32 bytes")
    if extensions and not allow_extensions:
        raise NoteError("checkpoint has extension lines, which this log never writes")
    return Checkpoint(origin=origin, size=int(size_text), root_hash=root, extensions=tuple(extensions))


def open_checkpoint(note: bytes | str, verifier: Verifier, *, origin: str | None = None) -> Checkpoint:
    """Verify a signed checkpoint with ``verifier`` and parse it; check the origin if given."""
    checkpoint = parse_checkpoint(open_note(note, [verifier]))
    if origin is not None and checkpoint.origin != origin:
        raise NoteError(f"checkpoint is for log {checkpoint.origin!r}, expected {origin!r}")
    return checkpoint
