"""Reading and verifying the anchor log from a URL or a directory (no Django, no database).

Checks the checkpoint's signature (key given, pinned earlier, or trusted on first use and then
pinned), optionally a quorum of witness cosignatures, that the entries hash to the signed
root, and that the log extends the anchor checkpoint this machine saw last (so an anchor log
rewritten together with the trail is caught too). What comes out is the list of anchored audit
heads, which ``lawdesk.transparency.anchors.check_trail`` compares with the database.
"""

from __future__ import annotations

import hashlib
import json
import re
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lawdesk.evidence.catalogue import Message, gettext_noop
from lawdesk.transparency import merkle, note, witness
from lawdesk.transparency.verify import SourceError, http_fetch

DEFAULT_STATE_DIR = Path("~/.local/share/lawdesk/anchors")
_HEX64 = re.compile(r"[0-9a-f]{64}")


class AnchorError(Exception):
    """The anchor log does not verify; ``problems`` says why."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class HeadAnchor:
    """An anchored audit chain head."""

    index: int
    seq: int
    hash: str
    at: str


@dataclass
class AnchorLog:
    """A verified anchor log."""

    origin: str
    size: int
    heads: list[HeadAnchor]
    keys: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)


class _Source:
    def published_key(self) -> str:
        raise NotImplementedError

    def checkpoint(self) -> bytes:
        raise NotImplementedError

    def leaves(self, size: int) -> list[str]:
        raise NotImplementedError


class HttpAnchors(_Source):
    """``http(s)://host/transparency/`` (or ``…/transparency/anchors/``)."""

    def __init__(self, url: str, fetch: Callable[[str], bytes] = http_fetch) -> None:
        parts = urllib.parse.urlsplit(url)
        path = parts.path if parts.path.endswith("/") else parts.path + "/"
        if path == "/":
            path = "/transparency/"
        if not path.endswith("/anchors/"):
            path += "anchors/"
        self.base = urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, "", ""))
        self.fetch = fetch

    def _json(self, path: str) -> Any:
        try:
            return json.loads(self.fetch(self.base + path))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise SourceError(Message(gettext_noop("%(what)s is not JSON"), what=self.base + path)) from exc

    def published_key(self) -> str:
        data = self._json("key")
        if not isinstance(data, dict) or not isinstance(data.get("verifier_key"), str):
            raise SourceError(Message(gettext_noop("anchors/key has no verifier_key")))
        return str(data["verifier_key"])

    def checkpoint(self) -> bytes:
        return self.fetch(self.base + "checkpoint")

    def leaves(self, size: int) -> list[str]:
        out: list[str] = []
        while len(out) < size:
            page = self._json(f"leaves?start={len(out)}&end={size}")
            batch = page.get("leaves") if isinstance(page, dict) else None
            if not isinstance(batch, list) or not batch or not all(isinstance(x, str) for x in batch):
                raise SourceError(Message(gettext_noop("anchors/leaves returned no usable page at %(index)s"),
                                          index=len(out)))
            out.extend(batch)
        return out[:size]


class DirAnchors(_Source):
    """An export directory: ``anchors/checkpoint``, ``anchors/key``, ``anchors/leaves.json``."""

    def __init__(self, path: Path) -> None:
        self.path = path / "anchors" if (path / "anchors").is_dir() else path

    def _read(self, name: str) -> bytes:
        try:
            return (self.path / name).read_bytes()
        except OSError as exc:
            raise SourceError(Message(gettext_noop("cannot read %(path)s: %(error)s"), path=self.path / name,
                                      error=exc.strerror)) from exc

    def published_key(self) -> str:
        return self._read("key").decode("utf-8", "replace").strip()

    def checkpoint(self) -> bytes:
        return self._read("checkpoint")

    def leaves(self, size: int) -> list[str]:
        try:
            data = json.loads(self._read("leaves.json"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise SourceError(Message(gettext_noop("%(what)s is not JSON"),
                                      what="anchors/leaves.json")) from exc
        leaves = data.get("leaves") if isinstance(data, dict) else None
        if not isinstance(leaves, list) or not all(isinstance(x, str) for x in leaves):
            raise SourceError(Message(gettext_noop("anchors/leaves.json has no list of leaves")))
        return leaves[:size]


def open_anchors(url_or_dir: str, fetch: Callable[[str], bytes] = http_fetch) -> _Source:
    """A source for a URL or a directory."""
    if re.match(r"https?://", url_or_dir):
        return HttpAnchors(url_or_dir, fetch)
    path = Path(url_or_dir)
    if not path.is_dir():
        raise SourceError(Message(gettext_noop("%(location)s is neither an http(s) URL nor a directory"),
                                  location=url_or_dir))
    return DirAnchors(path)


def _state_dir(base: Path, origin: str) -> Path:
    slug = re.sub(r"[^A-Za-z0-9._-]", "_", origin)[:80]
    return base.expanduser() / f"{slug}-{hashlib.sha256(origin.encode()).hexdigest()[:8]}"


def _parse_entry(i: int, data: str) -> dict[str, Any]:
    try:
        entry = json.loads(data)
    except json.JSONDecodeError as exc:
        raise AnchorError([Message(gettext_noop("anchor entry %(index)s is not JSON"), index=i)]) from exc
    if not isinstance(entry, dict) or json.dumps(entry, sort_keys=True, separators=(",", ":"),
                                                 ensure_ascii=True) != data:
        raise AnchorError([Message(gettext_noop("anchor entry %(index)s is not canonical JSON"), index=i)])
    return entry


def verify_anchors(source: _Source, *, state_dir: Path = DEFAULT_STATE_DIR, key: str | None = None,
                   witnesses: list[witness.WitnessKey] | None = None, quorum: int = 0) -> AnchorLog:
    """Verify the anchor log; remember its checkpoint; return the anchored heads."""
    verifier = note.parse_verifier_key(key if key is not None else source.published_key())
    how = Message(gettext_noop("key given on the command line") if key is not None
                  else gettext_noop("first use: key pinned"))
    folder = _state_dir(state_dir, verifier.name)
    pinned_path, last_path = folder / "verifier_key", folder / "checkpoint"
    if pinned_path.exists():
        pinned = note.parse_verifier_key(pinned_path.read_text("utf-8").strip())
        if pinned != verifier:
            raise AnchorError([Message(gettext_noop(
                "the key of anchor log %(name)s is not the key pinned earlier (%(pinned)s): a key change "
                "must be checked out of band. Once you trust the new key (a demo set up again, say), delete "
                "%(folder)s and run again to pin it"), name=verifier.name, pinned=pinned.encode(),
                folder=folder)])
        how = Message(gettext_noop("matches the pinned key"))
    raw_note = source.checkpoint()
    try:
        cp = note.open_checkpoint(raw_note, verifier, origin=verifier.name)
    except note.NoteError as exc:
        raise AnchorError([Message(gettext_noop("anchor checkpoint: %(error)s"), error=exc)]) from exc
    log = AnchorLog(origin=cp.origin, size=cp.size, heads=[], keys=[])
    log.notes.append(Message(gettext_noop("anchor checkpoint %(origin)s size %(size)s: signature valid "
                                          "(%(how)s)"),
                             origin=cp.origin, size=cp.size, how=how))
    if witnesses:
        try:
            found = witness.require_quorum(raw_note, witnesses, quorum or len(witnesses))
        except witness.WitnessError as exc:
            raise AnchorError([Message(gettext_noop("anchor checkpoint: %(error)s"), error=exc)]) from exc
        log.notes.append(Message(gettext_noop("cosigned by %(count)s witness(es): %(names)s"),
                                 count=len(found), names=", ".join(c.witness for c in found)))
    data = source.leaves(cp.size)
    if len(data) != cp.size:
        raise AnchorError([Message(gettext_noop("the anchor log published %(published)s entries, its "
                                                "checkpoint says %(size)s"), published=len(data),
                                   size=cp.size)])
    tree = merkle.MerkleTree(merkle.leaf_hash(d.encode("utf-8", "surrogatepass")) for d in data)
    if tree.root() != cp.root_hash:
        raise AnchorError([Message(gettext_noop("the %(size)s anchor entries do not hash to the signed root: "
                                                "entries were altered, added or removed"), size=cp.size)])
    if last_path.exists():
        old = note.open_checkpoint(last_path.read_text("utf-8"), verifier, origin=cp.origin)
        if old.size > cp.size or tree.root(old.size) != old.root_hash:
            raise AnchorError([Message(gettext_noop("the anchor log is not consistent with its checkpoint "
                                                    "of size %(size)s seen here before: it was rolled back "
                                                    "or forked"),
                                       size=old.size)])
        log.notes.append(Message(gettext_noop("consistent with the anchor checkpoint of size %(size)s seen "
                                              "before"),
                                 size=old.size))
    last_seq = 0
    for i, d in enumerate(data):
        entry = _parse_entry(i, d)
        if entry.get("kind") == "audit_head":
            seq, digest, at = entry.get("seq"), entry.get("hash"), entry.get("at")
            if (not isinstance(seq, int) or isinstance(seq, bool) or seq < 1 or not isinstance(at, str)
                    or not isinstance(digest, str) or not _HEX64.fullmatch(digest)):
                raise AnchorError([Message(gettext_noop("anchor entry %(index)s is a malformed audit head"),
                                           index=i)])
            if seq < last_seq:
                raise AnchorError([Message(gettext_noop("anchor entry %(index)s anchors sequence %(seq)s "
                                                        "after sequence %(last)s"), index=i, seq=seq,
                                           last=last_seq)])
            last_seq = seq
            log.heads.append(HeadAnchor(index=i, seq=seq, hash=digest, at=at))
        elif entry.get("kind") == "key":
            log.keys.append(entry)
    folder.mkdir(parents=True, exist_ok=True)
    pinned_path.write_text(verifier.encode() + "\n", "utf-8")
    tmp = folder / "checkpoint.tmp"
    tmp.write_text(raw_note.decode("utf-8"), "utf-8")
    tmp.replace(last_path)
    return log
