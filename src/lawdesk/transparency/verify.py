"""The independent verifier: runs on anyone's machine, with no Django and no database.

Given a log (a URL or an export directory) it checks, in order: the checkpoint's signature
against a pinned key; that the published leaves hash to the checkpoint's root; that the log
is consistent with the last checkpoint this machine saw (so a forked or rewritten log is
caught); and that every count of every report equals the count recomputed from the leaves.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from lawdesk.transparency import merkle, note
from lawdesk.transparency.leaves import Leaf, LeafError, decode_leaf, opens_commitment
from lawdesk.transparency.report import REPORT_FORMAT, ReportError, compute_counts, count_mismatches

MAX_RESPONSE_BYTES = 64 * 1024 * 1024
DEFAULT_STATE_DIR = Path("~/.lawdesk-transparency")


class SourceError(Exception):
    """The log could not be read (network, missing file, not JSON): nothing was verified."""


class VerifyError(Exception):
    """Verification failed; ``problems`` names each mismatch."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class Source(Protocol):
    """Where a log is read from: a server or an export directory."""

    @property
    def identity(self) -> str | None:
        """A stable name of the place (a URL), to notice it start serving another log."""
        ...

    def published_key(self) -> str:
        """The verifier key the source itself advertises (trusted only on first use)."""
        ...

    def checkpoint(self) -> bytes:
        """The latest signed checkpoint note."""
        ...

    def leaves(self, size: int) -> list[str]:
        """The data of the first ``size`` leaves, exactly as hashed."""
        ...

    def reports(self) -> list[tuple[str, Any]]:
        """The report documents to check, each with a label."""
        ...

    def consistency_proof(self, old: int, new: int) -> list[bytes] | None:
        """The log's consistency proof between two sizes, or None if the source has none."""
        ...


def _json(raw: bytes, what: str) -> Any:
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SourceError(f"{what} is not JSON") from exc


def http_fetch(url: str) -> bytes:
    """GET ``url`` and return the body; refuse non-HTTP schemes, errors and oversized answers."""
    if urllib.parse.urlsplit(url).scheme not in {"http", "https"}:
        raise SourceError(f"not an http(s) URL: {url}")
    request = urllib.request.Request(url, headers={"User-Agent": "lawdesk-transparency-verify"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (scheme checked)
            body: bytes = response.read(MAX_RESPONSE_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise SourceError(f"{url}: HTTP {exc.code}") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise SourceError(f"{url}: {exc}") from exc
    if len(body) > MAX_RESPONSE_BYTES:
        raise SourceError(f"{url}: answer too large")
    return body


class HttpSource:
    """A lawdesk server: ``http(s)://host/transparency/`` or one of its ``report.json?…`` URLs."""

    def __init__(self, url: str, fetch: Callable[[str], bytes] = http_fetch) -> None:
        parts = urllib.parse.urlsplit(url)
        self.fetch = fetch
        self.only_report: dict[str, str] | None = None
        path = parts.path
        if path.endswith("/report.json"):
            query = dict(urllib.parse.parse_qsl(parts.query))
            self.only_report = {k: query[k] for k in ("period", "country") if query.get(k)}
            path = path[: -len("report.json")]
        if not path.endswith("/"):
            path += "/"
        if path == "/":  # the site itself was given: the log lives under /transparency/
            path = "/transparency/"
        self.base = urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, "", ""))
        self.identity: str | None = self.base

    def _get(self, path: str, **params: int | str) -> bytes:
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        return self.fetch(self.base + path + query)

    def published_key(self) -> str:
        """The ``verifier_key`` of ``log/key``."""
        data = _json(self._get("log/key"), "log/key")
        if not isinstance(data, dict) or not isinstance(data.get("verifier_key"), str):
            raise SourceError("log/key has no verifier_key")
        return str(data["verifier_key"])

    def checkpoint(self) -> bytes:
        """The body of ``log/checkpoint``."""
        return self._get("log/checkpoint")

    def leaves(self, size: int) -> list[str]:
        """Every page of ``log/leaves`` up to ``size``."""
        out: list[str] = []
        while len(out) < size:
            page = _json(self._get("log/leaves", start=len(out), end=size), "log/leaves")
            batch = page.get("leaves") if isinstance(page, dict) else None
            if (not isinstance(batch, list) or not batch or page.get("start") != len(out)
                    or not all(isinstance(x, str) for x in batch)):
                raise SourceError(f"log/leaves returned no usable page at {len(out)}")
            out.extend(batch)
        return out[:size]

    def reports(self) -> list[tuple[str, Any]]:
        """The one report named in the URL, or every report ``reports.json`` lists."""
        if self.only_report is not None:
            scopes = [self.only_report]
        else:
            index = _json(self._get("reports.json"), "reports.json")
            listed = index.get("reports") if isinstance(index, dict) else None
            if not isinstance(listed, list):
                raise SourceError("reports.json has no list of reports")
            # Only the scope is taken from the index: the report is fetched from this server.
            scopes = [{k: str(r[k]) for k in ("period", "country") if r.get(k)} for r in listed
                      if isinstance(r, dict)]
        return [(" ".join(s.values()) or "all", _json(self._get("report.json", **s), "report.json"))
                for s in scopes]

    def consistency_proof(self, old: int, new: int) -> list[bytes] | None:
        """The proof from ``log/proof/consistency``."""
        data = _json(self._get("log/proof/consistency", old=old, new=new), "consistency proof")
        proof = data.get("proof") if isinstance(data, dict) else None
        if not isinstance(proof, list):
            raise SourceError("consistency proof answer has no proof")
        try:
            return [base64.b64decode(p, validate=True) for p in proof]
        except (ValueError, TypeError) as exc:
            raise SourceError("consistency proof is not base64") from exc


class DirSource:
    """An export directory: ``checkpoint``, ``key``, ``leaves.json``, ``reports/*.json``."""

    identity: str | None = None

    def __init__(self, path: Path) -> None:
        self.path = path

    def _read(self, name: str) -> bytes:
        try:
            return (self.path / name).read_bytes()
        except OSError as exc:
            raise SourceError(f"cannot read {self.path / name}: {exc.strerror}") from exc

    def published_key(self) -> str:
        """The ``key`` file."""
        return self._read("key").decode("utf-8", "replace").strip()

    def checkpoint(self) -> bytes:
        """The ``checkpoint`` file."""
        return self._read("checkpoint")

    def leaves(self, size: int) -> list[str]:
        """The ``leaves`` of ``leaves.json``."""
        data = _json(self._read("leaves.json"), "leaves.json")
        leaves = data.get("leaves") if isinstance(data, dict) else None
        if not isinstance(leaves, list) or not all(isinstance(x, str) for x in leaves):
            raise SourceError("leaves.json has no list of leaves")
        return leaves

    def reports(self) -> list[tuple[str, Any]]:
        """Every ``reports/*.json``."""
        folder = self.path / "reports"
        files = sorted(folder.glob("*.json")) if folder.is_dir() else []
        return [(f.stem, _json(f.read_bytes(), f.name)) for f in files]

    def consistency_proof(self, old: int, new: int) -> list[bytes] | None:
        """None: the verifier computes it from the leaves it holds."""
        return None


def open_source(url_or_dir: str, fetch: Callable[[str], bytes] = http_fetch) -> Source:
    """A source for a URL or a directory path."""
    if re.match(r"https?://", url_or_dir):
        return HttpSource(url_or_dir, fetch)
    path = Path(url_or_dir)
    if not path.is_dir():
        raise SourceError(f"{url_or_dir} is neither an http(s) URL nor a directory")
    return DirSource(path)


class State:
    """What this machine remembers per log: the pinned key and the last verified checkpoint."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory.expanduser()

    def _log_dir(self, origin: str) -> Path:
        slug = re.sub(r"[^A-Za-z0-9._-]", "_", origin)[:80]
        return self.directory / f"{slug}-{hashlib.sha256(origin.encode()).hexdigest()[:8]}"

    def _read(self, path: Path) -> str | None:
        return path.read_text("utf-8") if path.exists() else None

    def pinned_key(self, origin: str) -> str | None:
        """The verifier key pinned for ``origin``."""
        found = self._read(self._log_dir(origin) / "verifier_key")
        return found.strip() if found else None

    def last_checkpoint(self, origin: str) -> str | None:
        """The last checkpoint note verified for ``origin``."""
        return self._read(self._log_dir(origin) / "checkpoint")

    def origin_of(self, identity: str) -> str | None:
        """The log a URL served when last verified."""
        sources = self._sources()
        return sources.get(identity)

    def _sources(self) -> dict[str, str]:
        raw = self._read(self.directory / "sources.json")
        data = json.loads(raw) if raw else {}
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}

    def save(self, origin: str, key: str, checkpoint: str, identity: str | None) -> None:
        """Remember the key, the checkpoint, and which log ``identity`` serves."""
        folder = self._log_dir(origin)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "verifier_key").write_text(key + "\n", "utf-8")
        tmp = folder / "checkpoint.tmp"
        tmp.write_text(checkpoint, "utf-8")
        tmp.replace(folder / "checkpoint")  # never leave a half-written checkpoint behind
        if identity is not None:
            sources = self._sources()
            sources[identity] = origin
            (self.directory / "sources.json").write_text(json.dumps(sources, indent=1, sort_keys=True))


@dataclass
class Outcome:
    """What a successful verification established, line by line."""

    origin: str
    size: int
    root_hash: bytes
    notes: list[str] = field(default_factory=list)
    leaves: list[str] = field(default_factory=list, repr=False)  # verified leaf data, in order


def _b64(h: bytes) -> str:
    return base64.b64encode(h).decode()


def _choose_key(source: Source, state: State, key: str | None) -> tuple[note.Verifier, str]:
    """The trusted key: ``--key`` if given, else the pinned one; the source's only on first use."""
    if key is not None:
        verifier = note.parse_verifier_key(key)
        how = "key given on the command line"
    else:
        verifier = note.parse_verifier_key(source.published_key())
        how = "first use: key pinned"
    pinned = state.pinned_key(verifier.name)
    if pinned is not None:
        if note.parse_verifier_key(pinned) != verifier:
            raise VerifyError([f"the key of log {verifier.name} is not the key pinned earlier "
                               f"({pinned}): a key change must be checked out of band"])
        how = "matches the pinned key"
    if source.identity is not None:
        before = state.origin_of(source.identity)
        if before is not None and before != verifier.name:
            raise VerifyError([f"{source.identity} served log {before!r} before and now serves "
                               f"{verifier.name!r}"])
    return verifier, how


def verify_log(source: Source, *, state: State, key: str | None = None) -> Outcome:
    """Verify a log and its reports; remember the checkpoint on success; raise ``VerifyError``."""
    reports = source.reports()  # first, so no report can name a checkpoint newer than the one checked
    verifier, key_note = _choose_key(source, state, key)
    raw_note = source.checkpoint()
    try:
        cp = note.open_checkpoint(raw_note, verifier, origin=verifier.name)
    except note.NoteError as exc:
        raise VerifyError([f"checkpoint: {exc}"]) from exc
    outcome = Outcome(origin=cp.origin, size=cp.size, root_hash=cp.root_hash)
    # (leaves are attached below, once they hash to the signed root)
    outcome.notes.append(f"checkpoint {cp.origin} size {cp.size} root {_b64(cp.root_hash)}: "
                         f"signature valid ({key_note})")

    data = source.leaves(cp.size)
    if len(data) != cp.size:
        raise VerifyError([f"the log published {len(data)} leaves, its checkpoint says {cp.size}"])
    # surrogatepass: a malformed leaf must fail as a mismatch, not crash the verifier.
    tree = merkle.MerkleTree(merkle.leaf_hash(d.encode("utf-8", "surrogatepass")) for d in data)
    if tree.root() != cp.root_hash:
        raise VerifyError([f"the {cp.size} published leaves hash to {_b64(tree.root())}, not to the "
                           f"signed root {_b64(cp.root_hash)}: leaves were altered, added or removed"])
    leaves: list[Leaf] = []
    problems: list[str] = []
    for i, d in enumerate(data):
        try:
            leaves.append(decode_leaf(d))
        except (LeafError, TypeError) as exc:
            problems.append(f"leaf {i}: {exc}")
    if problems:
        raise VerifyError(problems)
    outcome.notes.append(f"{cp.size} leaves hash to the signed root")
    outcome.leaves = data

    outcome.notes.append(_check_consistency(source, state, verifier, cp, tree))
    # The log itself is sound: remember it even if a report below turns out wrong.
    state.save(cp.origin, verifier.encode(), raw_note.decode("utf-8"), source.identity)

    for label, doc in reports:
        problems.extend(f"report {label}: {p}" for p in _check_report(doc, cp, tree, leaves))
        if not problems:
            outcome.notes.append(f"report {label}: every count matches the leaves")
    if problems:
        raise VerifyError(problems)
    if not reports:
        outcome.notes.append("no reports to check")
    return outcome


def _check_consistency(source: Source, state: State, verifier: note.Verifier, cp: note.Checkpoint,
                       tree: merkle.MerkleTree) -> str:
    previous = state.last_checkpoint(cp.origin)
    if previous is None:
        return "no earlier checkpoint of this log seen here"
    try:
        old = note.open_checkpoint(previous, verifier, origin=cp.origin)
    except note.NoteError as exc:
        raise VerifyError([f"the remembered checkpoint no longer verifies: {exc}"]) from exc
    if old.size > cp.size:
        raise VerifyError([f"the log shrank from {old.size} leaves (seen before) to {cp.size}: "
                           "it was rolled back or forked"])
    proof = source.consistency_proof(old.size, cp.size)
    if proof is None:
        proof = tree.consistency_proof(old.size, cp.size)
    try:
        merkle.verify_consistency(old.size, cp.size, old.root_hash, cp.root_hash, proof)
    except merkle.ProofError as exc:
        raise VerifyError([f"not consistent with the checkpoint of size {old.size} seen before "
                           f"(root {_b64(old.root_hash)}): {exc}"]) from exc
    # The leaves are authenticated by the new root; the old root must be their prefix too.
    if tree.root(old.size) != old.root_hash:
        raise VerifyError([f"the first {old.size} leaves do not hash to the checkpoint seen before: "
                           "the log forked"])
    return f"consistent with the checkpoint of size {old.size} seen before"


def _check_report(doc: Any, cp: note.Checkpoint, tree: merkle.MerkleTree, leaves: list[Leaf]) -> list[str]:
    if not isinstance(doc, dict) or doc.get("format") != REPORT_FORMAT:
        return [f"not a {REPORT_FORMAT} document"]
    named = doc.get("checkpoint")
    if (not isinstance(named, dict) or not isinstance(named.get("size"), int)
            or isinstance(named.get("size"), bool)):
        return ["the report names no checkpoint"]
    size = named["size"]
    if named.get("origin") != cp.origin:
        return [f"the report is computed from log {named.get('origin')!r}, not {cp.origin!r}"]
    if not 0 <= size <= cp.size:
        return [f"the report names a checkpoint of size {size}, beyond the verified log of {cp.size}"]
    if named.get("root_hash") != _b64(tree.root(size)):
        return [f"the report names root {named.get('root_hash')} at size {size}, but the log's tree of "
                f"that size has root {_b64(tree.root(size))}"]
    period, country = doc.get("period"), doc.get("country")
    if not isinstance(period, str) or not (country is None or isinstance(country, str)):
        return ["the report's period or country is malformed"]
    try:
        computed = compute_counts(leaves[:size], period=period, country=country)
        return count_mismatches(doc.get("counts", {}), computed)
    except ReportError as exc:
        return [str(exc)]


def verify_receipt(receipt: Any, verifier: note.Verifier, case_ref: str | None = None) -> Leaf:
    """Check an officer's receipt: signed checkpoint, inclusion proof, and the case commitment."""
    try:
        cp = note.open_checkpoint(receipt["checkpoint"], verifier, origin=verifier.name)
        data = receipt["leaf"]
        index = receipt["leaf_index"]
        proof = [base64.b64decode(p, validate=True) for p in receipt["inclusion_proof"]]
        leaf = decode_leaf(data)
        merkle.verify_inclusion(merkle.leaf_hash(data.encode()), index, cp.size, proof, cp.root_hash)
        ref = receipt["case_ref"] if case_ref is None else case_ref
        if not opens_commitment(leaf.commitment, bytes.fromhex(receipt["salt"]), ref):
            raise VerifyError([f"the leaf's commitment is not to case {ref} with this salt"])
    except VerifyError:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise VerifyError([f"receipt: {exc}"]) from exc
    return leaf


def receipt_in_log(receipt: Any, outcome: Outcome) -> None:
    """Check a receipt's leaf is in the verified public log, at its index, unchanged.

    Call it after ``verify_receipt``, with ``outcome`` from ``verify_log`` on the platform's
    public log: this ties the officer's receipt to the very log the reports are computed from,
    not to a copy shown only to them.
    """
    try:
        index, note_text, data = receipt["leaf_index"], receipt["checkpoint"], receipt["leaf"]
        receipt_cp = note.parse_checkpoint(note.split_note(note_text)[0])
        if not isinstance(index, int) or isinstance(index, bool):
            raise TypeError("leaf_index is not an integer")
    except (KeyError, TypeError, ValueError) as exc:
        raise VerifyError([f"receipt: {exc}"]) from exc
    if receipt_cp.origin != outcome.origin:
        raise VerifyError([f"the receipt is from log {receipt_cp.origin!r}, not {outcome.origin!r}"])
    if receipt_cp.size > outcome.size:
        raise VerifyError([f"the receipt's checkpoint (size {receipt_cp.size}) is newer than the public "
                           f"log (size {outcome.size}): run again later"])
    if not 0 <= index < receipt_cp.size or outcome.leaves[index] != data:
        raise VerifyError([f"the public log does not hold the receipt's leaf at index {index}"])
    prefix = merkle.MerkleTree(merkle.leaf_hash(d.encode("utf-8", "surrogatepass"))
                               for d in outcome.leaves[: receipt_cp.size])
    if prefix.root() != receipt_cp.root_hash:
        raise VerifyError([f"the receipt's checkpoint of size {receipt_cp.size} is not part of the public "
                           "log: the receipt was issued from a forked log"])
