"""The package format shared by the builder and the verifier (no Django, no heavy imports).

A package is a BagIt 1.0 bag (RFC 8493) with sha256 and sha512 manifests and tag manifests,
plus two files of our own outside the payload: the platform's public key (a tag file, listed in
the tag manifests and so covered by the signature) and the detached Ed25519 signature over
``tagmanifest-sha256.txt`` (not listed anywhere: it cannot list itself, and bagit tolerates
unlisted tag files).
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

from lawdesk.evidence.catalogue import say

FORMAT = "lawdesk-evidence/1"
BAGIT_TXT = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
ALGORITHMS = ("sha256", "sha512")
SIGNED_FILE = "tagmanifest-sha256.txt"
SIGNATURE_FILE = "signature/tagmanifest-sha256.txt.sig"
PUBLIC_KEY_FILE = "signature/platform-ed25519.pub.pem"
NOT_HELD_FILE = "data/not_held.json"
CONTENTS_FILE = "data/package.json"
CERTIFICATE_FILE = "data/certificate.pdf"

_UNSAFE = re.compile(r"[^A-Za-z0-9._@+=-]")
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"{dev}{i}" for dev in ("COM", "LPT") for i in range(10))}


def fingerprint_raw(raw_public_key: bytes) -> str:
    """``SHA256:<base64>`` of a raw 32-byte Ed25519 key, the same form as ``core.keys.fingerprint``."""
    return "SHA256:" + base64.b64encode(hashlib.sha256(raw_public_key).digest()).decode().rstrip("=")


def safe_segment(text: str, *, max_len: int = 96) -> str:
    """A file-name segment for an identifier: ASCII, no separators, no '%', never '.' or '..'."""
    # '%' is excluded on purpose: RFC 8493 percent-encodes it in manifests but bagit.py does not
    # decode it, so a '%' in a name would make the two validators disagree.
    seg = _UNSAFE.sub("_", text.strip())[:max_len].lstrip(".")
    if seg.split(".")[0].upper() in _WINDOWS_RESERVED:
        seg = "_" + seg  # an account called "con" must still unpack on an officer's Windows PC
    return seg or "_"


def encode_manifest_path(path: str) -> str:
    """Percent-encode a path for a manifest line (RFC 8493 section 2.1.3)."""
    return path.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def decode_manifest_path(path: str) -> str:
    """Undo :func:`encode_manifest_path`."""
    return re.sub(r"%(25|0D|0A)", lambda m: {"25": "%", "0D": "\r", "0A": "\n"}[m.group(1).upper()],
                  path, flags=re.IGNORECASE)


def manifest_text(entries: dict[str, str]) -> str:
    """A manifest: one ``<digest>  <path>`` line per file, sorted by path."""
    return "".join(f"{entries[p]}  {encode_manifest_path(p)}\n" for p in sorted(entries))


def tag_line(label: str, value: str) -> str:
    """One bag-info line; newlines in values are flattened so a value cannot forge another label."""
    flat = " ".join(value.split())
    return f"{label}: {flat}\n"


class Failure(Exception):
    """The first thing found wrong: ``where`` (a file, or the package) and ``why``."""

    def __init__(self, where: str, why: str, params: dict[str, Any] | None = None) -> None:
        # ``why`` is a catalogue message (marked with gettext_noop), its values apart in
        # ``params``: English here and in --json, the command line's language in said().
        self.where, self.template, self.params = where, why, params
        self.why = why % params if params is not None else why
        super().__init__(f"{where}: {self.why}")

    def said(self, cat: Any) -> str:
        """``where: why`` in the language of the catalogue ``cat`` (a gettext translations object)."""
        text = cat.gettext(self.template)
        if self.params is None:  # a value may itself be a catalogue message (a key's validity)
            return f"{self.where}: {text}"
        return f"{self.where}: {text % {k: say(v, cat) for k, v in self.params.items()}}"
