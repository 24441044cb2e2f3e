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
import statistics
import time
from pathlib import Path
from typing import Any

from bench.lookups import BENCH_DIR, Workload, _dir_size, ensure_dataset, ensure_pg, machine, measure, pg_size
from lawdesk.platform.ibis_connector import duckdb_connector, postgres_connector
from lawdesk.platform.lookup_index import INDEX_FILE, IndexedConnector, build_lookup_index

KEYS = ("forward_warm_ms", "reverse_warm_ms", "batch_warm_ms")


def main() -> None:
    """Measure every engine at every size, interleaved, and write the results."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1e6")
    parser.add_argument("--pg-sizes", default="1e6")
    parser.add_argument("--runs", type=int, default=3)
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
        if size in pg_sizes:
            dsn, load_s = ensure_pg(data, size, reuse=True)
            res["pg_load_s"] = load_s
            makers["postgres"] = lambda dsn=dsn: postgres_connector(dsn)
            disk["postgres"] = pg_size(dsn)
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
