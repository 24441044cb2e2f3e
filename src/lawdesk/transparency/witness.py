"""Witnesses: C2SP tlog-witness (the add-checkpoint protocol) and tlog-cosignature (Ed25519).

No Django. A witness — an NGO, a data protection authority, another platform — runs
``lawdesk witness serve``: it knows the logs it watches by their verifier keys, keeps the last
checkpoint it cosigned for each, and cosigns a new checkpoint only when a consistency proof
shows it extends that one. Anyone holding a quorum of witness keys can then refuse a
checkpoint that was shown only to them (a split view): a forked log cannot gather the
witnesses' cosignatures, because each witness has already cosigned the other branch.

Cosignature (tlog-cosignature, Ed25519): a note signature line
``— <witness name> base64(key ID || u64 timestamp || signature)`` where the key ID is
``SHA-256(name || "\\n" || 0x04 || key)[:4]`` and the signature covers
``"cosignature/v1\\n" "time <timestamp>\\n"`` followed by the checkpoint's note text.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import hashlib
import json
import re
import struct
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from lawdesk.transparency import merkle, note

COSIGNATURE_V1 = 0x04
MAX_BODY = 64 * 1024
MAX_PROOF_LINES = 63
SIZE_CONTENT_TYPE = "text/x.tlog.size"


class WitnessError(ValueError):
    """A witness key, request or cosignature is malformed."""


def cosigner_key_id(name: str, public_key: bytes) -> bytes:
    """SHA-256(name || 0x0A || 0x04 || key)[:4]."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([COSIGNATURE_V1]) + public_key).digest()[:4]


@dataclass(frozen=True)
class WitnessKey:
    """A witness's public identity: name and Ed25519 key (cosignature/v1)."""

    name: str
    public_key: bytes

    @property
    def key_id(self) -> bytes:
        """The 4-byte key ID of cosignature/v1 signatures."""
        return cosigner_key_id(self.name, self.public_key)

    def encode(self) -> str:
        """``name+<key ID hex>+base64(0x04 || key)`` (a C2SP vkey of type 0x04)."""
        blob = base64.b64encode(bytes([COSIGNATURE_V1]) + self.public_key).decode()
        return f"{self.name}+{self.key_id.hex()}+{blob}"


def parse_witness_key(text: str) -> WitnessKey:
    """Parse a witness vkey; refuse any type other than cosignature/v1 (0x04)."""
    parts = text.strip().split("+", 2)
    if len(parts) != 3:
        raise WitnessError("a witness key is <name>+<key id>+<key data>")
    name, hex_id, blob = parts
    if not name or any(ch.isspace() for ch in name):
        raise WitnessError(f"invalid witness name {name!r}")
    try:
        data = base64.b64decode(blob, validate=True)
    except ValueError as exc:
        raise WitnessError("witness key data is not base64") from exc
    if len(data) != 33 or data[0] != COSIGNATURE_V1:
        raise WitnessError("a witness key is a cosignature/v1 Ed25519 key (type 0x04, 32 bytes)")
    key = WitnessKey(name=name, public_key=data[1:])
    if key.key_id.hex() != hex_id:
        raise WitnessError("the witness key's ID does not match its name and key")
    return key


def cosigned_message(note_text: str, timestamp: int) -> bytes:
    """What a cosignature/v1 signs: header line, time line, then the checkpoint text."""
    return f"cosignature/v1\ntime {timestamp}\n".encode() + note_text.encode()


def cosign(private_key: Ed25519PrivateKey, name: str, note_text: str, timestamp: int) -> str:
    """One cosignature line (ending in a newline) over a checkpoint's note text."""
    raw = private_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    signature = private_key.sign(cosigned_message(note_text, timestamp))
    blob = cosigner_key_id(name, raw) + struct.pack(">Q", timestamp) + signature
    return f"{note.EM_DASH} {name} {base64.b64encode(blob).decode()}\n"


@dataclass(frozen=True)
class Cosignature:
    """A verified cosignature: which witness, and when it cosigned."""

    witness: str
    timestamp: int


def verify_cosignatures(signed_note: bytes | str, witnesses: Iterable[WitnessKey]) -> list[Cosignature]:
    """The witnesses (among ``witnesses``) whose valid cosignature the note carries.

    Lines by unknown keys are ignored; a line by a known key that does not verify is an error
    (someone tampered with the note).
    """
    text, signatures = note.split_note(signed_note)
    known = {(w.name, w.key_id): w for w in witnesses}
    found: dict[str, Cosignature] = {}
    for sig in signatures:
        witness = known.get((sig.name, sig.key_id))
        if witness is None:
            continue
        if len(sig.signature) != 8 + 64:
            raise WitnessError(f"cosignature by {sig.name} has the wrong length")
        (timestamp,) = struct.unpack(">Q", sig.signature[:8])
        try:
            Ed25519PublicKey.from_public_bytes(witness.public_key).verify(
                sig.signature[8:], cosigned_message(text, timestamp))
        except InvalidSignature:
            raise WitnessError(f"cosignature by {sig.name} does not verify: the checkpoint was altered "
                               "or the cosignature forged") from None
        found[witness.name] = Cosignature(witness=witness.name, timestamp=timestamp)
    return list(found.values())


def require_quorum(signed_note: bytes | str, witnesses: list[WitnessKey], quorum: int) -> list[Cosignature]:
    """The valid cosignatures, or ``WitnessError`` naming how many of whom were missing."""
    if quorum < 1 or quorum > len(witnesses):
        raise WitnessError(f"a quorum of {quorum} cannot be met by {len(witnesses)} witness key(s)")
    found = verify_cosignatures(signed_note, witnesses)
    if len(found) < quorum:
        have = ", ".join(c.witness for c in found) or "none"
        missing = ", ".join(w.name for w in witnesses if w.name not in {c.witness for c in found})
        raise WitnessError(f"the checkpoint carries {len(found)} valid witness cosignature(s) "
                           f"({have}); {quorum} required. Not cosigned by: {missing}")
    return found


# --- The witness service -----------------------------------------------------------------------

def add_checkpoint_body(old_size: int, proof: list[bytes], signed_note: str) -> bytes:
    """The request body of ``add-checkpoint``."""
    lines = [f"old {old_size}", *(base64.b64encode(h).decode() for h in proof)]
    return ("\n".join(lines) + "\n\n" + signed_note).encode()


def _parse_request(body: bytes) -> tuple[int, list[bytes], str]:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise WitnessError("request is not UTF-8") from exc
    head, sep, signed = text.partition("\n\n")
    if not sep:
        raise WitnessError("request has no blank line before the checkpoint")
    lines = head.split("\n")
    m = re.fullmatch(r"old (0|[1-9][0-9]{0,18})", lines[0])
    if m is None:
        raise WitnessError("the first line must be 'old <size>'")
    if len(lines) - 1 > MAX_PROOF_LINES:
        raise WitnessError("too many consistency proof lines")
    proof = []
    for line in lines[1:]:
        try:
            h = base64.b64decode(line, validate=True)
        except ValueError as exc:
            raise WitnessError("a proof line is not base64") from exc
        if len(h) != 32:
            raise WitnessError("a proof line is not a 32-byte hash")
        proof.append(h)
    return int(m.group(1)), proof, signed


class WitnessState:
    """The last checkpoint cosigned per log, in one JSON file, updated under a file lock."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self._thread_lock = threading.Lock()

    @contextlib.contextmanager
    def locked(self) -> Iterator[dict[str, dict[str, object]]]:
        """The state, locked against other threads and processes; saved when the block ends."""
        path = self.directory / "state.json"
        with self._thread_lock, open(self.directory / ".lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                data = json.loads(path.read_text("utf-8")) if path.exists() else {}
                yield data
                tmp = self.directory / "state.json.tmp"
                tmp.write_text(json.dumps(data, indent=1, sort_keys=True), "utf-8")
                tmp.replace(path)  # persisted before the cosignature is returned
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)


@dataclass
class Answer:
    """An HTTP answer of the witness."""

    status: int
    body: str
    content_type: str = "text/plain; charset=utf-8"


class Witness:
    """The witness logic, independent of HTTP (the server below is a thin shell)."""

    def __init__(self, name: str, key: Ed25519PrivateKey, logs: list[note.Verifier], state: WitnessState,
                 clock: object = time.time) -> None:
        self.name = name
        self.key = key
        self.logs = {v.name: v for v in logs}
        self.state = state
        self.clock = clock

    def public(self) -> WitnessKey:
        """This witness's public identity."""
        raw = self.key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return WitnessKey(self.name, raw)

    def add_checkpoint(self, body: bytes) -> Answer:
        """Handle one add-checkpoint request (tlog-witness status codes)."""
        try:
            old_size, proof, signed = _parse_request(body)
            text, _ = note.split_note(signed)
            checkpoint = note.parse_checkpoint(text)
        except (WitnessError, note.NoteError) as exc:
            return Answer(400, f"{exc}\n")
        log = self.logs.get(checkpoint.origin)
        if log is None:
            return Answer(404, f"unknown log {checkpoint.origin}\n")
        try:
            note.open_note(signed, [log])
        except note.NoteError as exc:
            return Answer(403, f"{exc}\n")
        if old_size > checkpoint.size:
            return Answer(400, "old size is larger than the checkpoint size\n")
        with self.state.locked() as state:
            known = state.get(checkpoint.origin)
            known_size = int(known["size"]) if known else 0  # type: ignore[call-overload]
            if old_size != known_size:
                return Answer(409, f"{known_size}\n", SIZE_CONTENT_TYPE)
            if known is not None:
                known_root = base64.b64decode(str(known["root"]))
                if old_size == checkpoint.size and known_root != checkpoint.root_hash:
                    return Answer(409, f"{known_size}\n", SIZE_CONTENT_TYPE)
                try:
                    merkle.verify_consistency(old_size, checkpoint.size, known_root, checkpoint.root_hash,
                                              proof)
                except merkle.ProofError as exc:
                    return Answer(422, f"consistency proof does not verify: {exc}\n")
            elif proof:
                return Answer(422, "the proof must be empty when the old size is zero\n")
            state[checkpoint.origin] = {"size": checkpoint.size,
                                        "root": base64.b64encode(checkpoint.root_hash).decode(),
                                        "note": signed}
            timestamp = int(self.clock())  # type: ignore[operator]
            return Answer(200, cosign(self.key, self.name, text, timestamp))


def make_server(witness: Witness, host: str, port: int) -> ThreadingHTTPServer:
    """An HTTP server answering ``POST /add-checkpoint`` (and ``GET /`` with the witness key)."""

    class Handler(BaseHTTPRequestHandler):
        server_version = "lawdesk-witness"

        def _send(self, answer: Answer) -> None:
            body = answer.body.encode()
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            if self.path.rstrip("/") != "/add-checkpoint":
                self._send(Answer(404, "not found\n"))
                return
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                self._send(Answer(413, "request too large\n"))
                return
            self._send(witness.add_checkpoint(self.rfile.read(length)))

        def do_GET(self) -> None:
            if self.path != "/":
                self._send(Answer(404, "not found\n"))
                return
            self._send(Answer(200, witness.public().encode() + "\n"))

        def log_message(self, format: str, *args: object) -> None:
            return

    return ThreadingHTTPServer((host, port), Handler)


# --- The client side: asking a witness to cosign ------------------------------------------------

@dataclass(frozen=True)
class WitnessEndpoint:
    """A configured witness: its submission URL and its public key."""

    url: str
    key: WitnessKey


def parse_endpoints(config: str) -> list[WitnessEndpoint]:
    """``URL=vkey`` entries separated by commas or whitespace (``LAWDESK_WITNESSES``)."""
    out = []
    for item in re.split(r"[,\s]+", config.strip()):
        if not item:
            continue
        url, sep, vkey = item.partition("=")
        if not sep or not re.match(r"https?://", url):
            raise WitnessError(f"witness entry {item[:60]!r} is not URL=witness-key")
        out.append(WitnessEndpoint(url.rstrip("/"), parse_witness_key(vkey)))
    return out


def post_add_checkpoint(url: str, body: bytes, timeout: float = 10.0) -> tuple[int, str]:
    """POST ``body`` to ``<url>/add-checkpoint``; return the status and the answer's text."""
    request = urllib.request.Request(f"{url}/add-checkpoint", data=body, method="POST",  # noqa: S310
                                     headers={"Content-Type": "text/plain; charset=utf-8"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (configured URL)
            return int(response.status), response.read(MAX_BODY).decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(MAX_BODY).decode("utf-8", "replace")
