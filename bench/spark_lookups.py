"""A CGNAT attribution request — a batch reverse lookup of many (ip, port, time) tuples — on
Apache Spark (local mode) vs DuckDB over Parquet vs PostgreSQL, in the same run.

Usage::

    .venv/bin/python -m bench.spark_lookups --sizes 1e6,1e7 --tuples 1e4,1e5 [--repeats 3]

For each size (connection-log events) it reuses or makes the dataset and the PostgreSQL copy of
``bench.lookups`` (``var/bench/e6``…, database ``lawdesk_bench_e6``…), then times
``who_used_ip_batch(tuples, ±5 min)`` through the same
:class:`~lawdesk.platform.ibis_connector.IbisConnector` code on the three engines:

* ``duckdb`` — the default connector over the sorted, bucketed Parquet copies (no lookup index);
* ``postgres`` — one table with b-tree indexes on (account_id, ts) and (ip, ts);
* ``spark`` — PySpark in local mode (``local[N]``, one JVM, default JIT) reading the same
  Parquet files (``lawdesk.platform.spark``).

The tuples are drawn from real events (time shifted by up to ±60 s), so every one matches.
Each (engine, tuples) is run once to warm up, then ``--repeats`` times with the engines
interleaved; the figure is the median, reported with its ratio to DuckDB's median in the same
run. A single reverse lookup (``who_used_ip``, p50 of 5) is reported too. The load average is
recorded at every size. Results: ``var/bench/spark-lookups-<size>.json`` and a Markdown table in
``var/bench/spark-lookups.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import duckdb

from bench.lookups import BENCH_DIR, TOLERANCE, _label, ensure_dataset, ensure_pg
from lawdesk.platform.connector import IpQuery, to_json
from lawdesk.platform.ibis_connector import IbisConnector, duckdb_connector, postgres_connector
from lawdesk.platform.identifiers import ip_from_bytes
from lawdesk.platform.lookup_index import IndexedConnector
from lawdesk.platform.spark import local_session, spark_connector


def tuples_from(data: Path, n: int, seed: int = 11) -> list[IpQuery]:
    """``n`` (ip, port, time) tuples aimed at real events, the time shifted by up to ±60 s."""
    con = duckdb.connect()
    rows = con.execute(
        f"SELECT ip, port, ts, CAST(hash(ts) % 120 AS INTEGER) - 60 AS shift "
        f"FROM read_parquet('{data}/events_by_ip/*/*.parquet') "
        f"USING SAMPLE reservoir({n} ROWS) REPEATABLE ({seed})"
    ).fetchall()
    return [IpQuery(ip_from_bytes(ip), port, ts + timedelta(seconds=int(s))) for ip, port, ts, s in rows]


def _ms(fn: Callable[[], Any]) -> tuple[float, Any]:
    t = time.perf_counter()
    out = fn()
    return (time.perf_counter() - t) * 1000, out


def run_size(
    size: int, tuple_counts: list[int], repeats: int, cores: int, spark_memory: str, reuse_pg: bool,
    wanted: tuple[str, ...] = ("duckdb", "postgres", "spark"),
) -> dict[str, Any]:
    data = ensure_dataset(size)
    dsn = ensure_pg(data, size, reuse_pg)[0] if "postgres" in wanted else ""
    load = os.getloadavg()
    t0 = time.perf_counter()
    spark = spark_connector(
        data, spark=local_session(cores=cores, memory=spark_memory, work_dir=BENCH_DIR / "spark")
    )
    spark.con._session.sparkContext.setLogLevel("ERROR")  # type: ignore[attr-defined]
    spark_start_s = time.perf_counter() - t0
    makers: dict[str, Callable[[], IbisConnector]] = {
        "duckdb": lambda: duckdb_connector(data),
        "postgres": lambda: postgres_connector(dsn),
        "spark": lambda: spark,
        # the derived SQLite index of decision 0022, when it was built beside the dataset
        "sqlite_index": lambda: IndexedConnector(data),
    }
    engines = {name: makers[name]() for name in ("duckdb", *wanted) if name in makers}
    out: dict[str, Any] = {
        "events": size, "load_avg_start": load, "spark_start_s": spark_start_s, "cores": cores,
        "batches": {},
    }
    for n in tuple_counts:
        queries = tuples_from(data, n)
        times: dict[str, list[float]] = {e: [] for e in engines}
        matched: dict[str, int] = {}
        answers: dict[str, Any] = {}
        for name, conn in engines.items():  # warm-up, and the answers must agree
            _, res = _ms(lambda conn=conn, queries=queries: conn.who_used_ip_batch(queries, TOLERANCE))
            matched[name] = len({m.query_index for m in res})
            answers[name] = to_json(res)
        if not all(a == answers["duckdb"] for a in answers.values()):
            raise SystemExit(f"engines disagree at {size:,} events, {n:,} tuples: {matched}")
        for r in range(repeats):
            order = list(engines)[r % len(engines):] + list(engines)[: r % len(engines)]
            for name in order:
                ms, _ = _ms(lambda name=name, queries=queries: engines[name].who_used_ip_batch(
                    queries, TOLERANCE))
                times[name].append(ms)
                print(f"  e={size:,} n={n:,} {name}: {ms:,.0f} ms", flush=True)
        med = {e: statistics.median(v) for e, v in times.items()}
        out["batches"][str(n)] = {
            "median_ms": med,
            "runs_ms": times,
            "ratio_to_duckdb": {e: med[e] / med["duckdb"] for e in med},
            "queries_matched": matched,
            "load_avg_end": os.getloadavg(),
        }
    single = tuples_from(data, 5, seed=3)
    out["single_reverse_p50_ms"] = {}
    for name, conn in engines.items():
        conn.who_used_ip(single[0].ip, single[0].port, single[0].at)  # warm
        out["single_reverse_p50_ms"][name] = statistics.median(
            _ms(lambda q=q, conn=conn: conn.who_used_ip(q.ip, q.port, q.at))[0] for q in single
        )
    out["load_avg_end"] = os.getloadavg()
    spark.con._session.stop()  # type: ignore[attr-defined]
    return out


def markdown(results: list[dict[str, Any]]) -> str:
    lines = [
        "| events | tuples | DuckDB | PostgreSQL | Spark local | PG / DuckDB | Spark / DuckDB "
        "| load (start-end) |",
        "|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        for n, b in r["batches"].items():
            m, q = b["median_ms"], b["ratio_to_duckdb"]
            ms = {e: f"{m[e]:,.0f} ms" if e in m else "-" for e in ("duckdb", "postgres", "spark")}
            qs = {e: f"{q[e]:.2f}x" if e in q else "-" for e in ("postgres", "spark")}
            lines.append(
                f"| {r['events']:,} | {int(n):,} | {ms['duckdb']} | {ms['postgres']} | "
                f"{ms['spark']} | {qs['postgres']} | {qs['spark']} | "
                f"{r['load_avg_start'][0]:.1f}-{b['load_avg_end'][0]:.1f} |"
            )
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1e6")
    ap.add_argument("--tuples", default="1e4")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--cores", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--spark-memory", default="4g")
    ap.add_argument("--reload-pg", action="store_true")
    ap.add_argument("--engines", default="duckdb,postgres,spark",
                    help="among duckdb (always run: the baseline), postgres, spark, sqlite_index")
    args = ap.parse_args()
    sizes = [int(float(s)) for s in args.sizes.split(",")]
    counts = [int(float(s)) for s in args.tuples.split(",")]
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, load {os.getloadavg()}")
    results = []
    for size in sizes:
        res = run_size(size, counts, args.repeats, args.cores, args.spark_memory, not args.reload_pg,
                       tuple(args.engines.split(",")))
        (BENCH_DIR / f"spark-lookups-{_label(size)}.json").write_text(json.dumps(res, indent=1, default=str))
        results.append(res)
        print(markdown([res]), flush=True)
    (BENCH_DIR / "spark-lookups.md").write_text(markdown(results) + "\n")
    print(markdown(results))


if __name__ == "__main__":
    main()
