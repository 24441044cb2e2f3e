"""Encode Arrow record batches into the package's JSON Lines and CSV, vectorised.

The bytes are exactly those :func:`lawdesk.evidence.writers.write_record_set` writes for the
same rows given as Python values (``batch.to_pylist()``): ``json.dumps(row, ensure_ascii=False,
separators=(",", ":"))`` with U+2028, U+2029 and U+0085 escaped, and ``csv.writer`` (excel
dialect, ``\\r\\n``) with None as an empty cell, booleans as ``true``/``false`` and times in
ISO 8601 (``datetime.isoformat``). Every column is turned into its text with Arrow compute
kernels, a whole batch at a time, and the rows are joined into one buffer that is hashed and
written as it is; no Python code runs per row.

Columns of a type whose text is not known here to be identical (floats, decimals, nested
types, time zones other than UTC, years outside 1000-9999, ...) make the batch go through the
row-by-row encoder instead: slower, never different.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["Unsupported", "encode_batch"]


class Unsupported(Exception):
    """This batch has a column the vectorised encoder does not render; use the row encoder."""


_LS = pa.large_string()
_JSON_ESCAPES = [("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t"),
                 ("\b", "\\b"), ("\f", "\\f"),
                 *((chr(c), f"\\u{c:04x}") for c in range(0x20) if chr(c) not in "\n\r\t\b\f"),
                 ("\u2028", "\\u2028"), ("\u2029", "\\u2029"), ("\x85", "\\u0085")]
_JSON_SPECIAL = r'[\x00-\x1f"\\\x{2028}\x{2029}\x{85}]'
_CSV_SPECIAL = '[,"\r\n]'
_MIN_TS_S = -30610224000  # 1000-01-01T00:00:00: isoformat pads years, strftime may not
_MAX_TS_S = 253402300799  # 9999-12-31T23:59:59


def _join(*parts: Any) -> pa.Array:
    """Concatenate strings element-wise (Python strings are broadcast as large_string scalars)."""
    *values, sep = parts
    return pc.binary_join_element_wise(
        *(pa.scalar(p, _LS) if isinstance(p, str) else p for p in values), pa.scalar(sep, _LS))


def _any(mask: pa.Array) -> bool:
    return bool(pc.any(mask).as_py())


def _strings(col: pa.Array) -> pa.Array:
    return col.cast(_LS) if col.type != _LS else col


_JSON_FLAG, _CSV_FLAG = 1, 2


def _scan(text: pa.Array) -> int:
    """Which kinds of special character a large_string column's values hold (numpy, no regex)."""
    data = text.buffers()[2]
    if data is None or len(text) == 0:
        return 0
    offsets = np.frombuffer(text.buffers()[1], dtype=np.int64)
    start, end = int(offsets[text.offset]), int(offsets[text.offset + len(text)])
    raw = np.frombuffer(data, dtype=np.uint8)[start:end]
    flags = 0
    if (raw < 0x20).any() or (raw == 0x22).any() or (raw == 0x5C).any():  # control, '"', '\\'
        flags |= _JSON_FLAG
    elif (raw >= 0xC2).any():
        # U+2028 / U+2029 (UTF-8 E2 80 A8 / A9) and U+0085 (C2 85) are escaped too
        e2 = np.flatnonzero(raw[:-2] == 0xE2)
        c2 = np.flatnonzero(raw[:-1] == 0xC2)
        if ((raw[e2 + 1] == 0x80) & ((raw[e2 + 2] == 0xA8) | (raw[e2 + 2] == 0xA9))).any() or (
                raw[c2 + 1] == 0x85).any():
            flags |= _JSON_FLAG
    if (raw == 0x2C).any() or (raw == 0x22).any() or (raw == 0x0D).any() or (raw == 0x0A).any():
        flags |= _CSV_FLAG  # ',', '"', CR, LF
    return flags


def _json_string(col: pa.Array, flags: int) -> pa.Array:
    """The escaped text of JSON string literals of a string column, without the quotes."""
    text = _strings(col)
    if flags & _JSON_FLAG and _any(pc.match_substring_regex(text, _JSON_SPECIAL)):
        for char, escaped in _JSON_ESCAPES:
            if _any(pc.match_substring(text, char)):
                text = pc.replace_substring(text, char, escaped)
    return text


def _csv_string(col: pa.Array, flags: int) -> pa.Array:
    """CSV cells of a string column as ``csv.writer`` quotes them (minimal quoting)."""
    text = _strings(col)
    if not flags & _CSV_FLAG:
        return text
    special = pc.match_substring_regex(text, _CSV_SPECIAL)
    if not _any(special):
        return text
    quoted = _join('"', pc.replace_substring(text, '"', '""'), '"', "")
    return pc.if_else(special, quoted, text)


def _iso_timestamp(col: pa.Array, quote: bool) -> pa.Array:
    """``datetime.isoformat()`` of a timestamp column (naive or UTC), in quotes for JSON if asked.

    The text is laid out digit by digit with numpy (the civil date from the day number by
    H. Hinnant's algorithm): Arrow's ``strftime`` was 60 % of the encoding time.
    """
    unit = col.type.unit
    tz = col.type.tz
    if tz is not None and tz.upper() not in ("UTC", "+00:00", "ETC/UTC", "Z"):
        raise Unsupported(f"time zone {tz}")
    if unit == "ns":
        raise Unsupported("nanosecond timestamps")  # datetime has microseconds only
    per_s = {"s": 1, "ms": 1_000, "us": 1_000_000}[unit]
    raw = col.cast(pa.int64()).fill_null(0).to_numpy()
    secs, frac = np.divmod(raw, per_s)  # floor division, so times before 1970 come out right
    if len(secs) and (secs.min() < _MIN_TS_S or secs.max() > _MAX_TS_S):
        raise Unsupported("year outside 1000-9999")
    micros = frac * (1_000_000 // per_s)
    days, sod = np.divmod(secs, 86_400)
    z = days + 719_468
    era = np.floor_divide(z, 146_097)
    doe = z - era * 146_097
    yoe = (doe - doe // 1460 + doe // 36_524 - doe // 146_096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = np.where(mp < 10, mp + 3, mp - 9)
    year = yoe + era * 400 + (month <= 2)
    hour, rest = np.divmod(sod, 3600)
    minute, second = np.divmod(rest, 60)
    q = 1 if quote else 0
    has_frac = micros != 0
    suffix = b"+00:00" if tz is not None else b""
    lengths = 19 + 2 * q + 7 * has_frac + len(suffix)
    offsets = np.zeros(len(raw) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    buf = np.empty(int(offsets[-1]), dtype=np.uint8)
    at = offsets[:-1]
    zero = ord("0")

    def put(pos: Any, value: Any, width: int, where: Any = None) -> None:
        idx = at + pos if where is None else (at + pos)[where]
        v = value if where is None else value[where]
        for k in range(width - 1, -1, -1):
            buf[idx + k] = zero + v % 10
            v = v // 10

    def lit(pos: Any, text: bytes, where: Any = None) -> None:
        idx = at + pos if where is None else (at + pos)[where]
        for k, ch in enumerate(text):
            buf[idx + k] = ch

    if q:
        lit(0, b'"')
    put(q, year, 4)
    lit(q + 4, b"-")
    put(q + 5, month, 2)
    lit(q + 7, b"-")
    put(q + 8, day, 2)
    lit(q + 10, b"T")
    put(q + 11, hour, 2)
    lit(q + 13, b":")
    put(q + 14, minute, 2)
    lit(q + 16, b":")
    put(q + 17, second, 2)
    if has_frac.any():
        lit(q + 19, b".", has_frac)
        put(q + 20, micros, 6, has_frac)
    tail = q + 19 + 7 * has_frac
    if suffix:
        lit(tail, suffix)
        tail = tail + len(suffix)
    if q:
        lit(tail, b'"')
    # A fresh bitmap at offset 0 (the column may be a slice with its own offset).
    validity = pc.is_valid(col).buffers()[1] if col.null_count else None
    return pa.LargeStringArray.from_buffers(len(raw), pa.py_buffer(offsets), pa.py_buffer(buf), validity,
                                            col.null_count)


def _texts(col: pa.Array) -> tuple[list[Any], pa.Array]:
    """(JSON parts, CSV text) of one column: the parts, joined, are the JSON values (``null`` for
    nulls); the CSV text is large_string with nulls as null."""
    jtext, ctext, quoted = _column_texts(col)
    if not quoted:
        return [pc.fill_null(jtext, "null")], ctext
    if col.null_count == 0:
        return ['"', jtext, '"'], ctext  # the quotes join the key's literal: one pass fewer
    return [pc.fill_null(_join('"', jtext, '"', ""), "null")], ctext


def _column_texts(col: pa.Array) -> tuple[pa.Array, pa.Array, bool]:
    """(JSON text, CSV text, whether the JSON text goes in quotes) of one column."""
    t = col.type
    if pa.types.is_null(t):
        empty = pa.nulls(len(col), _LS)
        return empty, empty, False
    if pa.types.is_integer(t) or pa.types.is_boolean(t):
        text = col.cast(_LS)  # decimal digits; booleans as true/false, as json and _csv_cell write
        return text, text, False
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        flags = _scan(_strings(col))
        return _json_string(col, flags), _csv_string(col, flags), True
    if pa.types.is_timestamp(t):
        text = _iso_timestamp(col, False)
        return text, text, True  # nothing in it to escape
    if pa.types.is_date32(t) or pa.types.is_date64(t):
        text = col.cast(pa.date32()).cast(_LS)  # YYYY-MM-DD
        if len(col) and col.null_count < len(col):
            lo, hi = pc.min_max(pc.year(col)).values()
            if lo.as_py() < 1000 or hi.as_py() > 9999:
                raise Unsupported("year outside 1000-9999")
        return text, text, True
    raise Unsupported(f"column type {t}")


def _bytes_of(arr: pa.Array) -> pa.Buffer:
    """The concatenated values of a large_string array without nulls, as one buffer."""
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64)
    start, end = int(offsets[arr.offset]), int(offsets[arr.offset + len(arr)])
    data = arr.buffers()[2]
    if data is None:
        return pa.py_buffer(b"")
    return data.slice(start, end - start)


def encode_batch(batch: pa.RecordBatch, fields: Sequence[str]) -> tuple[pa.Buffer, pa.Buffer]:
    """The JSON Lines and CSV bytes of ``batch`` (JSON keys in column order, CSV in ``fields``).

    Raises :class:`Unsupported` when a column needs the row encoder.
    """
    n = batch.num_rows
    if n == 0:
        return pa.py_buffer(b""), pa.py_buffer(b"")
    names = batch.schema.names
    json_parts: list[Any] = []
    csv_cols: dict[str, pa.Array] = {}
    for i, name in enumerate(names):
        jtext, ctext = _texts(batch.column(i))
        key = json.dumps(name, ensure_ascii=False).translate(
            {0x2028: "\\u2028", 0x2029: "\\u2029", 0x85: "\\u0085"})
        json_parts.append(("{" if i == 0 else ",") + key + ":")
        json_parts.extend(jtext)
        csv_cols[name] = ctext
    if not names:
        json_parts.append("{")
    json_parts.append("}\n")
    jlines = _join(*_broadcast(_merged(json_parts), n), "")
    cells: list[Any] = []
    for k, name in enumerate(fields):
        col = csv_cols.get(name)
        cells.append(pc.fill_null(col, "") if col is not None else "")
        cells.append("," if k < len(fields) - 1 else "\r\n")
    if len(fields) == 1:
        # csv.writer writes a record whose only cell is empty as "" (else it would be a blank line)
        only = cells[0]
        cells[0] = pc.if_else(pc.equal(pc.binary_length(only), 0), pa.scalar('""', _LS), only) if isinstance(
            only, pa.Array) else '""'
    if not fields:
        cells = ["\r\n"]
    clines = _join(*_broadcast(cells, n), "")
    return _bytes_of(_strings(jlines)), _bytes_of(_strings(clines))


def _merged(parts: list[Any]) -> list[Any]:
    """Adjacent literal strings made one (fewer inputs to the join)."""
    out: list[Any] = []
    for p in parts:
        if isinstance(p, str) and out and isinstance(out[-1], str):
            out[-1] += p
        else:
            out.append(p)
    return out


def _broadcast(parts: list[Any], n: int) -> list[Any]:
    """Scalars stay scalars (binary_join broadcasts them) unless every part is a scalar."""
    if any(isinstance(p, pa.Array | pa.ChunkedArray) for p in parts):
        return [p if isinstance(p, pa.Array | pa.ChunkedArray) else pa.scalar(p, _LS) for p in parts]
    return [pa.array([p] * n, _LS) for p in parts]
