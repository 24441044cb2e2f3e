"""Helpers for tests that run lawdesk in separate processes on a database of their own."""

from __future__ import annotations

import io
import os
import re
import socket
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any
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


def fresh_totp_code(secret: str, *, margin: float, used: set[tuple[str, str]] | None = None) -> str:
    """A TOTP code for ``secret`` with at least ``margin`` seconds left in its 30-second window.

    lawdesk accepts a code only inside its own window (allauth's ``MFA_TOTP_TOLERANCE`` is 0)
    and only once. A code read in the last seconds of its window can expire before a busy
    machine checks it, and the sign-in then fails for a reason that has nothing to do with the
    code under test: wait for the next window instead. ``used`` holds the (secret, code) pairs
    already sent; a code in it is not given again."""
    import pyotp

    totp = pyotp.TOTP(secret)
    while True:
        now = time.time()
        left = totp.interval - now % totp.interval
        code = totp.at(now)
        if left >= margin and (used is None or (secret, code) not in used):
            if used is not None:
                used.add((secret, code))
            return code
        time.sleep(min(left, 1.0) + 0.05)


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


def read_xlsx(data: bytes) -> list[list[Any]]:
    """The first sheet of an XLSX lawdesk wrote (transparency.eu_templates), as a table (numbers as
    int or float). Only tests read workbooks: lawdesk itself never parses XML outside
    interop.xmlsafe (tests/interop/test_hardened_parsing.py)."""
    from defusedxml import ElementTree

    from lawdesk.transparency.eu_templates import TemplateError

    ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            root = ElementTree.fromstring(archive.read("xl/worksheets/sheet1.xml"))
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError) as exc:
        raise TemplateError(f"not a workbook: {exc}") from exc
    table: list[list[Any]] = []
    for row in root.iter(f"{ns}row"):
        values: dict[int, Any] = {}
        for cell in row.iter(f"{ns}c"):
            ref = cell.get("r", "")
            letters = "".join(ch for ch in ref if ch.isalpha())
            col = 0
            for ch in letters:
                col = col * 26 + ord(ch) - 64
            if cell.get("t") == "inlineStr":
                values[col - 1] = "".join(t.text or "" for t in cell.iter(f"{ns}t"))
            else:
                raw = cell.findtext(f"{ns}v") or ""
                values[col - 1] = float(raw) if "." in raw else int(raw)
        width = max(values, default=-1) + 1
        table.append([values.get(i) for i in range(width)])
    return table
