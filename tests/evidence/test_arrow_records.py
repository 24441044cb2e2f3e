"""Record sets given as Arrow batches are written byte for byte as the same rows given as values."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lawdesk.evidence.arrow_records import Unsupported, encode_batch
from lawdesk.evidence.package import build_package
from lawdesk.evidence.writers import PackageError, RecordSet, write_record_set

from .conftest import NOW, sample_description

AWKWARD_TEXT = [
    "plain", "", " leading and trailing ", "comma, inside", 'quote " inside', '"', '""', "new\nline",
    "cr\rlf\r\n", "tab\there", "back\\slash", "\\u0041 not an escape", "nul\x00byte", "\x01\x1f\x7f",
    "bell\x07 and form\x0c feed\x08", "é ü 中文 😀", "line\u2028sep\u2029para\x85nel", "\ufeffbom",
    "🏳️‍🌈 zwj", "'single'", "semi;colon", "=1+2", None,
]
BIG = [0, 1, -1, 2**31, -(2**31) - 1, 2**53 + 1, 2**63 - 1, -(2**63), None]
IPS = ["2001:db8::1", "::ffff:192.0.2.1", "fe80::1%eth0", "192.0.2.255", "::", None]
TIMES = [datetime(2025, 6, 1, tzinfo=UTC), datetime(2025, 6, 1, 12, 30, 5, 123456, tzinfo=UTC),
         datetime(2025, 6, 1, 12, 30, 5, 1000, tzinfo=UTC), datetime(1969, 12, 31, 23, 59, 59, 500000, tzinfo=UTC),
         datetime(1000, 1, 1, tzinfo=UTC), datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC), None]


def _digests(root: Path, rs: RecordSet) -> dict[str, tuple[str, str, int]]:
    files, summary = write_record_set(root, f"data/{rs.category}/x", rs)
    out = {f.path: (f.sha256, f.sha512, f.size) for f in files}
    for f in files:  # the manifest figures are those of the bytes on disk
        data = (root / f.path).read_bytes()
        assert (hashlib.sha256(data).hexdigest(), len(data)) == (f.sha256, f.size)
    out["rows"] = (str(summary.rows), "", len(summary.fields))
    return out


def _both(tmp_path: Path, table: pa.Table, *, fields: list[str] | None = None,
          chunk: int = 3) -> tuple[dict[str, Any], dict[str, Any]]:
    rows = table.to_pylist()
    by_rows = _digests(tmp_path / "rows", RecordSet("content", "t", iter(rows), fields=fields))
    by_batches = _digests(tmp_path / "batches", RecordSet.from_batches(
        "content", "t", table.to_batches(max_chunksize=chunk), fields=fields))
    return by_rows, by_batches


def _column(values: list[Any], n: int) -> list[Any]:
    return [values[i % len(values)] for i in range(n)]


def test_awkward_values_give_identical_bytes(tmp_path: Path) -> None:
    n = 3 * len(AWKWARD_TEXT)
    table = pa.table({
        "message_id": pa.array(_column(BIG, n), pa.int64()),
        "small": pa.array(_column([1, None, 255], n), pa.uint8()),
        "text": pa.array(_column(AWKWARD_TEXT, n), pa.string()),
        "ip": pa.array(_column(IPS, n), pa.large_string()),
        "ts": pa.array(_column(TIMES, n), pa.timestamp("us", tz="UTC")),
        "naive_ms": pa.array(_column([datetime(2024, 2, 29, 1, 2, 3, 4000), None], n), pa.timestamp("ms")),
        "day": pa.array(_column([date(2024, 2, 29), None, date(1999, 1, 1)], n), pa.date32()),
        "flag": pa.array(_column([True, False, None], n), pa.bool_()),
        "nothing": pa.nulls(n),
        "weird \"key\"\u2028é": pa.array(_column(["x", ","], n)),
    })
    encode_batch(table.to_batches()[0], table.schema.names)  # the vectorised path, not the fallback
    by_rows, by_batches = _both(tmp_path, table)
    assert by_rows == by_batches
    # and the text really is what a reader gets back
    text = (tmp_path / "batches/data/content/x.jsonl").read_text(encoding="utf-8")
    assert text.count("\n") == n and "\\u2028" in text and "\\u0000" in text


def test_named_columns_missing_and_reordered(tmp_path: Path) -> None:
    table = pa.table({"b": ["x,y", None], "a": [1, 2]})
    assert _both(tmp_path, table, fields=["a", "missing", "b"])[0] == _both(
        tmp_path / "again", table, fields=["a", "missing", "b"])[1]


@pytest.mark.parametrize("values", [[None, ""], ["", "a"], [None]])
def test_one_column_records_with_empty_cells(tmp_path: Path, values: list[Any]) -> None:
    by_rows, by_batches = _both(tmp_path, pa.table({"only": pa.array(values, pa.string())}))
    assert by_rows == by_batches


def test_unsupported_types_take_the_row_encoder_and_agree(tmp_path: Path) -> None:
    table = pa.table({"f": [0.1, 1e20, None], "paris": pa.array(
        [datetime(2025, 1, 1, tzinfo=UTC)] * 3, pa.timestamp("us", tz="Europe/Paris")),
        "old": pa.array([datetime(999, 1, 1, tzinfo=UTC)] * 3, pa.timestamp("us", tz="UTC"))})
    for name in table.schema.names:
        with pytest.raises(Unsupported):
            encode_batch(table.select([name]).to_batches()[0], [name])
    by_rows, by_batches = _both(tmp_path, table, chunk=2)
    assert by_rows == by_batches


def test_empty_batches_and_no_rows(tmp_path: Path) -> None:
    empty = pa.table({"a": pa.array([], pa.int64())})
    assert _both(tmp_path / "1", empty)[0] == _both(tmp_path / "1b", empty)[1]
    by_rows, by_batches = _both(tmp_path / "2", empty, fields=["a"])
    assert by_rows == by_batches


def test_a_column_outside_the_named_fields_is_refused(tmp_path: Path) -> None:
    rs = RecordSet.from_batches("content", "t", pa.table({"a": [1], "secret": [2]}).to_batches(),
                                fields=["a"])
    with pytest.raises(PackageError, match="'secret'"):
        write_record_set(tmp_path, "data/content/x", rs)


_text = st.text(st.characters(codec="utf-8"), max_size=12)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(
    st.none() | st.integers(-(2**63), 2**63 - 1), st.none() | _text, st.none() | st.booleans(),
    st.none() | st.datetimes(min_value=datetime(1000, 1, 1), max_value=datetime(9999, 12, 30))),
    min_size=1, max_size=12))
def test_any_values_give_identical_bytes(tmp_path_factory: pytest.TempPathFactory,
                                         rows: list[tuple[Any, ...]]) -> None:
    tmp = tmp_path_factory.mktemp("prop")
    table = pa.table({
        "n": pa.array([r[0] for r in rows], pa.int64()),
        "s": pa.array([r[1] for r in rows], pa.string()),
        "b": pa.array([r[2] for r in rows], pa.bool_()),
        "t": pa.array([None if r[3] is None else r[3].replace(tzinfo=UTC) for r in rows],
                      pa.timestamp("us", tz="UTC")),
    })
    encode_batch(table.to_batches()[0], table.schema.names)
    by_rows, by_batches = _both(tmp, table, chunk=5)
    assert by_rows == by_batches




def test_the_same_package_both_ways(tmp_path: Path, keys: Any) -> None:
    """A whole package (manifests, certificate, signature, zip) from batches equals the one from rows."""
    n = 5_000
    table = pa.table({
        "message_id": pa.array(range(9_000_000_000, 9_000_000_000 + n), pa.int64()),
        "ts": pa.array([datetime(2025, 6, 1, tzinfo=UTC).timestamp() * 1e6 + i * 1_500_001 for i in range(n)],
                       pa.int64()).cast(pa.timestamp("us", tz="UTC")),
        "text": pa.array(_column(AWKWARD_TEXT, n), pa.string()),
        "reply_to": pa.array(_column([None, 9_000_000_001], n), pa.int64()),
    })
    built = {}
    for way, rs in (("rows", RecordSet("content", "acc-1", iter(table.to_pylist()), system="message-store")),
                    ("batches", RecordSet.from_batches("content", "acc-1", table.to_batches(max_chunksize=999),
                                                       system="message-store"))):
        (tmp_path / way).mkdir()
        desc = sample_description()
        desc.records = [*desc.records, rs]
        built[way] = build_package(desc, now=NOW, signer=keys.signer, dest_dir=tmp_path / way)
    assert built["rows"].sha256 == built["batches"].sha256
    assert built["rows"].bag.files == built["batches"].bag.files
