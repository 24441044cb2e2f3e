"""Helpers for tests that run lawdesk in separate processes on a database of their own."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

CHROMIUM = "/usr/bin/chromium"  # the browser the browser tests drive


def postgres_admin(url: str, sql: str) -> None:
    """Run one statement on the server of ``url`` (connected to its ``postgres`` database)."""
    import psycopg

    parsed = urlparse(url)
    conninfo = (f"host={parsed.hostname} port={parsed.port or 5432} user={parsed.username} "
                f"password={parsed.password or ''} dbname=postgres")
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(sql)


@contextmanager
def fresh_database(home: Path, prefix: str) -> Iterator[str]:
    """A new, empty database of the engine the suite runs on; its URL, dropped afterwards.

    On PostgreSQL (``DATABASE_URL=postgres…``) a database ``<prefix>_<pid>`` on the same server;
    otherwise an SQLite file under ``home``.
    """
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        yield f"sqlite:///{home / 'lawdesk.sqlite3'}"
        return
    name = f"{prefix}_{os.getpid()}"
    postgres_admin(base, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    postgres_admin(base, f"CREATE DATABASE {name}")
    try:
        yield base.rsplit("/", 1)[0] + "/" + name
    finally:
        postgres_admin(base, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
