"""Compile an Ibis lookup once per engine and re-run it with bound parameters.

Building and compiling an Ibis expression costs several milliseconds — more than the engine
needs for a pruned lookup. The hot lookups are therefore compiled once with *sentinel*
literal values; the sentinels' SQL renderings are swapped for named placeholders, and later
calls only bind values. The SQL still comes from the one Ibis expression; only execution goes
through the engine's DB-API. Engines without a known placeholder style, and templates whose
sentinels cannot be located, or whose first answer differs from the plain Ibis path, fall back
to building the expression each time.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import ibis
import ibis.expr.types as ir

Row = dict[str, Any]
Builder = Callable[..., ir.Table]

_SENTINEL_COL = "lawdesk_sentinel_col"
_SENTINEL_BASE_INT = 7_350_000_000_000_001


def _sentinel(dtype: str, i: int) -> Any:
    if dtype == "int64":
        return _SENTINEL_BASE_INT + i
    if dtype == "string":
        return f"lawdesk_sentinel_{i}"
    if dtype == "timestamp":
        return datetime(1901, 2, 3, 4, 5, 6, 123_450 + i, tzinfo=UTC)
    raise ValueError(f"no sentinel for {dtype}")


def _ibis_type(dtype: str) -> str:
    return "timestamp('UTC', 6)" if dtype == "timestamp" else dtype


#: Templates already compiled and checked in this process, by (engine, shape key).
_TEMPLATES: dict[tuple[str, ...], str | None] = {}


class Prepared:
    """One lookup shape: an Ibis builder plus, where supported, its compiled SQL template."""

    def __init__(
        self,
        con: ibis.BaseBackend,
        build: Builder,
        dtypes: Sequence[str],
        cache_key: tuple[str, ...] | None = None,
    ) -> None:
        self.con = con
        self.build = build
        self.dtypes = tuple(dtypes)
        # same engine + same table names + same shape = same SQL: compile once per process
        self.cache_key = None if cache_key is None else (con.name, *cache_key, *self.dtypes)
        self.checked = self.cache_key in _TEMPLATES
        self.sql: str | None = _TEMPLATES.get(self.cache_key) if self.checked else None  # type: ignore[arg-type]

    def literal_args(self, args: Sequence[Any]) -> list[ir.Value]:
        """The arguments as typed Ibis literals."""
        return [ibis.literal(a, type=_ibis_type(t)) for a, t in zip(args, self.dtypes, strict=True)]

    def via_ibis(self, args: Sequence[Any]) -> list[Row]:
        """Build and run the expression the plain way."""
        rows: list[Row] = self.build(*self.literal_args(args)).to_pyarrow().to_pylist()
        return rows

    def _render(self, value: Any, dtype: str) -> str | None:
        sql = str(self.con.compile(ibis.literal(value, type=_ibis_type(dtype)).name(_SENTINEL_COL)))
        match = re.search(r"SELECT\s+(.*?)\s+AS\s+\"" + _SENTINEL_COL + '"', sql, re.DOTALL)
        return match.group(1) if match else None

    def _compile(self) -> str | None:
        style = {"duckdb": "${}", "postgres": "%({})s"}.get(self.con.name)
        if style is None:
            return None
        sentinels = [_sentinel(t, i) for i, t in enumerate(self.dtypes)]
        sql = str(self.con.compile(self.build(*self.literal_args(sentinels))))
        if self.con.name == "postgres":
            sql = sql.replace("%", "%%")  # psycopg treats % as placeholder syntax
        for i, (value, dtype) in enumerate(zip(sentinels, self.dtypes, strict=True)):
            render = self._render(value, dtype)
            if not render or render not in sql:
                return None
            sql = sql.replace(render, style.format(f"p{i}"))
        return sql

    def _execute(self, args: Sequence[Any]) -> list[Row]:
        assert self.sql is not None
        params = {f"p{i}": a for i, a in enumerate(args)}
        raw = self.con.con
        if self.con.name == "duckdb":
            # plain tuples beat an Arrow round trip for the few rows a lookup returns
            result = raw.execute(self.sql, params)
            cols = [d[0] for d in result.description]
            return [dict(zip(cols, r, strict=True)) for r in result.fetchall()]
        with raw.cursor() as cur:
            cur.execute(self.sql, params)
            names = [d.name for d in cur.description]
            return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

    def __call__(self, *args: Any) -> list[Row]:
        """Run the lookup with these argument values."""
        if not self.checked:
            self.checked = True
            try:
                self.sql = self._compile()
                if self.sql is not None and _norm(self._execute(args)) != _norm(self.via_ibis(args)):
                    self.sql = None
            except Exception:  # any failure of the fast path means: use the plain path
                self.sql = None
            if self.cache_key is not None:
                _TEMPLATES[self.cache_key] = self.sql
        if self.sql is None:
            return self.via_ibis(args)
        return self._execute(args)


def _norm(rows: list[Row]) -> list[Row]:
    """Rows with engine-specific value types made comparable (bytes, aware datetimes)."""
    out = []
    for r in rows:
        out.append(
            {
                k: bytes(v)
                if isinstance(v, bytes | memoryview)
                else v.astimezone(UTC)
                if isinstance(v, datetime)
                else v
                for k, v in r.items()
            }
        )
    return out
