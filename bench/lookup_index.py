"""The derived SQLite lookup index against DuckDB over Parquet and PostgreSQL (issue 18, item 5).

Usage::

    .venv/bin/python -m bench.lookup_index --sizes 1e6,1e7 [--pg-sizes 1e6] [--runs 3]

For each size: the dataset of ``bench.lookups`` (generated under ``var/bench/`` if missing),
``lookup-index.sqlite3`` built beside it (timed), PostgreSQL loaded for ``--pg-sizes``. Then,
interleaved ``--runs`` times, ``bench.lookups.measure`` (warm only: the box is shared, so the OS
page cache is not dropped) on DuckDB over the Parquet files (the embedded default),
:class:`~lawdesk.platform.lookup_index.IndexedConnector`, and PostgreSQL: forward and reverse
warm p50 over 60 queries, a 10^4-tuple batch (median of 3). Medians over the runs; disk = both
sorted Parquet copies of the log / the SQLite file / ``pg_total_relation_size('events')``.
Results: ``var/bench/lookup_index.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import time
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from bench.lookups import BENCH_DIR, Workload, _dir_size, ensure_dataset, ensure_pg, machine, measure, pg_size
from lawdesk.platform.connector import IpQuery, Window
from lawdesk.platform.ibis_connector import duckdb_connector, postgres_connector
from lawdesk.platform.identifiers import ip_to_bytes
from lawdesk.platform.lookup_index import (
    _HISTORY,
    _WHO,
    INDEX_FILE,
    IndexedConnector,
    build_lookup_index,
    micros,
)

KEYS = ("forward_warm_ms", "reverse_warm_ms", "batch_warm_ms")


class BareIndex:
    """The index's own SQL on a bare ``sqlite3`` connection, rows left as tuples: what the
    storage engine costs without the connector (``--floor``), with SQLite's defaults or with
    the whole file memory-mapped as far as the library allows (2 GB in Debian's build)."""

    def __init__(self, data: Path, *, mmap: bool) -> None:
        self.db = sqlite3.connect(f"file:{data / INDEX_FILE}?mode=ro", uri=True)
        if mmap:
            self.db.execute("PRAGMA mmap_size = 1099511627776")  # capped by SQLITE_MAX_MMAP_SIZE

    def ip_history(self, account_id: int, window: Window) -> list[Any]:
        return self.db.execute(_HISTORY, (account_id, micros(window.start), micros(window.end))).fetchall()

    def who_used_ip(self, ip: Any, port: int | None, at: datetime, tolerance: timedelta) -> list[Any]:
        sql, args = _WHO.format(port=""), [ip_to_bytes(ip), micros(at - tolerance), micros(at + tolerance)]
        if port is not None:
            sql = _WHO.format(port="AND port = ? ")
            args.append(port)
        return self.db.execute(sql, args).fetchall()

    def who_used_ip_batch(self, queries: list[IpQuery], tolerance: timedelta) -> list[Any]:
        return [SimpleNamespace(query_index=i, row=row) for i, q in enumerate(queries)
                for row in self.who_used_ip(q.ip, q.port, q.at, tolerance)]


def main() -> None:
    """Measure every engine at every size, interleaved, and write the results."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1e6")
    parser.add_argument("--pg-sizes", default="1e6")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--floor", action="store_true",
                        help="also the index's SQL on a bare sqlite3 connection (defaults, and mmap)")
    parser.add_argument("--engines", default="duckdb_parquet,sqlite_index,postgres",
                        help="which of duckdb_parquet, sqlite_index, postgres to measure")
    args = parser.parse_args()
    pg_sizes = {int(float(s)) for s in args.pg_sizes.split(",") if s}
    out: dict[str, Any] = {"machine": machine(), "sizes": {}}
    for size in (int(float(s)) for s in args.sizes.split(",")):
        data = ensure_dataset(size)
        res: dict[str, Any] = {"load_start": os.getloadavg()[0]}
        if not (data / INDEX_FILE).exists():
            t = time.monotonic()
            build_lookup_index(data)
            res["index_build_s"] = round(time.monotonic() - t, 1)
        makers: dict[str, Any] = {"duckdb_parquet": lambda d=data: duckdb_connector(d),
                                  "sqlite_index": lambda d=data: IndexedConnector(d)}
        disk = {"duckdb_parquet": _dir_size(data / "events_by_account") + _dir_size(data / "events_by_ip"),
                "sqlite_index": (data / INDEX_FILE).stat().st_size}
        if args.floor:
            makers["sqlite_bare"] = lambda d=data: BareIndex(d, mmap=False)
            makers["sqlite_bare_mmap"] = lambda d=data: BareIndex(d, mmap=True)
            disk["sqlite_bare"] = disk["sqlite_bare_mmap"] = disk["sqlite_index"]
        if size in pg_sizes and "postgres" in args.engines:
            dsn, load_s = ensure_pg(data, size, reuse=True)
            res["pg_load_s"] = load_s
            makers["postgres"] = lambda dsn=dsn: postgres_connector(dsn)
            disk["postgres"] = pg_size(dsn)
        makers = {k: v for k, v in makers.items() if k in args.engines or k.startswith("sqlite_bare")}
        work = Workload(data, max(size // 100, 1000))
        runs: dict[str, list[dict[str, Any]]] = {k: [] for k in makers}
        for _ in range(args.runs):
            for name, make in makers.items():
                r = measure(make, work, cold=False)
                r["load_1min"] = os.getloadavg()[0]
                runs[name].append(r)
                print(size, name, {k: round(r[k], 3) for k in KEYS}, "load", round(r["load_1min"], 1),
                      flush=True)
        res["runs"] = runs
        res["median"] = {name: {k: statistics.median(r[k] for r in rs) for k in KEYS}
                         for name, rs in runs.items()}
        res["disk_bytes"] = disk
        res["load_end"] = os.getloadavg()[0]
        out["sizes"][str(size)] = res
        print(json.dumps({k: res[k] for k in ("median", "disk_bytes")}, indent=1), flush=True)
        (BENCH_DIR / "lookup_index.json").write_text(json.dumps(out, indent=1, default=str) + "\n")
    Path(BENCH_DIR / "lookup_index.json").write_text(json.dumps(out, indent=1, default=str) + "\n")


if __name__ == "__main__":
    main()
