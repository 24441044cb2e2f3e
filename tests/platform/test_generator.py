"""The synthetic messenger: deterministic, realistic where lookups care (CGNAT, IPv6, history)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb
import phonenumbers
import pyarrow.parquet as pq
import pytest

from lawdesk.platform.generator import ensure_demo_dataset, generate
from lawdesk.platform.layout import IP_BUCKETS, ROW_GROUP_SIZE, account_bucket, ip_bucket

TABLES = [
    "accounts.parquet",
    "usernames.parquet",
    "chats.parquet",
    "chat_members.parquet",
    "events_by_account/*/*.parquet",
    "events_by_ip/*/*.parquet",
    "messages_by_chat/*.parquet",
    "messages_by_sender.parquet",
]


def content_hash(root: Path) -> str:
    """Hash of every table's rows in file order (independent of Parquet byte layout)."""
    con = duckdb.connect()
    h = hashlib.sha256()
    for rel in TABLES:
        reader = con.sql(f"SELECT * FROM read_parquet('{root / rel}')").to_arrow_reader(50_000)
        for batch in reader:
            h.update(repr(batch.to_pylist()).encode())
    return h.hexdigest()


def q(root: Path, sql: str) -> list[tuple]:
    con = duckdb.connect()
    for rel in TABLES:
        name = rel.split("/")[0].removesuffix(".parquet")
        con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{root / rel}')")
    return con.execute(sql).fetchall()


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    base = tmp_path_factory.mktemp("gen")
    size = dict(accounts=300, events=20_000, messages=3_000)
    return (
        generate(base / "a", seed=5, **size),
        generate(base / "b", seed=5, **size),
        generate(base / "c", seed=6, **size),
    )


def test_same_seed_same_data_other_seed_other_data(tiny):
    a, b, c = tiny
    assert content_hash(a) == content_hash(b)
    assert content_hash(a) != content_hash(c)


def test_manifest(dataset):
    manifest = json.loads((dataset / "manifest.json").read_text())
    assert manifest["params"] == {"accounts": 2000, "events": 200_000, "messages": 50_000, "seed": 1234}
    assert q(dataset, "SELECT count(*) FROM events_by_account") == [(manifest["rows"]["events"],)]
    assert q(dataset, "SELECT count(*) FROM events_by_ip") == [(manifest["rows"]["events"],)]


def test_about_30_percent_ipv6(dataset):
    [(share,)] = q(
        dataset, "SELECT avg((ip[1:12] <> from_hex('00000000000000000000ffff'))::int) FROM events_by_account"
    )
    assert 0.27 < share < 0.33


def test_cgnat_many_accounts_share_one_ipv4_at_once_told_apart_by_port_blocks(dataset):
    # at some single minute, several accounts use the same public IPv4 address
    rows = q(
        dataset,
        """
        SELECT ip, date_trunc('minute', ts) m, count(DISTINCT account_id) n
        FROM events_by_ip WHERE ip[1:12] = from_hex('00000000000000000000ffff')
        GROUP BY ALL ORDER BY n DESC LIMIT 1""",
    )
    assert rows[0][2] >= 2
    # accounts behind one carrier address use disjoint source-port blocks
    overlaps = q(
        dataset,
        """
        WITH r AS (SELECT ip, account_id, min(port) lo, max(port) hi FROM events_by_ip
                   WHERE ip[13:14] = from_hex('c612') GROUP BY ALL)
        SELECT count(*) FROM r a JOIN r b ON a.ip = b.ip AND a.account_id < b.account_id
        WHERE a.lo <= b.hi AND b.lo <= a.hi""",
    )
    assert overlaps == [(0,)]
    [(shared,)] = q(
        dataset,
        "SELECT count(*) FROM (SELECT ip FROM events_by_ip "
        "WHERE ip[13:14] = from_hex('c612') GROUP BY ip "
        "HAVING count(DISTINCT account_id) >= 10)",
    )
    assert shared > 0


def test_demo_targets(dataset):
    assert q(dataset, "SELECT phone, username, display_name FROM accounts WHERE account_id = 1000001") == [
        ("+33612345678", "night_owl", "Camille Martin")
    ]
    assert [
        r[0]
        for r in q(dataset, "SELECT username FROM usernames WHERE account_id = 1000001 ORDER BY held_from")
    ] == ["nightowl_paris", "nightowl", "night_owl"]
    at = q(
        dataset,
        "SELECT account_id, port FROM events_by_ip WHERE "
        "ip = from_hex('00000000000000000000ffffcb007107') "
        "AND ts = '2025-09-15 10:00:00+00' ORDER BY 1",
    )
    assert at == [(1000001, 1100), (1000002, 1700), (1000003, 2100), (1000004, 2700)]
    chats = q(dataset, "SELECT chat_id, kind, public_name FROM chats WHERE chat_id <= 700000004 ORDER BY 1")
    assert chats == [
        (700000001, "private", None),
        (700000002, "group", "demo_group"),
        (700000003, "channel", "demo_channel"),
        (700000004, "secret", None),
    ]


def test_phones_unique_possible_and_spread_over_countries(dataset):
    phones = [r[0] for r in q(dataset, "SELECT phone FROM accounts")]
    assert len(set(phones)) == len(phones)
    regions = set()
    for p in phones[:500]:
        n = phonenumbers.parse(p)
        assert phonenumbers.is_possible_number(n)
        assert phonenumbers.format_number(n, phonenumbers.PhoneNumberFormat.E164) == p
        regions.add(phonenumbers.region_code_for_number(n))
    assert {"FR", "IN", "US", "DE", "BR", "RU"} <= regions


def test_usernames_never_held_by_two_accounts_at_once(dataset):
    assert q(
        dataset,
        """SELECT count(*) FROM usernames a JOIN usernames b ON a.username = b.username
                         AND a.account_id <> b.account_id""",
    ) == [(0,)]
    [(changed,)] = q(dataset, "SELECT count(DISTINCT account_id) FROM usernames WHERE held_until IS NOT NULL")
    assert changed > 50


def test_secret_chats_have_metadata_but_no_messages(dataset):
    assert q(
        dataset,
        "SELECT count(*) FROM messages_by_chat m JOIN chats c USING (chat_id) WHERE c.kind = 'secret'",
    ) == [(0,)]
    assert (
        q(
            dataset,
            "SELECT count(*) FROM chat_members m JOIN chats c USING (chat_id) WHERE c.kind = 'secret'",
        )[0][0]
        > 0
    )


def test_layout_sorted_bucketed_copies_with_64k_row_groups(dataset):
    con = duckdb.connect()
    ip_files = sorted(dataset.glob("events_by_ip/ip_bucket=*/*.parquet"))
    acct_files = sorted(dataset.glob("events_by_account/acct_bucket=*/*.parquet"))
    assert len(ip_files) == IP_BUCKETS and acct_files
    for files, key in ((ip_files, "ip"), (acct_files, "account_id")):
        for f in files:
            bucket = int(f.parent.name.split("=")[1])
            unsorted = con.execute(
                f"SELECT count(*) FROM (SELECT {key} k, ts, lag({key}) OVER () pk, lag(ts) OVER () pts "
                f"FROM read_parquet('{f}')) WHERE k < pk OR (k = pk AND ts < pts)"
            ).fetchall()
            assert unsorted == [(0,)], f
            keys = {r[0] for r in con.execute(f"SELECT DISTINCT {key} FROM read_parquet('{f}')").fetchall()}
            if key == "ip":
                assert {ip_bucket(bytes(k)) for k in keys} == {bucket}
            else:
                assert {account_bucket(k) for k in keys} == {bucket}
            meta = pq.ParquetFile(f).metadata
            assert all(meta.row_group(i).num_rows <= ROW_GROUP_SIZE for i in range(meta.num_row_groups))


def test_messages_have_text_media_and_ids(dataset):
    [(n, ids, media, texts)] = q(
        dataset,
        "SELECT count(*), count(DISTINCT message_id), count(media_ref), count(text) FROM messages_by_chat",
    )
    assert n == ids == texts == 50_000
    assert 0.08 * n < media < 0.16 * n
    assert q(dataset, "SELECT count(*) FROM messages_by_sender") == [(n,)]


def test_ensure_demo_dataset_generates_once(tmp_path, monkeypatch):
    monkeypatch.setenv("LAWDESK_PLATFORM_DIR", str(tmp_path / "demo"))
    path = ensure_demo_dataset()
    assert path == tmp_path / "demo"
    stamp = (path / "manifest.json").stat().st_mtime_ns
    assert ensure_demo_dataset() == path
    assert (path / "manifest.json").stat().st_mtime_ns == stamp
