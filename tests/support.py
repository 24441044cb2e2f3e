"""Helpers for tests that run lawdesk in separate processes on a database of their own."""

from __future__ import annotations

import os
import re
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
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


# --- Translations -----------------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]|\{[a-z_]*\}|<[^>]*>|\s—\s")


@cache
def _english_fragments(language: str) -> dict[str, str]:
    """The catalogue's English phrases whose translation differs: fragment → its msgid.

    A msgid is cut at its placeholders and markup; each piece of two words or more that its
    translation does not contain is a phrase a page in ``language`` must not show."""
    import gettext

    locale = Path(__file__).resolve().parents[1] / "src" / "lawdesk" / "locale"
    catalog = gettext.translation("django", localedir=locale, languages=[language])._catalog  # type: ignore[attr-defined]
    found: dict[str, str] = {}
    for key, translated in catalog.items():
        if isinstance(key, tuple):
            if key[1] != 0:
                continue
            key = key[0]
        msgid = key.split("\x04", 1)[-1]  # msgctxt\x04msgid
        if not msgid or msgid == translated:
            continue
        for piece in _PLACEHOLDER.split(msgid):
            piece = " ".join(piece.split()).strip(" .,;:()«»\"'")
            if len(re.findall(r"[A-Za-z]{2,}", piece)) >= 2 and piece not in " ".join(translated.split()):
                found[piece] = msgid
    return found


def english_phrases(text: str, language: str = "fr") -> list[str]:
    """The catalogue's English phrases (two words or more, translated differently in
    ``language``) that ``text`` shows verbatim: what a page in ``language`` left in English."""
    flat = " ".join(text.split())
    return sorted(f"{piece!r} (from {msgid!r})" for piece, msgid in _english_fragments(language).items()
                  if re.search(rf"(?<![A-Za-z]){re.escape(piece)}(?![A-Za-z])", flat))
