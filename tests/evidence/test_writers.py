"""Property: whatever the rows hold, JSON Lines gives them back exactly and CSV agrees with JSON."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from lawdesk.evidence.writers import PackageError, RecordSet, dataclass_rows, write_record_set

values = st.one_of(st.none(), st.booleans(), st.integers(), st.text(),
                   st.floats(allow_nan=False, allow_infinity=False),
                   st.lists(st.integers(), max_size=3))
rows_strategy = st.lists(st.fixed_dictionaries({"id": st.integers(), "a": values, "b": values}), max_size=20)


def _expected_cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, list):
        return json.dumps(v, separators=(",", ":"))
    return v if isinstance(v, str) else repr(v)


@settings(max_examples=60, deadline=None)
@given(rows=rows_strategy)
@example(rows=[{"id": 1, "a": "x\u2028y\x85z\r\n\"q\",", "b": "\u2029é漢"}])
def test_json_lines_and_csv_round_trip(tmp_path_factory: Any, rows: list[dict[str, Any]]) -> None:
    root = tmp_path_factory.mktemp("rt")
    files, summary = write_record_set(root, "data/x/t", RecordSet("x", "t", iter(rows), fields=["id", "a", "b"]))
    assert summary.rows == len(rows)
    text = (root / "data/x/t.jsonl").read_bytes().decode()
    # Every line break in the file is a record boundary, whichever definition a reader uses.
    assert [json.loads(x) for x in text.splitlines()] == rows
    with open(root / "data/x/t.csv", newline="", encoding="utf-8") as fh:
        table = list(csv.reader(io.StringIO(fh.read())))
    assert table[0] == ["id", "a", "b"]
    assert table[1:] == [[_expected_cell(r[k]) for k in ("id", "a", "b")] for r in rows]
    for f in files:
        assert f.size == (root / f.path).stat().st_size


@dataclass(frozen=True)
class _Account:
    account_id: int
    created_at: datetime


@dataclass(frozen=True)
class _Subscriber:  # shaped like the platform connector's answers: nested dataclasses, tuples
    account: _Account
    usernames: tuple[str, ...]
    registration_ip: str | None


def test_dataclass_rows_are_written_field_by_field(tmp_path: Path) -> None:
    items = (_Subscriber(_Account(7, datetime(2026, 1, 1, tzinfo=UTC)), ("renard", "fox"), None) for _ in range(3))
    _, summary = write_record_set(tmp_path, "data/subscriber/a",
                                  RecordSet("subscriber", "a", dataclass_rows(items)))
    assert summary.rows == 3 and summary.fields == ("account", "usernames", "registration_ip")
    first = (tmp_path / "data/subscriber/a.jsonl").read_text().splitlines()[0]
    assert json.loads(first) == {"account": {"account_id": 7, "created_at": "2026-01-01T00:00:00+00:00"},
                                 "usernames": ["renard", "fox"], "registration_ip": None}
    row = (tmp_path / "data/subscriber/a.csv").read_bytes().decode().split("\r\n")[1]
    assert row == '"{""account_id"":7,""created_at"":""2026-01-01T00:00:00+00:00""}","[""renard"",""fox""]",'


def test_a_row_with_an_unknown_type_is_refused(tmp_path: Path) -> None:
    try:
        write_record_set(tmp_path, "data/x/t", RecordSet("x", "t", iter([{"a": object()}])))
    except (TypeError, PackageError) as exc:
        assert "cannot write a object" in str(exc)
    else:
        raise AssertionError("an object() was written")
