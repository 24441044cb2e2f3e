"""Load a generated dataset into PostgreSQL (tables + b-tree indexes) for the second engine.

The same :class:`~lawdesk.platform.ibis_connector.IbisConnector` then runs over it; tests use
this to show that both engines give identical answers, and the benchmark uses it as baseline.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

# One PostgreSQL table per logical table; the two sorted copies of each log become one table
# with two indexes, which is how a row store serves both access paths.
PG_TABLES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    # name: (columns DDL, DuckDB source expression, index column lists)
    "accounts": (
        "account_id bigint PRIMARY KEY, phone text NOT NULL, username text, display_name text "
        "NOT NULL, created_at timestamptz NOT NULL, registration_ip bytea NOT NULL, last_seen "
        "timestamptz NOT NULL, deleted boolean NOT NULL, app text NOT NULL",
        "SELECT account_id, phone, username, display_name, created_at, {hex_registration_ip}, "
        "last_seen, deleted, app FROM read_parquet('{dir}/accounts.parquet')",
        ("phone",),
    ),
    "usernames": (
        "username text NOT NULL, account_id bigint NOT NULL, held_from timestamptz NOT NULL, "
        "held_until timestamptz",
        "SELECT * FROM read_parquet('{dir}/usernames.parquet')",
        ("username", "account_id"),
    ),
    "chats": (
        "chat_id bigint PRIMARY KEY, kind text NOT NULL, title text, public_name text, "
        "owner_id bigint NOT NULL, created_at timestamptz NOT NULL",
        "SELECT * FROM read_parquet('{dir}/chats.parquet')",
        ("public_name",),
    ),
    "chat_members": (
        "account_id bigint NOT NULL, chat_id bigint NOT NULL, joined_at timestamptz NOT NULL, "
        "left_at timestamptz",
        "SELECT * FROM read_parquet('{dir}/chat_members.parquet')",
        ("account_id", "chat_id"),
    ),
    "events": (
        "account_id bigint NOT NULL, ts timestamptz NOT NULL, ip bytea NOT NULL, "
        "port integer, app text NOT NULL",
        "SELECT account_id, ts, {hex_ip}, port, app FROM read_parquet('{dir}/events_by_account/*/*.parquet')",
        ("account_id, ts", "ip, ts"),
    ),
    "messages": (
        "chat_id bigint NOT NULL, ts timestamptz NOT NULL, message_id bigint NOT NULL, "
        "sender_id bigint NOT NULL, recipient_id bigint, text text NOT NULL, media_ref text, "
        "media_size bigint, media_sha256 text",
        "SELECT * FROM read_parquet('{dir}/messages_by_chat/*.parquet')",
        ("chat_id, ts", "sender_id, ts"),
    ),
}

#: Table names for IbisConnector over a database loaded by :func:`load_postgres`.
PG_TABLE_NAMES = {
    "accounts": "accounts",
    "usernames": "usernames",
    "chats": "chats",
    "chat_members": "chat_members",
    "events_by_account": "events",
    "events_by_ip": "events",
    "messages_by_chat": "messages",
    "messages_by_sender": "messages",
}


def _copy_query(con: object, sql: str, pg: object, table: str, batch_rows: int) -> int:
    """Stream a DuckDB query into a PostgreSQL table with COPY ... CSV."""
    rows = 0
    reader = con.sql(sql).to_arrow_reader(batch_rows)  # type: ignore[attr-defined]
    options = pacsv.WriteOptions(include_header=False, quoting_style="all_valid")
    with pg.cursor() as cur, cur.copy(f"COPY {table} FROM STDIN (FORMAT csv)") as copy:  # type: ignore[attr-defined]
        for batch in reader:
            buf = io.BytesIO()
            pacsv.write_csv(pa.Table.from_batches([batch]), buf, options)
            copy.write(buf.getvalue())
            rows += batch.num_rows
    return rows


def load_postgres(
    data_dir: Path | str,
    dsn: str,
    *,
    tables: tuple[str, ...] = tuple(PG_TABLES),
    progress: Callable[[str, int], None] | None = None,
    batch_rows: int = 200_000,
) -> dict[str, int]:
    """(Re)create the platform tables at ``dsn`` from ``data_dir``; return the row counts."""
    # reason: start-up time: duckdb loads only when this runs
    import duckdb
    import psycopg

    data_dir = Path(data_dir).resolve()
    counts: dict[str, int] = {}
    duck = duckdb.connect()
    try:
        with psycopg.connect(dsn, autocommit=True) as pg:
            pg.execute("SET synchronous_commit = off")
            pg.execute("SET maintenance_work_mem = '1GB'")
            # the one SQL function the Ibis connector needs beyond the tables
            pg.execute(
                "CREATE OR REPLACE FUNCTION from_hex(text) RETURNS bytea "
                "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT decode($1, 'hex') $$"
            )
            for name in tables:
                ddl, source, indexes = PG_TABLES[name]
                pg.execute(f"DROP TABLE IF EXISTS {name}")
                pg.execute(f"CREATE TABLE {name} ({ddl})")
                sql = source.format(
                    dir=data_dir,
                    hex_ip="'\\x' || lower(hex(ip)) AS ip",
                    hex_registration_ip="'\\x' || lower(hex(registration_ip)) AS registration_ip",
                )
                counts[name] = _copy_query(duck, sql, pg, name, batch_rows)
                for cols in indexes:
                    ix = f"{name}_{cols.replace(', ', '_')}_idx"
                    pg.execute(f"CREATE INDEX {ix} ON {name} ({cols})")
                pg.execute(f"ANALYZE {name}")
                if progress:
                    progress(name, counts[name])
    finally:
        duck.close()
    return counts
