"""An index-organised SQLite lookup store beside the Parquet files (issue 18, item 5).

The Parquet files stay the interchange format and the source of truth; this file is derived
from them: the connection log twice, in two SQLite tables ``WITHOUT ROWID`` whose primary keys
cluster the rows on ``(account_id, ts)`` and on ``(ip, ts)``, so a forward or reverse lookup
is one B-tree descent and a short range scan. :class:`IndexedConnector` answers the three hot
lookups (``ip_history``, ``who_used_ip`` and its batch) from it, and everything else from
DuckDB over the Parquet files, through the same connector interface.

Times are stored as integer microseconds since 1970 (UTC); addresses as their 16-byte stored
form; ``seq`` only makes the keys unique (two events of an account in the same microsecond).
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from lawdesk.platform.connector import IpEvent, IpMatch, IpQuery, Window
from lawdesk.platform.ibis_connector import IbisConnector, duckdb_connector
from lawdesk.platform.identifiers import ip_from_bytes, ip_to_bytes
from lawdesk.platform.layout import LOOKUP_INDEX_FILE

INDEX_FILE = LOOKUP_INDEX_FILE
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)

_SCHEMA = """
CREATE TABLE by_account (account_id INTEGER NOT NULL, ts INTEGER NOT NULL, seq INTEGER NOT NULL,
    ip BLOB NOT NULL, port INTEGER, app TEXT, PRIMARY KEY (account_id, ts, seq)) WITHOUT ROWID;
CREATE TABLE by_ip (ip BLOB NOT NULL, ts INTEGER NOT NULL, seq INTEGER NOT NULL,
    account_id INTEGER NOT NULL, port INTEGER, app TEXT, PRIMARY KEY (ip, ts, seq)) WITHOUT ROWID;
"""
# ORDER BY as DuckDB and PostgreSQL sort (NULLs last), so the answers are the same lists.
_HISTORY = ("SELECT account_id, ip, port, ts, app FROM by_account WHERE account_id = ? AND ts >= ? "
            "AND ts < ? ORDER BY ts, ip, port IS NULL, port, app IS NULL, app")
_WHO = ("SELECT account_id, ip, port, ts, app FROM by_ip WHERE ip = ? AND ts BETWEEN ? AND ? "
        "{port}ORDER BY ts, account_id, port IS NULL, port, app IS NULL, app")


def micros(t: datetime) -> int:
    """Microseconds since 1970 of an aware time, exactly."""
    return (t - EPOCH) // _US


def build_lookup_index(data_dir: Path | str, *, out: Path | None = None, batch_rows: int = 100_000,
                       page_size: int = 8192) -> Path:
    """(Re)build ``<data_dir>/lookup-index.sqlite3`` (or ``out``) from the log's Parquet files."""
    root = Path(data_dir)
    final = out or root / INDEX_FILE
    partial = final.parent / f".{final.name}.partial"
    partial.unlink(missing_ok=True)
    db = sqlite3.connect(partial)
    db.executescript(f"PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA page_size={int(page_size)};"
                     + _SCHEMA)
    source = duckdb_connector(root).con.con  # the views over the Parquet files
    for table, view, key in (("by_account", "events_by_account", "account_id"),
                             ("by_ip", "events_by_ip", "ip")):
        cols = ("account_id, epoch_us(ts), seq, ip, port, app" if key == "account_id"
                else "ip, epoch_us(ts), seq, account_id, port, app")
        # rows arrive in key order, so each table is written as appends to its B-tree
        sql = (f"SELECT {cols} FROM (SELECT *, row_number() OVER (ORDER BY {key}, ts, port, app) "  # noqa: S608
               f"AS seq FROM {view}) ORDER BY {key}, ts, seq")
        cursor = source.cursor()
        try:
            for batch in cursor.sql(sql).to_arrow_reader(batch_rows):
                db.executemany(f"INSERT INTO {table} VALUES (?, ?, ?, ?, ?, ?)",  # noqa: S608
                               zip(*(c.to_pylist() for c in batch.columns), strict=True))
        finally:
            cursor.close()
        db.commit()
    db.execute("ANALYZE")
    db.commit()
    db.close()
    partial.replace(final)
    return final


class IndexedConnector(IbisConnector):
    """DuckDB over Parquet, with the hot lookups answered from the derived SQLite index."""

    def __init__(self, data_dir: Path | str, *, index: Path | None = None, **kwargs: Any) -> None:
        base = duckdb_connector(data_dir, **kwargs)
        super().__init__(base.con, base.table_names, max_window=base.max_window)
        self.index_path = (index or Path(data_dir) / INDEX_FILE).resolve()
        self._local = threading.local()

    def _db(self) -> sqlite3.Connection | None:
        """This thread's connection to the index as it is now; None when it is gone.

        Retention and deletion remove the index before they delete rows, and a rebuild replaces
        the file: a connection opened on an older file is not used again.
        """
        try:
            st = os.stat(self.index_path)
        except FileNotFoundError:
            return None
        db = getattr(self._local, "db", None)
        if db is not None and self._local.file != (st.st_ino, st.st_mtime_ns):
            db.close()
            db = None
        if db is None:  # one read-only connection per thread (temporary tables are its own)
            db = sqlite3.connect(f"file:{self.index_path}?mode=ro", uri=True, check_same_thread=False)
            self._local.file = (st.st_ino, st.st_mtime_ns)
            db.execute("PRAGMA mmap_size = 268435456")
            self._local.db = db
        return db

    @staticmethod
    def _events(rows: Iterator[Any]) -> list[IpEvent]:
        return [IpEvent(account_id=a, ip=ip_from_bytes(ip), port=port, ts=EPOCH + t * _US, app=app)
                for a, ip, port, t, app in rows]

    def _ip_history(self, account_id: int, window: Window) -> list[IpEvent]:
        db = self._db()
        if db is None:
            return super()._ip_history(account_id, window)
        return self._events(db.execute(_HISTORY, (account_id, micros(window.start), micros(window.end))))

    def _who(self, db: sqlite3.Connection, query: IpQuery, tolerance: timedelta) -> list[IpEvent]:
        args: list[Any] = [ip_to_bytes(query.ip), micros(query.at - tolerance), micros(query.at + tolerance)]
        sql = _WHO.format(port="")
        if query.port is not None:
            sql = _WHO.format(port="AND port = ? ")
            args.append(query.port)
        return self._events(db.execute(sql, args))

    def _who_used_ip(self, query: IpQuery, tolerance: timedelta) -> list[IpEvent]:
        db = self._db()
        if db is None:
            return super()._who_used_ip(query, tolerance)
        return self._who(db, query, tolerance)

    def _who_used_ip_batch(self, queries: Sequence[IpQuery], tolerance: timedelta) -> list[IpMatch]:
        # One query joining a temporary table of the tuples: SQLite descends the clustered key
        # once per tuple, with no Python round trip per tuple.
        db = self._db()
        if db is None:
            return super()._who_used_ip_batch(queries, tolerance)
        db.execute("CREATE TEMP TABLE IF NOT EXISTS q (qi INTEGER PRIMARY KEY, ip BLOB, lo INTEGER, "
                   "hi INTEGER, port INTEGER)")
        db.execute("DELETE FROM q")
        db.executemany("INSERT INTO q VALUES (?, ?, ?, ?, ?)", (
            (i, ip_to_bytes(x.ip), micros(x.at - tolerance), micros(x.at + tolerance), x.port)
            for i, x in enumerate(queries)))
        rows = db.execute(
            "SELECT q.qi, e.account_id, e.ip, e.port, e.ts, e.app FROM q JOIN by_ip e "
            "ON e.ip = q.ip AND e.ts BETWEEN q.lo AND q.hi AND (q.port IS NULL OR e.port = q.port) "
            "ORDER BY q.qi, e.ts, e.account_id, e.port IS NULL, e.port, e.app IS NULL, e.app").fetchall()
        db.execute("DELETE FROM q")
        events = self._events(iter([r[1:] for r in rows]))
        return [IpMatch(r[0], e) for r, e in zip(rows, events, strict=True)]
