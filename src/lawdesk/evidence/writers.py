"""Streaming writers for the records of a package: JSON Lines and CSV, hashed as they are written."""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import json
import os
import queue
import threading
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as dtime
from decimal import Decimal
from enum import Enum
from ipaddress import IPv4Address, IPv6Address
from pathlib import Path
from types import SimpleNamespace
from typing import Any, BinaryIO
from uuid import UUID

from lawdesk.evidence import arrow_records

_FLUSH_CHARS = 1 << 20  # encode and hash in ~1 MB slices: few syscalls, flat memory
_QUEUED = 4  # slices (record batches) waiting for a background writer at most
ENCODE_THREADS = min(2, os.cpu_count() or 1)  # threads encoding record batches


class PackageError(Exception):
    """The package cannot be built as described (bad input, not a failure of the machine)."""


@dataclass(frozen=True)
class RecordSet:
    """Records of one data category about one target; ``rows`` may be a one-shot generator."""

    category: str
    target: str
    rows: Iterable[Mapping[str, Any]]
    fields: Sequence[str] | None = None  # CSV columns; default: the first row's keys
    system: str | None = None  # the system the rows came from, for the certificate
    # Arrow record batches instead of rows (``rows`` is then ignored): encoded a batch at a time
    # by vectorised kernels, to the same bytes as their rows would give (``arrow_records``).
    batches: Iterable[Any] | None = None

    @classmethod
    def from_batches(cls, category: str, target: str, batches: Iterable[Any], *,
                     fields: Sequence[str] | None = None, system: str | None = None) -> RecordSet:
        """A record set read from Arrow record batches (a connector's stream)."""
        return cls(category, target, (), fields, system, batches)


@dataclass(frozen=True)
class PackageFile:
    """One payload file of the bag."""

    path: str
    size: int
    sha256: str
    sha512: str


@dataclass(frozen=True)
class RecordSetSummary:
    """What was written for one record set."""

    category: str
    target: str
    rows: int
    jsonl: str
    csv: str
    fields: tuple[str, ...]
    system: str | None


def json_default(value: Any) -> Any:
    """JSON for the types platform rows carry (times, decimals, ids, addresses); others are refused."""
    if isinstance(value, datetime | date | dtime):
        return value.isoformat()
    if isinstance(value, Decimal | UUID | IPv4Address | IPv6Address):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if isinstance(value, timedelta):
        return value.total_seconds()
    raise TypeError(f"cannot write a {type(value).__name__} into an evidence record")


def dataclass_rows(items: Iterable[Any]) -> Iterator[dict[str, Any]]:
    """Rows from dataclass instances (a connector's ``Message`` stream, say), lazily, fields in order."""
    names: list[str] | None = None
    for item in items:
        if names is None:
            names = [f.name for f in dataclasses.fields(item)]
        # Not dataclasses.asdict: it deep-copies every value, and this runs once per row.
        yield {name: getattr(item, name) for name in names}


dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=json_default).encode


_ESCAPE_LINE_BREAKS = {0x2028: "\\u2028", 0x2029: "\\u2029", 0x85: "\\u0085"}
_CSV_AS_IS = frozenset({str, int, float, type(None)})


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dict | list | tuple):
        return dumps(value)
    converted = json_default(value)
    return converted if isinstance(converted, str) else dumps(converted)


class HashingFile:
    """A new file that hashes (sha256 and sha512) and counts what is written to it.

    With ``background``, writing and hashing happen in a thread of their own (file writes and
    hashlib release the GIL), so they overlap with the caller encoding the next slice; at most
    ``_QUEUED`` slices wait, so memory stays flat.
    """

    def __init__(self, path: Path, *, background: bool = False) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._fh: BinaryIO = open(path, "xb")  # noqa: SIM115 - closed in finish()
        self._sha256 = hashlib.sha256()
        self._sha512 = hashlib.sha512()
        self.size = 0
        self._queue: queue.Queue[Any] | None = None
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        if background:
            self._queue = queue.Queue(maxsize=_QUEUED)
            self._thread = threading.Thread(target=self._drain, name=f"hash {path.name}", daemon=True)
            self._thread.start()

    def _put(self, data: Any) -> None:
        self._fh.write(data)
        self._sha256.update(data)
        self._sha512.update(data)

    def _drain(self) -> None:
        assert self._queue is not None
        while (data := self._queue.get()) is not None:
            if self._error is None:
                try:
                    self._put(data)
                except BaseException as exc:
                    self._error = exc

    def write(self, data: Any) -> None:
        """Write, hash and count ``data`` (bytes, or any buffer: an Arrow buffer, say)."""
        self.size += memoryview(data).nbytes
        if self._queue is None:
            self._put(data)
            return
        if self._error is not None:
            raise self._error
        self._queue.put(data)

    def _join(self) -> None:
        if self._queue is not None and self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._queue = None

    def close(self) -> None:
        """Close without a result (on failure)."""
        self._join()
        self._fh.close()

    def finish(self, rel: str) -> PackageFile:
        """Close the file and return its size and digests under the bag path ``rel``."""
        self._join()
        self._fh.close()
        if self._error is not None:
            raise self._error
        return PackageFile(rel, self.size, self._sha256.hexdigest(), self._sha512.hexdigest())


def write_file(root: Path, rel: str, data: bytes) -> PackageFile:
    """Write a small payload file in one go."""
    out = HashingFile(root / rel)
    out.write(data)
    return out.finish(rel)


def _flush(parts: list[str], out: HashingFile) -> None:
    out.write("".join(parts).encode())
    parts.clear()


def write_record_set(root: Path, rel_stem: str, rs: RecordSet) -> tuple[list[PackageFile], RecordSetSummary]:
    """Stream one record set into ``<stem>.jsonl`` and ``<stem>.csv`` in a single pass over its rows."""
    if rs.batches is not None:
        return _write_batches(root, rel_stem, rs)
    jout = HashingFile(root / f"{rel_stem}.jsonl")
    cout = HashingFile(root / f"{rel_stem}.csv")
    # Rows are rendered into lists of str and encoded, hashed and written in ~1 MB slices: one
    # write per slice rather than per row, and no Python-level call per row on the hot path.
    jparts: list[str] = []
    cparts: list[str] = []
    writer = csv.writer(SimpleNamespace(write=cparts.append), lineterminator="\r\n")
    fields: list[str] | None = list(rs.fields) if rs.fields is not None else None
    fieldset = set(fields or ())
    if fields is not None:
        writer.writerow(fields)
    n = 0
    pending = 0
    try:
        for row in rs.rows:
            n += 1
            if fields is None:
                fields = list(row)
                fieldset = set(fields)
                writer.writerow(fields)
            if not fieldset.issuperset(row):
                # Dropping a column silently would alter evidence; the caller must name it.
                key = next(k for k in row if k not in fieldset)
                raise PackageError(f"{rs.category}/{rs.target}: record {n} has field {key!r} "
                                   f"outside the CSV columns {fields}")
            line = dumps(row) + "\n"
            if "\u2028" in line or "\u2029" in line or "\x85" in line:
                # Valid JSON, but str.splitlines() and some JSON Lines readers break lines there.
                line = line.translate(_ESCAPE_LINE_BREAKS)
            jparts.append(line)
            pending += len(line)
            # csv writes str, int, float and None ('') as we want; convert only the rest.
            writer.writerow([v if v.__class__ in _CSV_AS_IS else _csv_cell(v) for v in map(row.get, fields)])
            if pending >= _FLUSH_CHARS:  # the CSV slice is about as large as the JSON one
                _flush(jparts, jout)
                _flush(cparts, cout)
                pending = 0
        _flush(jparts, jout)
        _flush(cparts, cout)
    except BaseException:
        jout.close()
        cout.close()
        raise
    files = [jout.finish(f"{rel_stem}.jsonl"), cout.finish(f"{rel_stem}.csv")]
    summary = RecordSetSummary(rs.category, rs.target, n, files[0].path, files[1].path,
                               tuple(fields or ()), rs.system)
    return files, summary


class _Sink:
    """Collects what the row encoder writes, for one batch the vectorised encoder cannot take."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.parts.append(data)

    def value(self) -> bytes:
        return b"".join(self.parts)


def _encode_rows(rows: Iterable[Mapping[str, Any]], fields: list[str]) -> tuple[bytes, bytes]:
    """The row encoder's bytes for ``rows`` (no CSV header): the reference the batches must equal."""
    jparts: list[str] = []
    cparts: list[str] = []
    writer = csv.writer(SimpleNamespace(write=cparts.append), lineterminator="\r\n")
    for row in rows:
        line = dumps(row) + "\n"
        if "\u2028" in line or "\u2029" in line or "\x85" in line:
            line = line.translate(_ESCAPE_LINE_BREAKS)
        jparts.append(line)
        writer.writerow([v if v.__class__ in _CSV_AS_IS else _csv_cell(v) for v in map(row.get, fields)])
    return "".join(jparts).encode(), "".join(cparts).encode()


def _encode_batch(batch: Any, fields: list[str]) -> tuple[Any, Any]:
    try:
        return arrow_records.encode_batch(batch, fields)
    except arrow_records.Unsupported:
        return _encode_rows(batch.to_pylist(), fields)


def _write_batches(root: Path, rel_stem: str, rs: RecordSet) -> tuple[list[PackageFile], RecordSetSummary]:
    """The batch path: batches are encoded by ``ENCODE_THREADS`` threads (Arrow's kernels and
    numpy release the GIL), at most ``_QUEUED`` ahead, and written in their order."""
    assert rs.batches is not None
    jout = HashingFile(root / f"{rel_stem}.jsonl", background=True)
    cout = HashingFile(root / f"{rel_stem}.csv", background=True)
    fields: list[str] | None = list(rs.fields) if rs.fields is not None else None
    if fields is not None:
        cout.write(_header(fields))
    n = 0
    pending: deque[Future[tuple[Any, Any]]] = deque()

    def drain(keep: int) -> None:
        while len(pending) > keep:
            jbuf, cbuf = pending.popleft().result()
            jout.write(jbuf)
            cout.write(cbuf)

    pool = ThreadPoolExecutor(max_workers=ENCODE_THREADS, thread_name_prefix="encode")
    try:
        for batch in rs.batches:
            if not batch.num_rows:
                continue
            if fields is None:  # as for rows: the columns of the first record
                fields = list(batch.schema.names)
                cout.write(_header(fields))
            fieldset = set(fields)
            extra = [k for k in batch.schema.names if k not in fieldset]
            if extra:
                raise PackageError(f"{rs.category}/{rs.target}: record {n + 1} has field {extra[0]!r} "
                                   f"outside the CSV columns {fields}")
            pending.append(pool.submit(_encode_batch, batch, fields))
            n += batch.num_rows
            drain(_QUEUED)
        drain(0)
    except BaseException:
        for f in pending:
            f.cancel()
        pool.shutdown(wait=True)
        jout.close()
        cout.close()
        raise
    pool.shutdown(wait=True)
    files = [jout.finish(f"{rel_stem}.jsonl"), cout.finish(f"{rel_stem}.csv")]
    summary = RecordSetSummary(rs.category, rs.target, n, files[0].path, files[1].path,
                               tuple(fields or ()), rs.system)
    return files, summary


def _header(fields: list[str]) -> bytes:
    parts: list[str] = []
    csv.writer(SimpleNamespace(write=parts.append), lineterminator="\r\n").writerow(fields)
    return "".join(parts).encode()
