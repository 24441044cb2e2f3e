"""Every lookup kind of the connector, on the default engine (DuckDB over Parquet)."""

from __future__ import annotations

import inspect
import json
from datetime import UTC, datetime, timedelta

import pytest

from lawdesk.platform.connector import (
    ContentStream,
    IpQuery,
    MessageMeta,
    NotHeld,
    UnknownAccount,
    to_json,
)
from lawdesk.platform.ibis_connector import IbisConnector, open_connector
from lawdesk.platform.identifiers import IdentifierError, Window

DEMO = 1_000_001
CGNAT_AT = datetime(2025, 9, 15, 10, tzinfo=UTC)


def sept(duck: IbisConnector) -> Window:
    return duck.window("2025-09-10T00:00:00Z", "2025-09-20T00:00:00Z")


@pytest.mark.parametrize(
    "identifier",
    [
        "+33 6 12 34 56 78",
        "0033612345678",
        "1000001",
        "@night_owl",
        "NIGHT_OWL",
        "https://msgr.example/night_owl",
        "msgr.example/night_owl",
    ],
)
def test_resolve_current_identifiers(duck, identifier):
    [hit] = duck.resolve(identifier)
    assert hit.account is not None and hit.account.account_id == DEMO
    assert hit.account.phone == "+33612345678"


def test_resolve_former_usernames_with_dates(duck):
    [hit] = duck.resolve("@nightowl")
    assert hit.matched_by == "former_username"
    assert hit.account.account_id == DEMO
    assert hit.held.held_from == datetime(2025, 4, 1, tzinfo=UTC)
    assert hit.held.held_until == datetime(2025, 10, 1, tzinfo=UTC)
    [old] = duck.resolve("nightowl_paris")
    assert old.held.held_until == datetime(2025, 4, 1, tzinfo=UTC)
    [cur] = duck.resolve("night_owl")
    assert cur.matched_by == "username" and cur.held.held_until is None


def test_resolve_public_links_to_group_and_channel(duck):
    [channel] = duck.resolve("https://msgr.example/demo_channel")
    assert channel.matched_by == "public_link" and channel.account is None
    assert channel.chat.chat_id == 700_000_003 and channel.chat.kind == "channel"
    assert channel.chat.owner_id == DEMO
    [group] = duck.resolve("msgr.example/demo_group")
    assert group.chat.kind == "group"


def test_resolve_unknown_is_empty(duck):
    assert duck.resolve("+33 7 99 99 99 99") == []
    assert duck.resolve("9999999") == []
    assert duck.resolve("@nobody_here") == []


def test_subscriber_record(duck):
    rec = duck.subscriber(DEMO)
    assert rec.account.display_name == "Camille Martin"
    assert [u.username for u in rec.usernames] == ["nightowl_paris", "nightowl", "night_owl"]
    assert rec.registration_ip
    assert rec.account.created_at == datetime(2024, 12, 1, tzinfo=UTC)
    with pytest.raises(UnknownAccount):
        duck.subscriber(9_999_999)


def test_ip_history_in_window(duck):
    w = sept(duck)
    events = duck.ip_history(DEMO, w)
    assert len(events) >= 20
    assert all(w.start <= e.ts < w.end and e.account_id == DEMO for e in events)
    assert [e.ts for e in events] == sorted(e.ts for e in events)
    assert any(":" in e.ip for e in events) and any("." in e.ip for e in events)
    assert duck.ip_history(DEMO, duck.window("2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z")) == []


def test_window_limits_are_enforced(duck):
    with pytest.raises(IdentifierError, match="maximum"):
        duck.window("2025-01-01T00:00:00Z", "2026-06-01T00:00:00Z")
    with pytest.raises(IdentifierError, match="maximum"):
        duck.ip_history(DEMO, Window(datetime(2024, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC)))
    with pytest.raises(IdentifierError, match="before"):
        duck.window("2025-01-02T00:00:00Z", "2025-01-01T00:00:00Z")
    short = open_connector(duck_dir(duck), max_window=timedelta(days=7))
    with pytest.raises(IdentifierError, match="maximum is 7 days"):
        short.window("2025-09-10T00:00:00Z", "2025-09-20T00:00:00Z")


def duck_dir(duck: IbisConnector) -> str:
    [(path,)] = duck.con.raw_sql("SELECT sql FROM duckdb_views() WHERE view_name = 'accounts'").fetchall()
    return path.split("read_parquet('")[1].rsplit("/accounts.parquet", 1)[0]


def test_who_used_ip_cgnat_with_and_without_port(duck):
    all_hits = duck.who_used_ip("203.0.113.7", None, CGNAT_AT, timedelta(seconds=1))
    assert {(e.account_id, e.port) for e in all_hits} >= {
        (1000001, 1100),
        (1000002, 1700),
        (1000003, 2100),
        (1000004, 2700),
    }
    [one] = duck.who_used_ip("::ffff:203.0.113.7", 1700, CGNAT_AT + timedelta(minutes=3))
    assert one.account_id == 1000002 and one.ip == "203.0.113.7"
    assert duck.who_used_ip("203.0.113.7", 1700, CGNAT_AT + timedelta(minutes=6)) == []


def test_who_used_ip_v6_roundtrip(duck):
    v6 = next(e for e in duck.ip_history(DEMO, sept(duck)) if ":" in e.ip)
    hits = duck.who_used_ip(v6.ip.upper(), v6.port, v6.ts, timedelta(0))
    assert v6 in hits


def test_reverse_lookup_rejects_bad_input(duck):
    with pytest.raises(IdentifierError):
        duck.who_used_ip("300.1.1.1", None, CGNAT_AT)
    with pytest.raises(IdentifierError, match="no time zone"):
        duck.who_used_ip("203.0.113.7", None, datetime(2025, 9, 15, 10))
    with pytest.raises(IdentifierError, match="negative"):
        duck.who_used_ip("203.0.113.7", None, CGNAT_AT, timedelta(seconds=-1))


def test_batch_equals_single_lookups(duck):
    sample = duck.ip_history(DEMO, sept(duck))[:8]
    queries = [
        IpQuery(e.ip, e.port if i % 2 else None, e.ts + timedelta(seconds=30)) for i, e in enumerate(sample)
    ]
    queries.append(IpQuery("192.0.2.1", 1, CGNAT_AT))  # matches nothing
    batch = duck.who_used_ip_batch(queries, timedelta(minutes=1))
    for i, q in enumerate(queries):
        single = duck.who_used_ip(q.ip, q.port, q.at, timedelta(minutes=1))
        assert [m.event for m in batch if m.query_index == i] == single
    assert duck.who_used_ip_batch([]) == []


def test_traffic_has_sessions_and_metadata_never_text(duck):
    t = duck.traffic(DEMO, sept(duck))
    assert t.sessions == tuple(duck.ip_history(DEMO, sept(duck)))
    assert t.messages and all(isinstance(m, MessageMeta) and m.sender_id == DEMO for m in t.messages)
    assert all(m.size > 0 for m in t.messages)
    assert "text" not in json.dumps(to_json(t))


def test_content_streams_and_secret_chats_are_not_held(duck):
    w = duck.window("2025-01-01T00:00:00Z", "2026-01-01T00:00:00Z")
    stream = duck.content(w, chat_ids=[700_000_001, 700_000_004], batch_rows=7)
    assert isinstance(stream, ContentStream)
    assert inspect.isgenerator(stream.messages)
    assert stream.not_held == [NotHeld("content of secret chat 700000004", "end_to_end_encrypted")]
    first = next(iter(stream))
    assert first.chat_id == 700_000_001 and first.text
    rest = list(stream)
    assert len(rest) >= 1 and all(m.chat_id == 700_000_001 for m in rest)
    assert all(w.start <= m.ts < w.end for m in [first, *rest])


def test_content_by_account_adds_its_secret_chats_to_not_held(duck):
    w = duck.window("2025-01-01T00:00:00Z", "2026-01-01T00:00:00Z")
    stream = duck.content(w, account_ids=[DEMO], chat_ids=[700_000_001])
    msgs = list(stream)
    assert stream.not_held and stream.not_held[0].reason == "end_to_end_encrypted"
    ids = [m.message_id for m in msgs]
    assert len(ids) == len(set(ids))  # a message in a named chat is not repeated for its sender
    assert all(m.chat_id == 700_000_001 or m.sender_id == DEMO for m in msgs)


def test_secret_chats_metadata_and_explicit_not_held(duck):
    chats = duck.secret_chats(DEMO)
    [chat] = [c for c in chats if c.chat_id == 700_000_004]
    assert all(DEMO in c.participants and c.content.reason == "end_to_end_encrypted" for c in chats)
    assert chat.chat_id == 700_000_004 and chat.participants == (1000001, 1000002)
    assert chat.content == NotHeld("content of secret chat 700000004")
    assert duck.secret_chat_content(700_000_004).reason == "end_to_end_encrypted"


def test_answers_are_json_serialisable(duck):
    w = sept(duck)
    for answer in (
        duck.resolve("@nightowl"),
        duck.subscriber(DEMO),
        duck.traffic(DEMO, w),
        duck.secret_chats(DEMO),
        duck.who_used_ip("203.0.113.7", None, CGNAT_AT),
    ):
        json.dumps(to_json(answer))


def test_missing_dataset_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="lawdesk platform generate"):
        open_connector(tmp_path / "nothing")


def test_old_layout_is_a_clear_error(tmp_path):
    (tmp_path / "manifest.json").write_text('{"format_version": 1}')
    with pytest.raises(FileNotFoundError, match="layout version 1"):
        open_connector(tmp_path)


def test_a_spark_cluster_without_its_dataset_location_is_a_clear_error(monkeypatch):
    """sc://host:port names the cluster; where the cluster reads the Parquet files must be said too."""
    monkeypatch.delenv("LAWDESK_PLATFORM_SPARK_DATA", raising=False)
    with pytest.raises(ValueError, match="LAWDESK_PLATFORM_SPARK_DATA"):
        open_connector("sc://spark.internal:15002")
