"""The independent verifier: runs on anyone's machine, with no Django and no database.

Given a log (a URL or an export directory) it checks, in order: the checkpoint's signature
against a pinned key; that the log extends every checkpoint this machine saw before (a
forked, rewritten or rolled-back log is caught); that the published leaves hash to the
signed root; and that every count of every report equals the count recomputed from the
leaves of that **latest** log — a report naming an older checkpoint, with fewer leaves for its
scope, is understated and fails.

Like a Certificate Transparency monitor it keeps a small state per log (pinned key, the
checkpoints seen, the tree's right edge and the counts of the leaves verified so far), so the
next run fetches and checks only the leaves appended since.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from lawdesk.evidence.catalogue import Message, gettext_noop
from lawdesk.transparency import eu_templates, merkle, note, witness
from lawdesk.transparency.documents import PDF_NAMES, Document, csv_figures, json_figures, pdf_figures
from lawdesk.transparency.leaves import (
    Leaf,
    LeafError,
    OrderRow,
    decode_leaf,
    leaf_fields,
    opens_commitment,
    order_row,
)
from lawdesk.transparency.report import (
    REPORT_FORMAT,
    ReportError,
    Tally,
    check_scope,
    count_mismatches,
    figure_mismatches,
    log_figures,
)

MAX_RESPONSE_BYTES = 64 * 1024 * 1024
# Like everything lawdesk writes, under LAWDESK_HOME (./var by default), never silently in the
# home folder; a monitor that sets XDG_DATA_HOME (and no LAWDESK_HOME) keeps it there instead.
DEFAULT_STATE_DIR = (Path(os.environ["LAWDESK_HOME"]) / "transparency-verifier"
                     if os.environ.get("LAWDESK_HOME")
                     else Path(os.environ["XDG_DATA_HOME"]) / "lawdesk"
                     if os.environ.get("XDG_DATA_HOME")
                     else Path("var") / "transparency-verifier")


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

    def leaves(self, start: int, end: int) -> list[str]:
        """The data of leaves ``start`` to ``end`` (exclusive), exactly as hashed."""
        ...

    def reports(self) -> list[tuple[str, Any]]:
        """The report documents to check, each with a label."""
        ...

    def consistency_proof(self, old: int, new: int) -> list[bytes]:
        """The log's proof that the tree of ``old`` leaves is a prefix of the one of ``new``."""
        ...

    def documents(self) -> list[Document]:
        """The published statistics of each report's scope: JSON, CSV and PDF."""
        ...

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        """The log's audit path of leaf ``index`` in the tree of ``size`` leaves."""
        ...

    def eu_documents(self) -> list[Document]:
        """The EU reporting templates of each published period: JSON, CSV and XLSX."""
        ...

    @property
    def bytes_read(self) -> int:
        """How many bytes were fetched or read so far (for the benchmarks)."""
        ...


def _json(raw: bytes, what: str) -> Any:
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SourceError(Message(gettext_noop("%(what)s is not JSON"), what=what)) from exc


def _b64_list(data: Any, what: str) -> list[bytes]:
    proof = data.get("proof") if isinstance(data, dict) else None
    if not isinstance(proof, list):
        raise SourceError(Message(gettext_noop("%(what)s answer has no proof"), what=what))
    try:
        return [base64.b64decode(p, validate=True) for p in proof]
    except (ValueError, TypeError) as exc:
        raise SourceError(Message(gettext_noop("%(what)s is not base64"), what=what)) from exc


def http_fetch(url: str) -> bytes:
    """GET ``url`` and return the body; refuse non-HTTP schemes, errors and oversized answers."""
    if urllib.parse.urlsplit(url).scheme not in {"http", "https"}:
        raise SourceError(Message(gettext_noop("not an http(s) URL: %(url)s"), url=url))
    request = urllib.request.Request(url, headers={"User-Agent": "lawdesk-transparency-verify"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 (scheme checked)
            body: bytes = response.read(MAX_RESPONSE_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise SourceError(Message("%(url)s: HTTP %(code)s", url=url, code=exc.code)) from exc
    except (urllib.error.URLError, OSError) as exc:
        raise SourceError(f"{url}: {exc}") from exc
    if len(body) > MAX_RESPONSE_BYTES:
        raise SourceError(Message(gettext_noop("%(url)s: answer too large"), url=url))
    return body


def _lines(body: bytes) -> list[str]:
    """Leaf data, one per line (a leaf is canonical JSON: ASCII, never a newline)."""
    try:
        text = body.decode("ascii")
    except UnicodeDecodeError:  # not a valid leaf; kept byte for byte so the root check fails
        text = body.decode("utf-8", "surrogateescape")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


class HttpSource:
    """A lawdesk server: ``http(s)://host/transparency/`` or one of its ``report.json?…`` URLs."""

    def __init__(self, url: str, fetch: Callable[[str], bytes] = http_fetch) -> None:
        parts = urllib.parse.urlsplit(url)
        self._fetch = fetch
        self.bytes_read = 0
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
        self.with_pdf = True
        self._listed: list[dict[str, str]] | None = None
        self._eu_periods: list[str] = []

    def fetch(self, url: str) -> bytes:
        """GET a URL, counting the bytes."""
        body = self._fetch(url)
        self.bytes_read += len(body)
        return body

    def _get(self, path: str, **params: int | str) -> bytes:
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        return self.fetch(self.base + path + query)

    def published_key(self) -> str:
        """The ``verifier_key`` of ``log/key``."""
        data = _json(self._get("log/key"), "log/key")
        if not isinstance(data, dict) or not isinstance(data.get("verifier_key"), str):
            raise SourceError(Message(gettext_noop("log/key has no verifier_key")))
        return str(data["verifier_key"])

    def checkpoint(self) -> bytes:
        """The body of ``log/checkpoint``."""
        return self._get("log/checkpoint")

    def leaves(self, start: int, end: int) -> list[str]:
        """The leaves from ``log/bundle`` (one leaf per line, large pages)."""
        out: list[str] = []
        while start + len(out) < end:
            batch = _lines(self._get("log/bundle", start=start + len(out), end=end))
            if not batch:
                raise SourceError(Message(gettext_noop("log/bundle returned no leaves at %(index)s"),
                                          index=start + len(out)))
            out.extend(batch)
        return out[: end - start]

    def _scopes(self) -> list[dict[str, str]]:
        if self.only_report is not None:
            return [self.only_report]
        if self._listed is None:
            index = _json(self._get("reports.json"), "reports.json")
            listed = index.get("reports") if isinstance(index, dict) else None
            if not isinstance(listed, list):
                raise SourceError(Message(gettext_noop("reports.json has no list of reports")))
            # Only the scope is taken from the index: every document is fetched from this server.
            self._listed = [{k: str(r[k]) for k in ("period", "country") if r.get(k)} for r in listed
                            if isinstance(r, dict)]
            self._eu_periods = [str(r["period"]) for r in listed if isinstance(r, dict)
                                and r.get("eu_templates") and not r.get("country") and r.get("period")]
        return self._listed

    def eu_documents(self) -> list[Document]:
        """``eu/orders`` and ``eu/tco`` as JSON, CSV and XLSX of each period ``reports.json``
        says has them (a server from before the templates lists none)."""
        if self.only_report is not None:
            return []
        self._scopes()
        out = []
        for period in self._eu_periods:
            for which, slug in (("orders", "member-states-orders"), ("tco", "tco-art7")):
                for fmt in ("json", "csv", "xlsx"):
                    out.append(Document(name=f"{slug}.{fmt}", period=period, country=None,
                                        body=self._get(f"eu/{which}.{fmt}", period=period)))
        return out

    def reports(self) -> list[tuple[str, Any]]:
        """The one report named in the URL, or every report ``reports.json`` lists."""
        return [(" ".join(s.values()), _json(self._get("report.json", **s), "report.json"))
                for s in self._scopes()]

    def documents(self) -> list[Document]:
        """``statistics.json``, ``statistics.csv`` and ``report.pdf`` of each report's scope."""
        out = []
        for s in self._scopes():
            for name, path in (("statistics.json", "statistics.json"), ("statistics.csv", "statistics.csv"),
                               ("report.pdf", "report.pdf")):
                if name == "report.pdf" and not self.with_pdf:
                    continue
                out.append(Document(name=name, period=s.get("period", ""), country=s.get("country"),
                                    body=self._get(path, **s)))
        return out

    def consistency_proof(self, old: int, new: int) -> list[bytes]:
        """The proof from ``log/proof/consistency``."""
        what = Message(gettext_noop("consistency proof"))
        data = _json(self._get("log/proof/consistency", old=old, new=new), what)
        return _b64_list(data, what)

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        """The proof from ``log/proof/inclusion``."""
        what = Message(gettext_noop("inclusion proof"))
        data = _json(self._get("log/proof/inclusion", index=index, size=size), what)
        return _b64_list(data, what)


class DirSource:
    """An export directory: ``checkpoint``, ``key``, ``leaves.json``, ``reports/*.json``."""

    identity: str | None = None

    def __init__(self, path: Path) -> None:
        self.path = path
        self.bytes_read = 0
        self.with_pdf = True
        self._leaves: list[str] | None = None
        self._tree: merkle.MerkleTree | None = None

    def _read(self, name: str) -> bytes:
        try:
            body = (self.path / name).read_bytes()
        except OSError as exc:
            raise SourceError(Message(gettext_noop("cannot read %(path)s: %(error)s"), path=self.path / name,
                                      error=exc.strerror)) from exc
        self.bytes_read += len(body)
        return body

    def published_key(self) -> str:
        """The ``key`` file."""
        return self._read("key").decode("utf-8", "replace").strip()

    def checkpoint(self) -> bytes:
        """The ``checkpoint`` file."""
        return self._read("checkpoint")

    def _all_leaves(self) -> list[str]:
        if self._leaves is None:
            data = _json(self._read("leaves.json"), "leaves.json")
            leaves = data.get("leaves") if isinstance(data, dict) else None
            if not isinstance(leaves, list) or not all(isinstance(x, str) for x in leaves):
                raise SourceError(Message(gettext_noop("leaves.json has no list of leaves")))
            self._leaves = leaves
        return self._leaves

    def leaves(self, start: int, end: int) -> list[str]:
        """The ``leaves`` of ``leaves.json`` from ``start`` (all of them to the end of the file)."""
        return self._all_leaves()[start:]

    def reports(self) -> list[tuple[str, Any]]:
        """Every ``reports/*.json``."""
        folder = self.path / "reports"
        files = sorted(folder.glob("*.json")) if folder.is_dir() else []
        return [(f.stem, _json(f.read_bytes(), f.name)) for f in files]

    def documents(self) -> list[Document]:
        """Every ``statistics/<period>-<country>.json``, ``.csv`` and ``.pdf``."""
        folder = self.path / "statistics"
        out = []
        for f in sorted(folder.glob("*.*")) if folder.is_dir() else []:
            match = re.fullmatch(r"([0-9]{4}(?:-[HQ][1-4])?)-([A-Z]{2}|all)\.(json|csv|pdf)", f.name)
            if match is None or (match[3] == "pdf" and not self.with_pdf):
                continue
            name = {"json": "statistics.json", "csv": "statistics.csv", "pdf": "report.pdf"}[match[3]]
            out.append(Document(name=name, period=match[1], country=None if match[2] == "all" else match[2],
                                body=f.read_bytes()))
        return out

    def eu_documents(self) -> list[Document]:
        """Every ``eu/<period>-member-states-orders`` and ``eu/<period>-tco-art7`` (.json, .csv, .xlsx)."""
        folder = self.path / "eu"
        out = []
        for f in sorted(folder.glob("*.*")) if folder.is_dir() else []:
            match = re.fullmatch(
                r"([0-9]{4}(?:-[HQ][1-4])?)-(member-states-orders|tco-art7)\.(json|csv|xlsx)", f.name)
            if match is not None:
                out.append(Document(name=f"{match[2]}.{match[3]}", period=match[1], country=None,
                                    body=f.read_bytes()))
        return out

    def _full_tree(self) -> merkle.MerkleTree:
        if self._tree is None:
            self._tree = merkle.MerkleTree.from_leaf_hashes(
                [merkle.leaf_hash(d.encode("utf-8", "surrogatepass")) for d in self._all_leaves()])
        return self._tree

    def consistency_proof(self, old: int, new: int) -> list[bytes]:
        """Computed from the exported leaves (an export carries no proofs)."""
        try:
            return self._full_tree().consistency_proof(old, new)
        except merkle.ProofError as exc:
            raise SourceError(Message(gettext_noop("the export cannot prove sizes %(old)s to %(new)s: "
                                                   "%(error)s"),
                                      old=old, new=new, error=exc)) from exc

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        """Computed from the exported leaves."""
        try:
            return self._full_tree().inclusion_proof(index, size)
        except merkle.ProofError as exc:
            raise SourceError(Message(gettext_noop("the export cannot prove leaf %(index)s at size %(size)s: "
                                                   "%(error)s"), index=index, size=size, error=exc)) from exc


def open_source(url_or_dir: str, fetch: Callable[[str], bytes] = http_fetch) -> Source:
    """A source for a URL or a directory path."""
    if re.match(r"https?://", url_or_dir):
        return HttpSource(url_or_dir, fetch)
    path = Path(url_or_dir)
    if not path.is_dir():
        raise SourceError(Message(gettext_noop("%(location)s is neither an http(s) URL nor a directory"),
                                  location=url_or_dir))
    return DirSource(path)


@dataclass
class Snapshot:
    """The verified log as of ``size``: its right edge and the counts of its leaves."""

    size: int
    root_hash: bytes
    frontier: list[bytes]
    tally: Tally
    # The EU templates' facts of every v2 leaf verified (None: a state from an older verifier).
    orders: list[OrderRow] | None = None

    def to_json(self) -> dict[str, Any]:
        return {"size": self.size, "root_hash": _b64(self.root_hash),
                "frontier": [_b64(h) for h in self.frontier], "tally": self.tally.rows(),
                "orders": [list(r) for r in self.orders or []]}

    @classmethod
    def from_json(cls, data: Any) -> Snapshot:
        try:
            return cls(size=int(data["size"]), root_hash=base64.b64decode(data["root_hash"]),
                       frontier=[base64.b64decode(h) for h in data["frontier"]],
                       tally=Tally((str(p), str(c), str(k), str(o), int(n), int(a))
                                   for p, c, k, o, n, a in data["tally"]),
                       orders=[tuple(r) for r in data["orders"]] if "orders" in data else None)
        except (KeyError, TypeError, ValueError) as exc:
            raise VerifyError([Message(gettext_noop("the saved state of this log is damaged (%(error)s): "
                                                    "remove it and verify again from scratch"),
                                       error=exc)]) from exc


class State:
    """What this machine remembers per log: the pinned key, every checkpoint verified, a snapshot.

    Files, per log, under ``DIR/<origin>-<hash>/``: ``verifier_key``, ``checkpoint`` (the
    latest), ``checkpoints.jsonl`` (every checkpoint seen), ``snapshot.json`` (size, root,
    right edge of the tree, counts per quarter, country, kind and outcome).
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory.expanduser()

    def _log_dir(self, origin: str) -> Path:
        slug = re.sub(r"[^A-Za-z0-9._-]", "_", origin)[:80]
        return self.directory / f"{slug}-{hashlib.sha256(origin.encode()).hexdigest()[:8]}"

    def _read(self, path: Path) -> str | None:
        return path.read_text("utf-8") if path.exists() else None

    def _write(self, path: Path, text: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(text, "utf-8")
        tmp.replace(path)  # never leave a half-written file behind

    def pinned_key(self, origin: str) -> str | None:
        """The verifier key pinned for ``origin``."""
        found = self._read(self._log_dir(origin) / "verifier_key")
        return found.strip() if found else None

    def last_checkpoint(self, origin: str) -> str | None:
        """The last checkpoint note verified for ``origin``."""
        return self._read(self._log_dir(origin) / "checkpoint")

    def seen_checkpoints(self, origin: str) -> list[str]:
        """Every checkpoint note verified for ``origin`` (oldest first)."""
        raw = self._read(self._log_dir(origin) / "checkpoints.jsonl") or ""
        notes = [json.loads(line)["note"] for line in raw.splitlines() if line.strip()]
        last = self.last_checkpoint(origin)
        if last is not None and last not in notes:  # state written by an older verifier
            notes.append(last)
        return notes

    def snapshot(self, origin: str) -> Snapshot | None:
        """The verified log as of the last run, if any."""
        raw = self._read(self._log_dir(origin) / "snapshot.json")
        return Snapshot.from_json(json.loads(raw)) if raw else None

    def origin_of(self, identity: str) -> str | None:
        """The log a URL served when last verified."""
        sources = self._sources()
        return sources.get(identity)

    def _sources(self) -> dict[str, str]:
        raw = self._read(self.directory / "sources.json")
        data = json.loads(raw) if raw else {}
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}

    def save(self, origin: str, key: str, checkpoint: str, identity: str | None,
             snapshot: Snapshot | None = None) -> None:
        """Remember the key, the checkpoint (and every one before), the snapshot, and which log
        ``identity`` serves."""
        folder = self._log_dir(origin)
        self._write(folder / "verifier_key", key + "\n")
        seen = folder / "checkpoints.jsonl"
        if checkpoint not in self.seen_checkpoints(origin):
            folder.mkdir(parents=True, exist_ok=True)
            with seen.open("a", encoding="utf-8") as out:
                out.write(json.dumps({"note": checkpoint}) + "\n")
        self._write(folder / "checkpoint", checkpoint)
        if snapshot is not None:
            self._write(folder / "snapshot.json", json.dumps(snapshot.to_json(), separators=(",", ":")))
        if identity is not None:
            sources = self._sources()
            sources[identity] = origin
            self._write(self.directory / "sources.json", json.dumps(sources, indent=1, sort_keys=True))


@dataclass
class Outcome:
    """What a successful verification established, line by line."""

    origin: str
    size: int
    root_hash: bytes
    notes: list[str] = field(default_factory=list)
    tally: Tally = field(default_factory=Tally, repr=False)  # the counts of every verified leaf
    orders: list[OrderRow] = field(default_factory=list, repr=False)  # the EU templates' facts
    leaves_checked: int = 0  # leaves fetched and checked in this run (the rest came from the state)
    bytes_read: int = 0


def _b64(h: bytes) -> str:
    return base64.b64encode(h).decode()


def _choose_key(source: Source, state: State, key: str | None) -> tuple[note.Verifier, Message]:
    """The trusted key: ``--key`` if given, else the pinned one; the source's only on first use."""
    if key is not None:
        verifier = note.parse_verifier_key(key)
        how = Message(gettext_noop("key given on the command line"))
    else:
        verifier = note.parse_verifier_key(source.published_key())
        how = Message(gettext_noop("first use: key pinned"))
    pinned = state.pinned_key(verifier.name)
    if pinned is not None:
        if note.parse_verifier_key(pinned) != verifier:
            raise VerifyError([Message(gettext_noop(
                "the key of log %(name)s is not the key pinned earlier (%(pinned)s): a key change must "
                "be checked out of band. Once you trust the new key (a demo set up again, say), delete "
                "%(folder)s and run again to pin it"), name=verifier.name, pinned=pinned,
                folder=state._log_dir(verifier.name))])
        how = Message(gettext_noop("matches the pinned key"))
    if source.identity is not None:
        before = state.origin_of(source.identity)
        if before is not None and before != verifier.name:
            raise VerifyError([Message(gettext_noop("%(place)s served log %(before)s before and now serves "
                                                    "%(now)s"), place=source.identity, before=repr(before),
                                       now=repr(verifier.name))])
    return verifier, how


def verify_log(source: Source, *, state: State, key: str | None = None,
               witnesses: list[Any] | None = None, quorum: int = 0, check_documents: bool = True) -> Outcome:
    """Verify a log and its published documents; remember what was verified; raise ``VerifyError``.

    With ``witnesses`` (``witness.WitnessKey``), the checkpoint must also carry valid
    cosignatures from ``quorum`` of them (all of them when ``quorum`` is 0). With
    ``check_documents`` the statistics JSON, CSV and PDF of each report's scope are recounted too.
    """
    reports = source.reports()  # first, so no report can name a checkpoint newer than the one checked
    documents = source.documents() if check_documents else []
    eu_documents = source.eu_documents() if check_documents else []
    verifier, key_note = _choose_key(source, state, key)
    raw_note = source.checkpoint()
    try:
        cp = note.open_checkpoint(raw_note, verifier, origin=verifier.name)
    except note.NoteError as exc:
        raise VerifyError([Message(gettext_noop("checkpoint: %(error)s"), error=exc)]) from exc
    outcome = Outcome(origin=cp.origin, size=cp.size, root_hash=cp.root_hash)
    outcome.notes.append(Message(gettext_noop("checkpoint %(origin)s size %(size)s root %(root)s: signature "
                                              "valid (%(how)s)"), origin=cp.origin, size=cp.size,
                                 root=_b64(cp.root_hash), how=key_note))
    if witnesses:

        try:
            cosigned = witness.require_quorum(raw_note, witnesses, quorum or len(witnesses))
        except witness.WitnessError as exc:
            raise VerifyError([Message(gettext_noop("checkpoint: %(error)s"), error=exc)]) from exc
        outcome.notes.append(Message(gettext_noop("cosigned by %(count)s of %(total)s witnesses (%(names)s)"),
                                     count=len(cosigned), total=len(witnesses),
                                     names=", ".join(c.witness for c in cosigned)))

    snapshot = _verify_leaves(source, state, verifier, cp, outcome)
    # The log itself is sound: remember it even if a report below turns out wrong.
    state.save(cp.origin, verifier.encode(), raw_note.decode("utf-8"), source.identity, snapshot)

    problems: list[str] = []
    for label, doc in reports:
        found = [Message(gettext_noop("report %(label)s: %(problem)s"), label=label, problem=p)
                 for p in _check_report(doc, cp, snapshot.tally, source)]
        problems.extend(found)
        if not found:
            outcome.notes.append(Message(gettext_noop("report %(label)s: every count matches the leaves of "
                                                      "the latest log"), label=label))
    for document in documents:
        label = Message("%(name)s %(period)s %(country)s", name=document.name, period=document.period,
                        country=document.country or Message(gettext_noop("all countries")))
        found = [Message(gettext_noop("%(label)s: %(problem)s"), label=label, problem=p)
                 for p in _check_document(document, cp, snapshot.tally, source)]
        problems.extend(found)
        if not found:
            outcome.notes.append(Message(gettext_noop("%(label)s: every figure of closed requests matches "
                                                      "the latest log"), label=label))
    named = _services_named(eu_documents)
    for document in eu_documents:
        label = Message("%(name)s %(period)s", name=document.name, period=document.period)
        found = [Message(gettext_noop("%(label)s: %(problem)s"), label=label, problem=p)
                 for p in _check_eu_document(document, cp, snapshot.orders or [], source, named)]
        problems.extend(found)
        if not found:
            outcome.notes.append(Message(gettext_noop("%(label)s: every figure matches the latest log"),
                                         label=label))
    outcome.bytes_read = source.bytes_read
    if problems:
        raise VerifyError(problems)
    if not reports:
        outcome.notes.append(Message(gettext_noop("no reports to check")))
    return outcome


def _seen(state: State, verifier: note.Verifier, origin: str) -> dict[int, bytes]:
    """The checkpoints this machine verified before, by size (each signature checked again)."""
    seen: dict[int, bytes] = {}
    for text in state.seen_checkpoints(origin):
        try:
            old = note.open_checkpoint(text, verifier, origin=origin)
        except note.NoteError as exc:
            raise VerifyError([Message(gettext_noop("a checkpoint remembered from before no longer verifies: "
                                                    "%(error)s"), error=exc)]) from exc
        if seen.setdefault(old.size, old.root_hash) != old.root_hash:
            raise VerifyError([Message(gettext_noop("two checkpoints of size %(size)s with different roots "
                                                    "were seen: the log forked"), size=old.size)])
    return seen


def _verify_leaves(source: Source, state: State, verifier: note.Verifier, cp: note.Checkpoint,
                   outcome: Outcome) -> Snapshot:
    """Check the log extends every checkpoint seen and its new leaves hash to the signed root."""
    seen = _seen(state, verifier, cp.origin)
    before = state.snapshot(cp.origin)
    largest = max(seen, default=0)
    if largest > cp.size:
        raise VerifyError([Message(gettext_noop("the log shrank from %(before)s leaves (seen before) to "
                                                "%(size)s: it was rolled back or forked"),
                                   before=largest, size=cp.size)])
    if before is not None and (before.size > cp.size or seen.get(before.size, before.root_hash)
                               != before.root_hash):
        before = None  # a state that does not fit what was seen: start again from scratch
    if before is not None and before.orders is None:
        before = None  # a state from before the EU templates: their facts need every leaf again
    if before is not None:
        # The server's consistency proof (O(log n) hashes) names the problem precisely; the
        # leaves below prove the same again.
        try:
            merkle.verify_consistency(before.size, cp.size, before.root_hash, cp.root_hash,
                                      source.consistency_proof(before.size, cp.size))
        except merkle.ProofError as exc:
            raise VerifyError([Message(gettext_noop("not consistent with the checkpoint of size %(size)s "
                                                    "seen before (root %(root)s): %(error)s"),
                                       size=before.size, root=_b64(before.root_hash), error=exc)]) from exc
        outcome.notes.append(Message(gettext_noop("consistent with the checkpoint of size %(size)s seen "
                                                  "before (and the %(count)s checkpoint(s) seen up to it)"),
                                     size=before.size, count=len(seen)))
    start = before.size if before else 0
    frontier = merkle.Frontier(start, before.frontier) if before else merkle.Frontier()
    tally = Tally(before.tally.rows()) if before else Tally()
    orders: list[OrderRow] = list(before.orders or []) if before else []

    data = source.leaves(start, cp.size)
    if len(data) != cp.size - start:
        raise VerifyError([Message(gettext_noop("the log published %(published)s leaves, its checkpoint says "
                                                "%(size)s"), published=start + len(data), size=cp.size)])
    # surrogatepass: a malformed leaf must fail as a mismatch, not crash the verifier.
    sha256 = hashlib.sha256
    hashes = [sha256(b"\x00" + d.encode("utf-8", "surrogatepass")).digest() for d in data]
    # Every checkpoint seen between the snapshot and now must be a prefix of these leaves.
    for size in sorted(s for s in seen if start < s <= cp.size):
        frontier.extend(hashes[frontier.size - start: size - start])
        if frontier.root() != seen[size]:
            raise VerifyError([Message(gettext_noop("the first %(size)s leaves do not hash to the checkpoint "
                                                    "of size %(size)s seen before: the log forked"),
                                       size=size)])
    frontier.extend(hashes[frontier.size - start:])
    if frontier.root() != cp.root_hash:
        said = (Message(gettext_noop("the %(size)s published leaves hash to %(root)s"), size=cp.size,
                        root=_b64(frontier.root())) if not start else
                Message(gettext_noop("the %(new)s leaves published after the %(start)s verified before hash "
                                     "to %(root)s"), new=cp.size - start, start=start,
                        root=_b64(frontier.root())))
        raise VerifyError([Message(gettext_noop("%(said)s, not to the signed root %(root)s: leaves were "
                                                "altered, added or removed"), said=said,
                                   root=_b64(cp.root_hash))])
    problems: list[str] = []
    for i, d in enumerate(data, start):
        try:
            tally.add(leaf_fields(d))
            row = order_row(d)
            if row is not None:
                orders.append(row)
        except (LeafError, TypeError) as exc:
            problems.append(Message(gettext_noop("leaf %(index)s: %(error)s"), index=i, error=exc))
            if len(problems) >= 20:
                problems.append(Message(gettext_noop("… (further leaves not listed)")))
                break
    if problems:
        raise VerifyError(problems)
    if not seen:
        outcome.notes.append(Message(gettext_noop("no earlier checkpoint of this log seen here")))
    outcome.notes.append(Message(gettext_noop("%(size)s leaves hash to the signed root (%(new)s new since "
                                              "the last run)"), size=cp.size, new=len(data)) if start else
                         Message(gettext_noop("%(size)s leaves hash to the signed root"), size=cp.size))
    outcome.tally = tally
    outcome.orders = orders
    outcome.leaves_checked = len(data)
    return Snapshot(size=cp.size, root_hash=cp.root_hash, frontier=frontier.hashes, tally=tally,
                    orders=orders)


def _named_checkpoint(named: Any, cp: note.Checkpoint, source: Source, what: str) -> Message | None:
    """Why the checkpoint a document names is not a prefix of the verified log (None if it is)."""
    if (not isinstance(named, dict) or not isinstance(named.get("size"), int)
            or isinstance(named.get("size"), bool)):
        return Message(gettext_noop("the %(what)s names no checkpoint"), what=what)
    size = named["size"]
    if named.get("origin") != cp.origin:
        return Message(gettext_noop("the %(what)s is computed from log %(origin)s, not %(verified)s"),
                       what=what, origin=repr(named.get("origin")), verified=repr(cp.origin))
    if not 0 <= size <= cp.size:
        return Message(gettext_noop("the %(what)s names a checkpoint of size %(size)s, beyond the verified "
                                    "log of %(verified)s"), what=what, size=size, verified=cp.size)
    try:
        root = base64.b64decode(str(named.get("root_hash")), validate=True)
        merkle.verify_consistency(size, cp.size, root, cp.root_hash, source.consistency_proof(size, cp.size))
    except (ValueError, merkle.ProofError, SourceError):
        return Message(gettext_noop("the %(what)s names root %(root)s at size %(size)s, which is not a "
                                    "checkpoint of the verified log of %(verified)s leaves"), what=what,
                       root=named.get("root_hash"), size=size, verified=cp.size)
    return None


_DOCUMENT, _REPORT = Message(gettext_noop("document")), Message(gettext_noop("report"))


def _latest_gives(cp: note.Checkpoint) -> Message:
    return Message(gettext_noop("the latest log (%(size)s leaves) gives"), size=cp.size)


def _check_document(document: Document, cp: note.Checkpoint, tally: Tally, source: Source) -> list[str]:
    """Recount every figure of closed requests a statistics document (JSON, CSV or PDF) shows."""
    try:
        check_scope(document.period, document.country)
        exact = log_figures(tally, period=document.period, country=document.country)
        said = _latest_gives(cp)
        if document.name == "statistics.json":
            doc, figures = json_figures(document.body)
            if (doc.get("period"), doc.get("country")) != (document.period, document.country):
                return [Message(gettext_noop("the document is about %(period)s %(country)s"),
                                period=doc.get("period"),
                                country=doc.get("country") or Message(gettext_noop("all countries")))]
            wrong = _named_checkpoint(doc.get("checkpoint"), cp, source, _DOCUMENT)
            return [wrong] if wrong else figure_mismatches(figures, exact, source=said)
        if document.name == "statistics.csv":
            return figure_mismatches(csv_figures(document.body), exact, source=said)
        shown = {k: v for k, v in exact.items() if k.startswith(PDF_NAMES)}
        return figure_mismatches(pdf_figures(document.body), shown, source=said)
    except ReportError as exc:
        return [_said(exc)]


def _said(exc: Exception) -> str:
    """An exception's message, kept a ``Message`` when it was raised with one."""
    return exc.args[0] if len(exc.args) == 1 and isinstance(exc.args[0], Message) else str(exc)


def _check_eu_document(document: Document, cp: note.Checkpoint, orders: list[OrderRow],
                       source: Source, named: dict[tuple[str, str], str]) -> list[str]:
    """Recompute an EU reporting template from the latest log's leaves and compare: the JSON
    figure by figure, the CSV line by line, the XLSX byte for byte (its bytes are a function of
    the figures)."""
    slug, _, fmt = document.name.rpartition(".")
    said = _latest_gives(cp)
    try:
        check_scope(document.period, None)
        # The CSV and XLSX carry the table only: the service's name comes from the JSON beside it.
        doc = json.loads(document.body) if fmt == "json" else {"service": named.get((slug, document.period))}
        if not isinstance(doc, dict) or not isinstance(doc.get("service"), str):
            return [Message(gettext_noop("the document names no service"))]
        compute = eu_templates.tco_report if slug == "tco-art7" else eu_templates.member_states_orders
        computed = compute(orders, period=document.period, service=doc["service"])
        if fmt == "json":
            if doc.get("period") != document.period:
                return [Message(gettext_noop("the document is about %(period)s"),
                                period=repr(doc.get("period")))]
            wrong = _named_checkpoint(doc.get("checkpoint"), cp, source, _DOCUMENT)
            if wrong:
                return [wrong]
            check = eu_templates.tco_mismatches if slug == "tco-art7" else eu_templates.sheet_mismatches
            return check(doc, computed, source=said)
        table = (eu_templates.tco_table if slug == "tco-art7" else eu_templates.sheet_table)(computed)
        sheet = eu_templates.TCO_SHEET_NAME if slug == "tco-art7" else eu_templates.SHEET_NAME
        expected = eu_templates.csv_bytes(table) if fmt == "csv" else eu_templates.xlsx_bytes(table, sheet)
        return eu_templates.file_mismatch(document.name, document.body, expected)
    except (ValueError, TypeError, KeyError, ReportError) as exc:
        return [_said(exc)]


def _services_named(documents: list[Document]) -> dict[tuple[str, str], str]:
    """The service name each template's JSON states, by (template, period): the CSV and XLSX
    beside it are recomputed for that name."""
    out = {}
    for d in documents:
        slug, _, fmt = d.name.rpartition(".")
        if fmt == "json":
            try:
                doc = json.loads(d.body)
            except ValueError:
                continue
            if isinstance(doc, dict) and isinstance(doc.get("service"), str):
                out[(slug, d.period)] = str(doc["service"])
    return out


def _check_report(doc: Any, cp: note.Checkpoint, tally: Tally, source: Source) -> list[str]:
    """Compare a report with the latest verified log: a report naming an older checkpoint must
    still give the latest log's counts for its scope (a closed period does not change)."""
    if not isinstance(doc, dict) or doc.get("format") != REPORT_FORMAT:
        return [Message(gettext_noop("not a %(format)s document"), format=REPORT_FORMAT)]
    wrong = _named_checkpoint(doc.get("checkpoint"), cp, source, _REPORT)
    if wrong:
        return [wrong]
    size = doc["checkpoint"]["size"]
    period, country = doc.get("period"), doc.get("country")
    if not isinstance(period, str) or not (country is None or isinstance(country, str)):
        return [Message(gettext_noop("the report's period or country is malformed"))]
    try:
        check_scope(period, country)
        latest = tally.counts(period=period, country=country)
        problems = count_mismatches(doc.get("counts", {}), latest, source=_latest_gives(cp))
    except ReportError as exc:
        return [_said(exc)]
    if problems and size < cp.size:
        problems.append(Message(gettext_noop("the report is computed from an older checkpoint (%(size)s "
                                             "leaves) than the latest log (%(latest)s leaves)"),
                                size=size, latest=cp.size))
    return problems


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
            raise VerifyError([Message(gettext_noop("the leaf's commitment is not to case %(case)s with "
                                                    "this salt"),
                                       case=ref)])
    except VerifyError:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise VerifyError([Message(gettext_noop("receipt: %(error)s"), error=exc)]) from exc
    return leaf


def receipt_in_log(receipt: Any, outcome: Outcome, source: Source) -> None:
    """Check a receipt's leaf is in the verified public log, at its index, unchanged.

    Call it after ``verify_receipt``, with ``outcome`` from ``verify_log`` on the platform's
    public log and the same ``source``: this ties the officer's receipt to the very log the
    reports are computed from, not to a copy shown only to them.
    """
    try:
        index, note_text, data = receipt["leaf_index"], receipt["checkpoint"], receipt["leaf"]
        receipt_cp = note.parse_checkpoint(note.split_note(note_text)[0])
        if not isinstance(index, int) or isinstance(index, bool) or not isinstance(data, str):
            raise TypeError("leaf_index is not an integer")
    except (KeyError, TypeError, ValueError) as exc:
        raise VerifyError([Message(gettext_noop("receipt: %(error)s"), error=exc)]) from exc
    if receipt_cp.origin != outcome.origin:
        raise VerifyError([Message(gettext_noop("the receipt is from log %(origin)s, not %(verified)s"),
                                   origin=repr(receipt_cp.origin), verified=repr(outcome.origin))])
    if receipt_cp.size > outcome.size:
        raise VerifyError([Message(gettext_noop("the receipt's checkpoint (size %(size)s) is newer than the "
                                                "public log (size %(public)s): run again later"),
                                   size=receipt_cp.size, public=outcome.size)])
    try:
        merkle.verify_inclusion(merkle.leaf_hash(data.encode("utf-8", "surrogatepass")), index,
                                outcome.size, source.inclusion_proof(index, outcome.size), outcome.root_hash)
    except (merkle.ProofError, SourceError) as exc:
        raise VerifyError([Message(gettext_noop("the public log does not hold the receipt's leaf at index "
                                                "%(index)s"), index=index)]) from exc
    try:
        merkle.verify_consistency(receipt_cp.size, outcome.size, receipt_cp.root_hash, outcome.root_hash,
                                  source.consistency_proof(receipt_cp.size, outcome.size))
    except (merkle.ProofError, SourceError) as exc:
        raise VerifyError([Message(gettext_noop("the receipt's checkpoint of size %(size)s is not part of "
                                                "the public log: the receipt was issued from a forked log"),
                                   size=receipt_cp.size)]) from exc
