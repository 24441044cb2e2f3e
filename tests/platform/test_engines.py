"""The same connector code on DuckDB (Parquet), PostgreSQL and Spark gives identical answers.

Every agreement test compares DuckDB, the default engine, with each other engine. Spark runs in
local mode with one JVM for the session (``conftest.spark``), and over Spark Connect
(``conftest.spark_connect``: lawdesk opened from ``sc://127.0.0.1:port`` as a deployment opens
it, the server in that same JVM); their property tests draw fewer examples, since each Spark
query costs about a second on a loaded 2-core box.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lawdesk.platform.connector import IpQuery, to_json
from lawdesk.platform.identifiers import ip_from_bytes

from .conftest import ACCOUNTS

FIRST_ID, LAST_ID = 1_000_000, 1_000_000 + ACCOUNTS - 1
SPAN = (datetime(2025, 1, 1, tzinfo=UTC), datetime(2026, 7, 1, tzinfo=UTC))
SETTINGS = settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
#: The engines compared with DuckDB, and the property examples drawn for each.
ENGINES = [
    "pg",
    pytest.param("spark", marks=pytest.mark.spark),
    pytest.param("spark_connect", marks=pytest.mark.spark),
]
EXAMPLES = {"pg": 20, "spark": 3, "spark_connect": 3}


def examples(engine: str) -> settings:
    return settings(SETTINGS, max_examples=EXAMPLES[engine])


@pytest.fixture(params=ENGINES)
def other(request):
    """Each engine that must answer as DuckDB does."""
    return request.getfixturevalue(request.param)


@pytest.fixture(scope="module")
def sample_events(dataset):
    """A deterministic sample of real (ip, port, ts) rows to aim reverse lookups at."""
    con = duckdb.connect()
    rows = con.execute(
        f"SELECT ip, port, ts FROM read_parquet('{dataset}/events_by_ip/*/*.parquet') "
        "USING SAMPLE reservoir(200 ROWS) REPEATABLE (42)"
    ).fetchall()
    return [(ip_from_bytes(ip), port, ts) for ip, port, ts in rows]


def same(a, b):
    assert to_json(a) == to_json(b)


@pytest.mark.parametrize(
    "identifier",
    [
        "+33612345678",
        "1000001",
        "@nightowl",
        "nightowl_paris",
        "night_owl",
        "https://msgr.example/demo_channel",
        "msgr.example/demo_group",
        "@nobody_here",
    ],
)
def test_resolve_agrees(duck, other, identifier):
    same(duck.resolve(identifier), other.resolve(identifier))


def test_demo_lookups_agree(duck, other):
    w = duck.window("2025-09-10T00:00:00Z", "2025-09-20T00:00:00Z")
    same(duck.subscriber(1000001), other.subscriber(1000001))
    same(duck.traffic(1000001, w), other.traffic(1000001, w))
    same(duck.secret_chats(1000001), other.secret_chats(1000001))
    at = datetime(2025, 9, 15, 10, tzinfo=UTC)
    same(duck.who_used_ip("203.0.113.7", None, at), other.who_used_ip("203.0.113.7", None, at))
    wide = duck.window("2025-01-01T00:00:00Z", "2026-01-01T00:00:00Z")
    dc = duck.content(wide, chat_ids=[700_000_001, 700_000_004, 700_000_003], account_ids=[1000002])
    oc = other.content(wide, chat_ids=[700_000_001, 700_000_004, 700_000_003], account_ids=[1000002])
    same(dc.not_held, oc.not_held)
    same(list(dc), list(oc))


@pytest.mark.parametrize("engine", ENGINES)
def test_forward_lookups_agree(duck, engine, request):
    other = request.getfixturevalue(engine)

    @examples(engine)
    @given(
        account=st.integers(FIRST_ID, LAST_ID),
        start=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2026, 6, 1)),
        days=st.integers(1, 120),
    )
    def check(account, start, days):
        w = duck.window(start.replace(tzinfo=UTC), start.replace(tzinfo=UTC) + timedelta(days=days))
        same(duck.ip_history(account, w), other.ip_history(account, w))
        same(duck.traffic(account, w), other.traffic(account, w))
        same(duck.subscriber(account), other.subscriber(account))

    check()


@pytest.mark.parametrize("engine", ENGINES)
def test_reverse_lookups_agree(duck, engine, request, sample_events):
    other = request.getfixturevalue(engine)

    @examples(engine)
    @given(
        pick=st.integers(0, 199),
        with_port=st.booleans(),
        shift=st.integers(-600, 600),
        tolerance=st.integers(0, 900),
    )
    def check(pick, with_port, shift, tolerance):
        ip, port, ts = sample_events[pick]
        at = ts + timedelta(seconds=shift)
        tol = timedelta(seconds=tolerance)
        d = duck.who_used_ip(ip, port if with_port else None, at, tol)
        same(d, other.who_used_ip(ip, port if with_port else None, at, tol))
        if with_port and abs(shift) <= tolerance:
            assert any(e.ip == ip and e.port == port and e.ts == ts for e in d)

    check()


def test_batch_reverse_lookup_agrees(duck, other, sample_events):
    queries = [
        IpQuery(ip, port if i % 3 else None, ts + timedelta(seconds=(i * 37) % 400 - 200))
        for i, (ip, port, ts) in enumerate(sample_events)
    ]
    d = duck.who_used_ip_batch(queries, timedelta(minutes=5))
    assert len({m.query_index for m in d}) >= len(queries) // 2
    same(d, other.who_used_ip_batch(queries, timedelta(minutes=5)))


@pytest.mark.parametrize("engine", ENGINES)
def test_content_agrees(duck, engine, request):
    other = request.getfixturevalue(engine)

    @examples(engine)
    @given(
        chats=st.lists(st.integers(700_000_001, 700_000_400), max_size=4),
        accounts=st.lists(st.integers(FIRST_ID, FIRST_ID + 50), max_size=2),
        start=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2026, 6, 1)),
    )
    def check(chats, accounts, start):
        s = start.replace(tzinfo=UTC)
        w = duck.window(s, s + timedelta(days=60))
        d = duck.content(w, chat_ids=chats, account_ids=accounts, batch_rows=50)
        o = other.content(w, chat_ids=chats, account_ids=accounts, batch_rows=50)
        same(d.not_held, o.not_held)
        same(list(d), list(o))

    check()


def test_hot_lookups_run_from_compiled_templates_on_both_engines(duck, pg):
    at = datetime(2025, 9, 15, 10, tzinfo=UTC)
    w = duck.window("2025-09-10T00:00:00Z", "2025-09-20T00:00:00Z")
    for conn in (duck, pg):
        conn.ip_history(1000001, w)
        conn.who_used_ip("203.0.113.7", None, at)
        conn.who_used_ip("203.0.113.7", 1700, at)
        assert {k for k, p in conn._prepared.items() if p.sql} == {
            "ip_history",
            "who_used_ip/any",
            "who_used_ip/port",
        }


def test_template_fallback_gives_the_same_answer(duck, monkeypatch):
    from lawdesk.platform import prepared
    from lawdesk.platform.prepared import Prepared

    monkeypatch.setattr(prepared, "_TEMPLATES", {})
    monkeypatch.setattr(Prepared, "_compile", lambda self: None)
    fresh = type(duck)(duck.con)
    w = duck.window("2025-09-10T00:00:00Z", "2025-09-20T00:00:00Z")
    assert fresh.ip_history(1000001, w) == duck.ip_history(1000001, w)
    assert fresh._prepared["ip_history"].sql is None


@pytest.mark.parametrize("engine", ["duck", *ENGINES])
def test_content_batches_are_packaged_as_the_messages_are(engine, request, tmp_path):
    """The Arrow batches of a content stream give the package files its messages give, byte for byte."""
    from lawdesk.evidence.writers import RecordSet, dataclass_rows, write_record_set

    conn = request.getfixturevalue(engine)
    w = conn.window("2025-03-01T00:00:00Z", "2026-03-01T00:00:00Z")
    ask = dict(chat_ids=[700_000_001, 700_000_002, 700_000_004], account_ids=[FIRST_ID, FIRST_ID + 1],
               batch_rows=64)
    as_rows = write_record_set(tmp_path / "rows", "data/content/x",
                               RecordSet("content", "x", dataclass_rows(conn.content(w, **ask))))
    stream = conn.content(w, **ask)
    assert stream.batches is not None
    as_batches = write_record_set(tmp_path / "batches", "data/content/x",
                                  RecordSet.from_batches("content", "x", stream.batches))
    assert as_rows[1].rows > 100
    assert [(f.path, f.sha256, f.sha512) for f in as_rows[0]] == [
        (f.path, f.sha256, f.sha512) for f in as_batches[0]]
    assert as_rows[1] == as_batches[1]
