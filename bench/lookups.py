"""Lookup benchmarks: sorted Parquet on DuckDB vs unsorted Parquet on DuckDB vs PostgreSQL.

Usage::

    .venv/bin/python -m bench.lookups --sizes 1e6,1e7 [--pg postgresql://…] [--skip-pg-sizes 1e8]

For each size (connection-log events; accounts = events/100, messages = events/10) it generates
the dataset under ``var/bench/`` if missing, builds an unsorted copy of the log, loads
PostgreSQL (b-tree indexes on (account_id, ts) and (ip, ts)), then measures, through the same
:class:`~lawdesk.platform.ibis_connector.IbisConnector` code on every engine:

* forward: ``ip_history(account, 10-day window)``;
* reverse: ``who_used_ip(ip, port, t ± 5 min)``;
* batch: ``who_used_ip_batch`` of 10^4 (ip, port, t) tuples.

Warm = p50 over many different queries on one open connector. Cold = p50 of the first query
on a fresh connector after dropping the OS page cache (when permitted); PostgreSQL's shared
buffers cannot be dropped without restarting the shared server, so its cold figure is warmer.
The Ibis expression-compile share of each lookup is reported separately. Results are written
to ``var/bench/lookups-<size>.json`` and a Markdown table to ``var/bench/lookups.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from lawdesk.platform.connector import IpQuery
from lawdesk.platform.generator import SPAN_END, SPAN_START, generate
from lawdesk.platform.ibis_connector import (
    PARQUET_FILES,
    IbisConnector,
    duckdb_connector,
    postgres_connector,
)
from lawdesk.platform.identifiers import Window, ip_from_bytes
from lawdesk.platform.postgres import load_postgres

BENCH_DIR = Path("var/bench")
PG_BASE = "postgresql://postgres:postgres@127.0.0.1:5432"
WARM_QUERIES = 60
COLD_QUERIES = 7
BATCH = 10_000
TOLERANCE = timedelta(minutes=5)


def _label(size: int) -> str:
    return f"e{len(str(size)) - 1}"


def _dir_size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def drop_os_cache() -> bool:
    """Drop the OS page cache (needs root); False when not permitted."""
    try:
        os.sync()
        Path("/proc/sys/vm/drop_caches").write_text("1\n")
        return True
    except OSError:
        return False


def ensure_dataset(size: int) -> Path:
    """The dataset of ``size`` events (generated once, deterministic seed per size)."""
    path = BENCH_DIR / _label(size)
    if not (path / "manifest.json").exists():
        t = time.monotonic()
        generate(path, accounts=max(size // 100, 1000), events=size, messages=size // 10, seed=len(str(size)))
        print(f"generated {path} in {time.monotonic() - t:.0f}s", flush=True)
    return path


def ensure_unsorted(data: Path) -> Path:
    """The same connection log in one file in random row order (the naive layout)."""
    path = data.with_name(data.name + "_unsorted.parquet")
    if not path.exists():
        con = duckdb.connect()
        con.execute("SET preserve_insertion_order=true")
        con.execute("SET enable_progress_bar=false")
        con.execute(f"SET temp_directory='{BENCH_DIR / 'tmp'}'")
        con.execute(
            f"COPY (SELECT * FROM read_parquet('{data}/events_by_account/*/*.parquet') "
            f"ORDER BY hash(account_id, ts, port, ip)) TO '{path}.tmp' "
            "(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 65536, PARQUET_VERSION V2)"
        )
        Path(f"{path}.tmp").rename(path)
    return path


def unsorted_connector(data: Path, unsorted: Path) -> IbisConnector:
    """DuckDB connector whose both log tables are the unsorted file."""
    import ibis

    con = ibis.duckdb.connect()
    con.raw_sql("SET parquet_metadata_cache = true")
    for key, rel in PARQUET_FILES.items():
        src = unsorted if key.startswith("events_") else data.resolve() / rel
        con.raw_sql(f"CREATE VIEW {key} AS SELECT * FROM read_parquet('{src}')")
    return IbisConnector(con)


def ensure_pg(data: Path, size: int, reuse: bool) -> tuple[str, float | None]:
    """A database with the log loaded; returns (dsn, load seconds or None if reused)."""
    import psycopg

    name = f"lawdesk_bench_{_label(size)}"
    with psycopg.connect(f"{PG_BASE}/postgres", autocommit=True) as con:
        if not con.execute("SELECT 1 FROM pg_database WHERE datname=%s", (name,)).fetchone():
            con.execute(f'CREATE DATABASE "{name}"')
    dsn = f"{PG_BASE}/{name}"
    if reuse:
        with psycopg.connect(dsn) as con:
            try:
                [(n,)] = con.execute("SELECT count(*) FROM events").fetchall()
                if n >= size:
                    saved = BENCH_DIR / f"pg-load-{_label(size)}.json"
                    load = json.loads(saved.read_text())["load_s"] if saved.exists() else None
                    return dsn, load
            except psycopg.errors.UndefinedTable:
                pass
    t = time.monotonic()
    # the other tables are tiny next to the log but the connector may touch them
    load_postgres(
        data,
        dsn,
        tables=("accounts", "usernames", "chats", "chat_members", "events"),
        progress=lambda n, c: print(f"  pg {n}: {c:,} rows", flush=True),
    )
    seconds = time.monotonic() - t
    (BENCH_DIR / f"pg-load-{_label(size)}.json").write_text(json.dumps({"load_s": seconds}))
    return dsn, seconds


def pg_size(dsn: str) -> int:
    """Table + indexes (+ TOAST) of the PostgreSQL log table."""
    import psycopg

    with psycopg.connect(dsn) as con:
        [(n,)] = con.execute("SELECT pg_total_relation_size('events')").fetchall()
    return int(n)


class Workload:
    """Deterministic random queries drawn from the data itself."""

    def __init__(self, data: Path, accounts: int, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        con = duckdb.connect()
        rows = con.execute(
            f"SELECT ip, port, ts FROM read_parquet('{data}/events_by_ip/*/*.parquet') "
            f"USING SAMPLE reservoir({BATCH + 500} ROWS) REPEATABLE (7)"
        ).fetchall()
        self.events = [(ip_from_bytes(ip), port, ts) for ip, port, ts in rows]
        self.accounts = accounts

    def forward(self) -> tuple[int, Window]:
        account = 1_000_000 + self.rng.randrange(self.accounts)
        span = (SPAN_END - SPAN_START).total_seconds() - 10 * 86400
        start = SPAN_START + timedelta(seconds=self.rng.random() * span)
        return account, Window(start, start + timedelta(days=10))

    def reverse(self) -> IpQuery:
        ip, port, ts = self.events[self.rng.randrange(len(self.events))]
        return IpQuery(ip, port, ts + timedelta(seconds=self.rng.uniform(-60, 60)))

    def batch(self) -> list[IpQuery]:
        picks = self.rng.sample(self.events, BATCH)
        return [
            IpQuery(ip, port, ts + timedelta(seconds=self.rng.uniform(-60, 60))) for ip, port, ts in picks
        ]


def _time(fn: Callable[[], Any]) -> tuple[float, Any]:
    t = time.perf_counter()
    out = fn()
    return (time.perf_counter() - t) * 1000, out


def measure(
    make: Callable[[], IbisConnector], work: Workload, cold: bool = True, n: int = WARM_QUERIES
) -> dict[str, Any]:
    """Warm and cold p50 (ms) of the three lookups on one engine."""
    conn = make()
    res: dict[str, Any] = {"warm_queries": n}
    fwd = [work.forward() for _ in range(n + 5)]
    rev = [work.reverse() for _ in range(n + 5)]
    for q in fwd[:5]:
        conn.ip_history(*q)
    for r in rev[:5]:
        conn.who_used_ip(r.ip, r.port, r.at, TOLERANCE)
    f_ms, f_rows = zip(
        *[(lambda m: (m[0], len(m[1])))(_time(lambda q=q: conn.ip_history(*q))) for q in fwd[5:]], strict=True
    )
    r_ms, r_rows = zip(
        *[
            (lambda m: (m[0], len(m[1])))(_time(lambda r=r: conn.who_used_ip(r.ip, r.port, r.at, TOLERANCE)))
            for r in rev[5:]
        ],
        strict=True,
    )
    res["forward_warm_ms"] = statistics.median(f_ms)
    res["forward_rows_avg"] = statistics.mean(f_rows)
    res["reverse_warm_ms"] = statistics.median(r_ms)
    res["reverse_rows_avg"] = statistics.mean(r_rows)
    # Ibis build+compile share: compile the same expressions without executing them
    comp = []
    for account, window in (fwd[5:25] if hasattr(conn, "con") else []):  # not for bare SQL
        e = conn.t["events_by_account"]
        t = time.perf_counter()
        expr = e.filter(e.account_id == account, e.ts >= window.start, e.ts < window.end).order_by(
            [e.ts, e.ip, e.port, e.app]
        )
        conn.con.compile(expr)
        comp.append((time.perf_counter() - t) * 1000)
    res["ibis_compile_ms"] = statistics.median(comp) if comp else None
    batch_ms = []
    for _ in range(3):
        queries = work.batch()
        ms, matches = _time(lambda queries=queries: conn.who_used_ip_batch(queries, TOLERANCE))
        batch_ms.append(ms)
        res["batch_matched_queries"] = len({m.query_index for m in matches})
    res["batch_warm_ms"] = statistics.median(batch_ms)
    if cold:
        cf, cr = [], []
        dropped = True
        for i in range(COLD_QUERIES):
            dropped &= drop_os_cache()
            c = make()
            cf.append(_time(lambda c=c, i=i: c.ip_history(*fwd[i]))[0])
            dropped &= drop_os_cache()
            c = make()
            r = rev[i]
            cr.append(_time(lambda c=c, r=r: c.who_used_ip(r.ip, r.port, r.at, TOLERANCE))[0])
        res["forward_cold_ms"] = statistics.median(cf)
        res["reverse_cold_ms"] = statistics.median(cr)
        res["os_cache_dropped"] = dropped
        drop_os_cache()
        c = make()
        q = work.batch()
        res["batch_cold_ms"] = _time(lambda: c.who_used_ip_batch(q, TOLERANCE))[0]
    return res


def machine() -> dict[str, str]:
    """What the numbers were measured on."""
    model = "?"
    for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
        if line.startswith("Model name"):
            model = line.split(":", 1)[1].strip()
    mem = Path("/proc/meminfo").read_text().split()[1]
    return {
        "cpus": str(os.cpu_count()),
        "cpu": model,
        "ram_gib": f"{int(mem) / 1024 / 1024:.0f}",
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        # other work on the shared machine shows up here; compare runs with care
        "load_avg_1m": f"{os.getloadavg()[0]:.1f}",
    }


def run_size(size: int, with_pg: bool, reuse_pg: bool) -> dict[str, Any]:
    """All engines at one size."""
    data = ensure_dataset(size)
    manifest = json.loads((data / "manifest.json").read_text())
    unsorted = ensure_unsorted(data)
    work = Workload(data, manifest["params"]["accounts"])
    out: dict[str, Any] = {"size": size, "events": manifest["rows"]["events"], "engines": {}}
    sorted_bytes = _dir_size(data / "events_by_account") + _dir_size(data / "events_by_ip")
    print(f"[{_label(size)}] duckdb sorted", flush=True)
    out["engines"]["duckdb_sorted"] = measure(lambda: duckdb_connector(data), work) | {"bytes": sorted_bytes}
    print(f"[{_label(size)}] duckdb unsorted", flush=True)
    work = Workload(data, manifest["params"]["accounts"])
    # every unsorted lookup is a full scan (~1 s at 10^8), so fewer of them there
    n_unsorted = 20 if size >= 10**8 else WARM_QUERIES
    unsorted_make = lambda: unsorted_connector(data, unsorted)  # noqa: E731
    out["engines"]["duckdb_unsorted"] = measure(unsorted_make, work, n=n_unsorted) | {
        "bytes": _dir_size(unsorted)
    }
    if with_pg:
        print(f"[{_label(size)}] postgres load", flush=True)
        dsn, load_s = ensure_pg(data, size, reuse_pg)
        work = Workload(data, manifest["params"]["accounts"])
        print(f"[{_label(size)}] postgres", flush=True)
        out["engines"]["postgres"] = measure(lambda: postgres_connector(dsn), work) | {
            "bytes": pg_size(dsn),
            "load_s": load_s,
        }
    out["machine"] = machine()
    (BENCH_DIR / f"lookups-{_label(size)}.json").write_text(json.dumps(out, indent=2))
    return out


def table(results: list[dict[str, Any]]) -> str:
    """The Markdown table of all measured sizes."""
    lines = [
        "| events | engine | fwd warm p50 | fwd cold p50 | rev warm p50 | rev cold p50 "
        "| 10⁴ batch warm | 10⁴ batch cold | Ibis compile | on disk |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        for name, e in r["engines"].items():
            lines.append(
                f"| {r['events']:,} | {name} | {e['forward_warm_ms']:.1f} ms | "
                f"{e.get('forward_cold_ms', float('nan')):.1f} ms | {e['reverse_warm_ms']:.1f} ms | "
                f"{e.get('reverse_cold_ms', float('nan')):.1f} ms | {e['batch_warm_ms']:.0f} ms | "
                f"{e.get('batch_cold_ms', float('nan')):.0f} ms | {e['ibis_compile_ms']:.1f} ms | "
                f"{e['bytes'] / 1e6:,.0f} MB |"
            )
    return "\n".join(lines)


def main() -> None:
    """Run the benchmark for the sizes given."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1e6,1e7")
    parser.add_argument("--skip-pg-sizes", default="", help="sizes to run without PostgreSQL")
    parser.add_argument("--reuse-pg", action="store_true", help="keep an already loaded database")
    args = parser.parse_args()
    sizes = [int(float(s)) for s in args.sizes.split(",") if s]
    skip = {int(float(s)) for s in args.skip_pg_sizes.split(",") if s}
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    results = []
    for size in sizes:
        results.append(run_size(size, size not in skip, args.reuse_pg))
        print(table(results), flush=True)
    all_results = [json.loads(p.read_text()) for p in sorted(BENCH_DIR.glob("lookups-e*.json"))]
    (BENCH_DIR / "lookups.md").write_text(table(all_results) + "\n")
    print(json.dumps(results[-1]["machine"]))


if __name__ == "__main__":
    main()
