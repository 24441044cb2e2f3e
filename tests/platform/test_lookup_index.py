"""The derived SQLite lookup index answers the hot lookups exactly as DuckDB and PostgreSQL do."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lawdesk.platform.connector import IpQuery
from lawdesk.platform.lookup_index import IndexedConnector, build_lookup_index

from .test_engines import FIRST_ID, LAST_ID, SETTINGS, same, sample_events  # noqa: F401 - a fixture


@pytest.fixture(scope="session")
def idx(dataset, tmp_path_factory):
    """The session dataset with its lookup index built beside it (in a directory of its own)."""
    index = build_lookup_index(dataset, out=tmp_path_factory.mktemp("index") / "lookup-index.sqlite3")
    return IndexedConnector(dataset, index=index)


def test_the_index_is_index_organised(idx):
    db = sqlite3.connect(idx.index_path)
    ddl = {name: sql for name, sql in db.execute("SELECT name, sql FROM sqlite_master WHERE type='table'")}
    assert "WITHOUT ROWID" in ddl["by_account"] and "PRIMARY KEY (account_id, ts, seq)" in ddl["by_account"]
    assert "WITHOUT ROWID" in ddl["by_ip"] and "PRIMARY KEY (ip, ts, seq)" in ddl["by_ip"]
    plan = " ".join(r[-1] for r in db.execute(
        "EXPLAIN QUERY PLAN SELECT * FROM by_ip WHERE ip = x'00' AND ts BETWEEN 1 AND 2"))
    assert "SEARCH by_ip USING PRIMARY KEY" in plan
    (events,) = db.execute("SELECT count(*) FROM by_account").fetchone()
    assert events == db.execute("SELECT count(*) FROM by_ip").fetchone()[0] > 100_000


def test_demo_lookups_agree(duck, pg, idx):
    w = duck.window("2025-09-10T00:00:00Z", "2025-09-20T00:00:00Z")
    same(idx.ip_history(1000001, w), pg.ip_history(1000001, w))
    same(idx.traffic(1000001, w), duck.traffic(1000001, w))
    at = datetime(2025, 9, 15, 10, tzinfo=UTC)
    same(idx.who_used_ip("203.0.113.7", None, at), pg.who_used_ip("203.0.113.7", None, at))
    same(idx.resolve("@nightowl"), duck.resolve("@nightowl"))


@SETTINGS
@given(
    account=st.integers(FIRST_ID, LAST_ID),
    start=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2026, 6, 1)),
    days=st.integers(1, 120),
)
def test_forward_lookups_agree(duck, pg, idx, account, start, days):
    w = duck.window(start.replace(tzinfo=UTC), start.replace(tzinfo=UTC) + timedelta(days=days))
    got = idx.ip_history(account, w)
    same(got, duck.ip_history(account, w))
    same(got, pg.ip_history(account, w))


@SETTINGS
@given(pick=st.integers(0, 199), with_port=st.booleans(), shift=st.integers(-600, 600),
       tolerance=st.integers(0, 900))
def test_reverse_lookups_agree(duck, pg, idx, sample_events, pick, with_port, shift, tolerance):  # noqa: F811
    ip, port, ts = sample_events[pick]
    at = ts + timedelta(seconds=shift)
    tol = timedelta(seconds=tolerance)
    got = idx.who_used_ip(ip, port if with_port else None, at, tol)
    same(got, duck.who_used_ip(ip, port if with_port else None, at, tol))
    same(got, pg.who_used_ip(ip, port if with_port else None, at, tol))
    if with_port and abs(shift) <= tolerance:
        assert any(e.ip == ip and e.port == port and e.ts == ts for e in got)


def test_batch_reverse_lookup_agrees(duck, pg, idx, sample_events):  # noqa: F811
    queries = [IpQuery(ip, port if i % 2 else None, ts + timedelta(seconds=i % 90))
               for i, (ip, port, ts) in enumerate(sample_events)]
    queries.append(IpQuery("2001:db8::dead", None, datetime(2025, 9, 15, tzinfo=UTC)))  # nobody
    got = idx.who_used_ip_batch(queries)
    assert len({m.query_index for m in got}) >= len(sample_events) // 2
    same(got, duck.who_used_ip_batch(queries))
    same(got, pg.who_used_ip_batch(queries))


def test_retention_removes_the_index_and_lookups_fall_back_to_the_log(tmp_path):
    """The index is derived: once retention deletes rows it must never answer with them."""
    from lawdesk.platform.generator import generate
    from lawdesk.platform.ibis_connector import duckdb_connector, open_connector
    from lawdesk.platform.retention import apply_retention

    data = generate(tmp_path / "data", accounts=1_000, events=20_000, messages=1_000, seed=5)
    build_lookup_index(data)
    conn = open_connector(data)
    assert isinstance(conn, IndexedConnector)
    w = conn.window("2025-01-01T00:00:00Z", "2025-12-31T00:00:00Z")
    before = conn.ip_history(1000001, w)
    assert before
    apply_retention(data, now=datetime(2026, 1, 1, tzinfo=UTC), keep_for=timedelta(days=200))
    assert not (data / "lookup-index.sqlite3").exists()
    after = conn.ip_history(1000001, w)  # the connector opened before retention ran
    assert len(after) < len(before)
    same(after, duckdb_connector(data).ip_history(1000001, w))
    assert not isinstance(open_connector(data), IndexedConnector)
    build_lookup_index(data)  # rebuilt: the same connector reads the new file
    same(conn.ip_history(1000001, w), after)


def test_platform_index_command_builds_the_index_the_lookups_then_use(tmp_path):
    from typer.testing import CliRunner

    from lawdesk.platform.cli import app
    from lawdesk.platform.generator import generate
    from lawdesk.platform.ibis_connector import open_connector

    data = generate(tmp_path / "data", accounts=1_000, events=5_000, messages=500, seed=6)
    result = CliRunner().invoke(app, ["index", "--data", str(data)])
    assert result.exit_code == 0, result.output
    assert "lookup-index.sqlite3 built" in result.output
    assert isinstance(open_connector(data), IndexedConnector)
