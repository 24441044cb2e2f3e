"""The one connector implementation, written once in Ibis; runs on DuckDB, PostgreSQL, ….

Engine differences are limited to *where the tables are* (the ``tables`` mapping) and one
SQL function every engine must provide: ``from_hex(text) -> binary`` (built into DuckDB;
:func:`lawdesk.platform.postgres.load_postgres` creates it in PostgreSQL). IP addresses are
passed through it because Ibis renders binary literals in a form PostgreSQL rejects.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from lawdesk.platform.connector import (
    Account,
    Chat,
    IpEvent,
    IpMatch,
    IpQuery,
    Message,
    MessageMeta,
    NotHeld,
    PlatformConnector,
    Resolution,
    SecretChat,
    SubscriberRecord,
    UnknownAccount,
    UsernameHeld,
)
from lawdesk.platform.generator import FORMAT_VERSION
from lawdesk.platform.identifiers import (
    DEFAULT_MAX_WINDOW,
    Identifier,
    Window,
    ip_from_bytes,
    ip_to_bytes,
)
from lawdesk.platform.layout import (
    ACCOUNT_BUCKET_COLUMN,
    IP_BUCKET_COLUMN,
    LOOKUP_INDEX_FILE,
    account_bucket,
    ip_bucket,
)
from lawdesk.platform.postgres import PG_TABLE_NAMES
from lawdesk.platform.prepared import Prepared

TABLE_KEYS = (
    "accounts",
    "usernames",
    "chats",
    "chat_members",
    "events_by_account",
    "events_by_ip",
    "messages_by_chat",
    "messages_by_sender",
)

#: Parquet file (or glob) of each logical table inside a generated dataset directory.
PARQUET_FILES = {
    "accounts": "accounts.parquet",
    "usernames": "usernames.parquet",
    "chats": "chats.parquet",
    "chat_members": "chat_members.parquet",
    "events_by_account": "events_by_account/*/*.parquet",
    "events_by_ip": "events_by_ip/*/*.parquet",
    "messages_by_chat": "messages_by_chat/*.parquet",
    "messages_by_sender": "messages_by_sender.parquet",
}

# The columns of a content stream's record batches: those of connector.Message, times in UTC.
MESSAGE_SCHEMA = pa.schema([
    ("message_id", pa.int64()), ("chat_id", pa.int64()), ("sender_id", pa.int64()),
    ("recipient_id", pa.int64()), ("ts", pa.timestamp("us", tz="UTC")), ("text", pa.string()),
    ("media_ref", pa.string()), ("media_size", pa.int64()), ("media_sha256", pa.string()),
])
SERVICE = "msgr.example messenger account (free)"


@ibis.udf.scalar.builtin
def from_hex(value: str) -> bytes:  # type: ignore[empty-body]
    """SQL ``from_hex``: hex text to binary (DuckDB built-in; a SQL function in PostgreSQL)."""


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(UTC)


def _rows(table: pa.Table) -> list[dict[str, Any]]:
    return table.to_pylist()


class _Tables(dict[str, ir.Table]):
    """Table expressions looked up on first use (opening touches no table)."""

    def __init__(self, con: ibis.BaseBackend, names: Mapping[str, str]) -> None:
        super().__init__()
        self._con = con
        self._names = names

    def __missing__(self, key: str) -> ir.Table:
        table = self._con.table(self._names[key])
        self[key] = table
        return table


class IbisConnector(PlatformConnector):
    """PlatformConnector over any Ibis backend holding the platform tables."""

    def __init__(
        self,
        con: ibis.BaseBackend,
        tables: Mapping[str, str] | None = None,
        *,
        max_window: timedelta = DEFAULT_MAX_WINDOW,
    ) -> None:
        super().__init__(max_window=max_window)
        self.con = con
        self.table_names = {k: k for k in TABLE_KEYS} | dict(tables or {})
        self.t = _Tables(con, self.table_names)
        self._prepared: dict[str, Prepared] = {}

    # -- helpers ---------------------------------------------------------------------------
    def _accounts(self, ids: Sequence[int]) -> dict[int, Account]:
        if not ids:
            return {}
        a = self.t["accounts"]
        expr = a.filter(a.account_id.isin(list(ids))).select(
            "account_id", "phone", "username", "display_name", "created_at", "last_seen", "deleted"
        )
        return {r["account_id"]: self._account(r) for r in _rows(expr.to_pyarrow())}

    @staticmethod
    def _account(r: dict[str, Any]) -> Account:
        return Account(
            account_id=int(r["account_id"]),
            phone=r["phone"],
            username=r["username"],
            display_name=r["display_name"],
            created_at=r["created_at"].astimezone(UTC),
            last_seen=r["last_seen"].astimezone(UTC),
            deleted=bool(r["deleted"]),
        )

    @staticmethod
    def _chat(r: dict[str, Any]) -> Chat:
        return Chat(
            chat_id=int(r["chat_id"]),
            kind=r["kind"],
            title=r["title"],
            public_name=r["public_name"],
            owner_id=int(r["owner_id"]),
            created_at=r["created_at"].astimezone(UTC),
        )

    @staticmethod
    def _event(r: dict[str, Any]) -> IpEvent:
        return IpEvent(
            account_id=int(r["account_id"]),
            ip=ip_from_bytes(bytes(r["ip"])),
            port=None if r["port"] is None else int(r["port"]),
            ts=r["ts"].astimezone(UTC),
            app=r["app"],
        )

    def _chats_named(self, name: str) -> list[Chat]:
        c = self.t["chats"]
        expr = c.filter(c.public_name == name).order_by(c.chat_id)
        return [self._chat(r) for r in _rows(expr.to_pyarrow())]

    def _username_rows(self, name: str) -> list[dict[str, Any]]:
        u = self.t["usernames"]
        expr = u.filter(u.username == name).order_by([u.held_from, u.account_id])
        return _rows(expr.to_pyarrow())

    # -- engine hooks ----------------------------------------------------------------------
    def _resolve(self, ident: Identifier) -> list[Resolution]:
        a = self.t["accounts"]
        out: list[Resolution] = []
        if ident.kind in ("phone", "account_id"):
            cond = a.phone == ident.value if ident.kind == "phone" else a.account_id == int(ident.value)
            ids = [r["account_id"] for r in _rows(a.filter(cond).select("account_id").to_pyarrow())]
            accounts = self._accounts(ids)
            return [Resolution(str(ident), ident.kind, account=accounts[i]) for i in sorted(accounts)]
        # usernames (current and former) and public links share one namespace
        rows = self._username_rows(ident.value)
        accounts = self._accounts(sorted({int(r["account_id"]) for r in rows}))
        for r in rows:
            held = UsernameHeld(r["username"], _utc(r["held_from"]), _utc(r["held_until"]))  # type: ignore[arg-type]
            current = r["held_until"] is None
            matched = (
                "public_link"
                if ident.kind == "public_link" and current
                else ("username" if current else "former_username")
            )
            out.append(
                Resolution(str(ident), matched, account=accounts[int(r["account_id"])], held=held)  # type: ignore[arg-type]
            )
        for chat in self._chats_named(ident.value):
            out.append(Resolution(str(ident), "public_link", chat=chat))
        return out

    def _subscriber(self, account_id: int) -> SubscriberRecord:
        a = self.t["accounts"]
        rows = _rows(a.filter(a.account_id == account_id).to_pyarrow())
        if not rows:
            raise UnknownAccount(account_id)
        r = rows[0]
        u = self.t["usernames"]
        names = u.filter(u.account_id == account_id).order_by([u.held_from, u.username])
        held = tuple(
            UsernameHeld(n["username"], n["held_from"].astimezone(UTC), _utc(n["held_until"]))
            for n in _rows(names.to_pyarrow())
        )
        return SubscriberRecord(
            account=self._account(r),
            usernames=held,
            registration_ip=ip_from_bytes(r["registration_ip"]),
            service=SERVICE,
            app=r["app"],
        )

    def _prep(self, key: str, build: Callable[..., ir.Table], dtypes: Sequence[str]) -> Prepared:
        """The compiled-once form of a hot lookup (see ``prepared.py``)."""
        if key not in self._prepared:
            names = tuple(f"{k}={v}" for k, v in sorted(self.table_names.items()))
            self._prepared[key] = Prepared(self.con, build, dtypes, (key, *names))
        return self._prepared[key]

    def _ip_history(self, account_id: int, window: Window) -> list[IpEvent]:
        e = self.t["events_by_account"]
        # a bucketed store (Hive directories) is pruned to one bucket; others have no column
        bucketed = ACCOUNT_BUCKET_COLUMN in e.columns

        def build(account: ir.Value, start: ir.Value, end: ir.Value, *bucket: ir.Value) -> ir.Table:
            conds = [e.account_id == account, e.ts >= start, e.ts < end]
            if bucket:
                conds.append(e[ACCOUNT_BUCKET_COLUMN] == bucket[0])
            return e.filter(*conds).order_by([e.ts, e.ip, e.port, e.app])

        args: list[Any] = [account_id, window.start, window.end]
        if bucketed:
            args.append(account_bucket(account_id))
        dtypes = ("int64", "timestamp", "timestamp", "int64")[: len(args)]
        run = self._prep("ip_history", build, dtypes)
        return [self._event(r) for r in run(*args)]

    def _who_used_ip(self, query: IpQuery, tolerance: timedelta) -> list[IpEvent]:
        e = self.t["events_by_ip"]
        bucketed = IP_BUCKET_COLUMN in e.columns
        with_port = query.port is not None

        def build(ip_hex: ir.Value, lo: ir.Value, hi: ir.Value, *more: ir.Value) -> ir.Table:
            conds = [e.ip == from_hex(ip_hex), e.ts >= lo, e.ts <= hi]
            rest = list(more)
            if bucketed:
                conds.append(e[IP_BUCKET_COLUMN] == rest.pop(0))
            if with_port:
                conds.append(e.port == rest.pop(0))
            return e.filter(*conds).order_by([e.ts, e.account_id, e.port, e.app])

        raw = ip_to_bytes(query.ip)
        args: list[Any] = [raw.hex(), query.at - tolerance, query.at + tolerance]
        dtypes = ["string", "timestamp", "timestamp"]
        if bucketed:
            args.append(ip_bucket(raw))
            dtypes.append("int64")
        if with_port:
            args.append(query.port)
            dtypes.append("int64")
        run = self._prep(f"who_used_ip/{'port' if with_port else 'any'}", build, dtypes)
        return [self._event(r) for r in run(*args)]

    def _who_used_ip_batch(self, queries: Sequence[IpQuery], tolerance: timedelta) -> list[IpMatch]:
        if not queries:
            return []
        data = pa.table(
            {
                "qi": pa.array(range(len(queries)), pa.int64()),
                "qip": pa.array([ip_to_bytes(x.ip).hex() for x in queries], pa.string()),
                "qport": pa.array([x.port for x in queries], pa.int32()),
                "qlo": pa.array([x.at - tolerance for x in queries], pa.timestamp("us", "UTC")),
                "qhi": pa.array([x.at + tolerance for x in queries], pa.timestamp("us", "UTC")),
            }
        )
        with self._query_table(data) as q:
            return self._batch_join(q)

    @contextmanager
    def _query_table(self, data: pa.Table) -> Iterator[ir.Table]:
        """The lookup parameters as a table the engine can join against."""
        if self.con.name != "postgres":
            yield ibis.memtable(data)
            return
        # Ibis fills in-memory tables in PostgreSQL row by row (seconds for 10^4 rows);
        # COPY into a temporary table takes milliseconds.
        name = f"lawdesk_q_{uuid.uuid4().hex}"
        pg_types = {"int64": "bigint", "int32": "integer", "string": "text"}
        cols = ", ".join(f'"{f.name}" {pg_types.get(str(f.type), "timestamptz")}' for f in data.schema)
        raw = self.con.con
        with raw.cursor() as cur:
            cur.execute(f'CREATE TEMPORARY TABLE "{name}" ({cols})')
            with cur.copy(f'COPY "{name}" FROM STDIN') as copy:
                for row in zip(*(c.to_pylist() for c in data.columns), strict=True):
                    copy.write_row(row)
            cur.execute(f'ANALYZE "{name}"')
        try:
            yield ibis.table(ibis.schema(data.schema), name=name)
        finally:
            with raw.cursor() as cur:
                cur.execute(f'DROP TABLE IF EXISTS "{name}"')

    def _batch_join(self, q: ir.Table) -> list[IpMatch]:
        q = q.mutate(qipb=from_hex(q.qip))
        e = self.t["events_by_ip"]
        joined = e.join(
            q,
            [
                e.ip == q.qipb,
                e.ts >= q.qlo,
                e.ts <= q.qhi,
                q.qport.isnull() | (e.port == q.qport),
            ],
        )
        expr = joined.select("qi", "account_id", "ip", "port", "ts", "app").order_by(
            ["qi", "ts", "account_id", "port", "app"]
        )
        rows = _rows(self.con.to_pyarrow(expr))
        return [IpMatch(int(r["qi"]), self._event(r)) for r in rows]

    def _message_meta(self, account_id: int, window: Window) -> list[MessageMeta]:
        m = self.t["messages_by_sender"]
        expr = m.filter(m.sender_id == account_id, m.ts >= window.start, m.ts < window.end)
        expr = expr.select(
            "message_id",
            "chat_id",
            "sender_id",
            "recipient_id",
            "ts",
            size=(m.text.length() + m.media_size.fill_null(0)).cast("int64"),
        ).order_by(["ts", "message_id"])
        return [
            MessageMeta(
                message_id=int(r["message_id"]),
                chat_id=int(r["chat_id"]),
                sender_id=int(r["sender_id"]),
                recipient_id=None if r["recipient_id"] is None else int(r["recipient_id"]),
                ts=r["ts"].astimezone(UTC),
                size=int(r["size"]),
            )
            for r in _rows(expr.to_pyarrow())
        ]

    def _secret_chat_ids(self, chat_ids: Sequence[int], account_ids: Sequence[int]) -> list[int]:
        c = self.t["chats"]
        found: set[int] = set()
        if chat_ids:
            expr = c.filter(c.chat_id.isin(list(chat_ids)), c.kind == "secret").select("chat_id")
            found |= {int(r["chat_id"]) for r in _rows(expr.to_pyarrow())}
        for account_id in account_ids:
            found |= {s.chat_id for s in self._secret_chats(account_id)}
        return sorted(found)

    def _secret_chats(self, account_id: int) -> list[SecretChat]:
        c, m = self.t["chats"], self.t["chat_members"]
        mine = m.filter(m.account_id == account_id).select("chat_id")
        secret = c.filter(c.kind == "secret", c.chat_id.isin(mine.chat_id)).select("chat_id", "created_at")
        chats = {int(r["chat_id"]): r["created_at"] for r in _rows(secret.to_pyarrow())}
        if not chats:
            return []
        members = m.filter(m.chat_id.isin(list(chats))).select("chat_id", "account_id")
        parts: dict[int, list[int]] = {k: [] for k in chats}
        for r in _rows(members.to_pyarrow()):
            parts[int(r["chat_id"])].append(int(r["account_id"]))
        return [
            SecretChat(
                chat_id=k,
                participants=tuple(sorted(parts[k])),
                created_at=chats[k].astimezone(UTC),
                content=NotHeld(f"content of secret chat {k}"),
            )
            for k in sorted(chats)
        ]

    def _batches(self, expr: ir.Table, batch_rows: int) -> Iterator[pa.RecordBatch]:
        """Stream an expression's result in record batches."""
        raw = getattr(self.con, "con", None)
        if self.con.name == "duckdb" and not hasattr(raw, "fetch_record_batch"):
            # Ibis 12's DuckDB streaming calls a method DuckDB 2 removed; stream on our own
            # cursor instead (a cursor also keeps other lookups from cancelling the stream).
            cursor = raw.cursor()  # type: ignore[union-attr]
            try:
                yield from cursor.sql(str(self.con.compile(expr))).to_arrow_reader(batch_rows)
            finally:
                cursor.close()
            return
        yield from expr.to_pyarrow_batches(chunk_size=batch_rows)

    def _message(self, chat_id: int, message_id: int) -> Message | None:
        m = self.t["messages_by_chat"]
        expr = m.filter(m.chat_id == chat_id, m.message_id == message_id).limit(1)
        for r in _rows(expr.to_pyarrow()):
            return self._message_row(r)
        return None

    @staticmethod
    def _message_row(r: dict[str, Any]) -> Message:
        return Message(
            message_id=int(r["message_id"]),
            chat_id=int(r["chat_id"]),
            sender_id=int(r["sender_id"]),
            recipient_id=None if r["recipient_id"] is None else int(r["recipient_id"]),
            ts=r["ts"].astimezone(UTC),
            text=r["text"],
            media_ref=r["media_ref"],
            media_size=None if r["media_size"] is None else int(r["media_size"]),
            media_sha256=r["media_sha256"],
        )

    def _content_batches(
        self, window: Window, chat_ids: Sequence[int], account_ids: Sequence[int], batch_rows: int
    ) -> Iterator[pa.RecordBatch]:
        exprs: list[ir.Table] = []
        if chat_ids:
            m = self.t["messages_by_chat"]
            exprs.append(
                m.filter(m.chat_id.isin(list(chat_ids)), m.ts >= window.start, m.ts < window.end)
                .select(list(MESSAGE_SCHEMA.names))
                .order_by(["chat_id", "ts", "message_id"])
            )
        if account_ids:
            s = self.t["messages_by_sender"]
            conds = [s.sender_id.isin(list(account_ids)), s.ts >= window.start, s.ts < window.end]
            if chat_ids:
                # already streamed above with its chat
                conds.append(~s.chat_id.isin(list(chat_ids)))
            exprs.append(s.filter(*conds).select(list(MESSAGE_SCHEMA.names))
                         .order_by(["sender_id", "ts", "message_id"]))
        for expr in exprs:
            for batch in self._batches(expr, batch_rows):
                # The engine's own types (int32 ids, a session time zone, ...) become Message's.
                yield pa.RecordBatch.from_arrays(
                    [batch.column(f.name).cast(f.type) for f in MESSAGE_SCHEMA], schema=MESSAGE_SCHEMA)

    def _stream_content(
        self, window: Window, chat_ids: Sequence[int], account_ids: Sequence[int], batch_rows: int
    ) -> Iterator[Message]:
        for batch in self._content_batches(window, chat_ids, account_ids, batch_rows):
            for r in batch.to_pylist():
                yield self._message_row(r)


def duckdb_connector(
    data_dir: Path | str, *, max_window: timedelta = DEFAULT_MAX_WINDOW, threads: int | None = None
) -> IbisConnector:
    """A connector over a generated dataset directory, with DuckDB reading the Parquet files."""
    root = Path(data_dir).resolve()
    if not (root / "manifest.json").exists():
        raise FileNotFoundError(
            f"no platform dataset at {root}; run `lawdesk platform generate --out {data_dir}`"
        )

    found = json.loads((root / "manifest.json").read_text()).get("format_version")
    if found != FORMAT_VERSION:
        raise FileNotFoundError(
            f"the dataset at {root} has layout version {found}, this lawdesk reads version "
            f"{FORMAT_VERSION}; regenerate it with `lawdesk platform generate --out {data_dir}`"
        )
    con = ibis.duckdb.connect()
    # metadata caching keeps Parquet footers decoded between lookups
    con.raw_sql("SET parquet_metadata_cache = true")
    if threads:
        con.raw_sql(f"SET threads = {int(threads)}")
    for key, rel in PARQUET_FILES.items():
        path = str(root / rel).replace("'", "''")
        hive = ", hive_partitioning = true" if key.startswith("events_") else ""
        con.raw_sql(f"CREATE VIEW {key} AS SELECT * FROM read_parquet('{path}'{hive})")  # noqa: S608
    return IbisConnector(con, max_window=max_window)


def postgres_connector(url: str, *, max_window: timedelta = DEFAULT_MAX_WINDOW) -> IbisConnector:
    """A connector over a PostgreSQL database loaded with ``load_postgres``."""
    con = ibis.connect(url.replace("postgresql://", "postgres://", 1))
    return IbisConnector(con, PG_TABLE_NAMES, max_window=max_window)


def open_connector(
    location: str | Path | None = None, *, max_window: timedelta = DEFAULT_MAX_WINDOW
) -> IbisConnector:
    """Open a connector from a dataset directory, a ``postgresql://`` URL or a Spark cluster.

    The default location is $LAWDESK_PLATFORM_DIR, else ``var/platform``. ``sc://host:port``
    is a Spark cluster over Spark Connect reading the dataset at $LAWDESK_PLATFORM_SPARK_DATA
    (docs/scaling.md).
    """
    if location is None:
        location = os.environ.get("LAWDESK_PLATFORM_DIR", "var/platform")
    text = str(location)
    if text.startswith(("postgres://", "postgresql://")):
        return postgres_connector(text, max_window=max_window)
    if text.startswith("sc://"):
        from lawdesk.platform.spark import (  # reason: spark.py builds on this module (import cycle)
            spark_connect_connector,
        )

        return spark_connect_connector(text, max_window=max_window)
    data = Path(text.removeprefix("duckdb://"))
    if (data / LOOKUP_INDEX_FILE).exists():
        # the derived lookup index answers the hot lookups (decision 0022)
        # reason: import cycle: platform.lookup_index imports this module
        from lawdesk.platform.lookup_index import IndexedConnector

        return IndexedConnector(data, max_window=max_window)
    return duckdb_connector(data, max_window=max_window)
