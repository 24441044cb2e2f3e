"""Audit trail benchmark (issue 18, item 2): verification speed, record() cost, concurrent writers.

Usage::

    .venv/bin/python -m bench.audit --engines sqlite,postgres --events 1000000
    .venv/bin/python -m bench.audit --only verify --events 100000        # one part

Each measurement runs in a fresh child process (its peak RSS is its own), against a database
of its own: ``var/bench/audit/<engine>-<events>.sqlite3`` or the PostgreSQL database
``lawdesk_bench_audit_<events>`` (``--pg`` for the server). The chain is filled with synthetic
events (a pool of actor snapshots, varied parameters) hashed by ``lawdesk.audit.hashing`` and
inserted by ``executemany`` — the same rows ``record()`` would write, much faster.

Parts:

* ``verify``: ``verify_chain()`` with 1 and 2 worker processes against, in the same run, (a)
  the verifier as it was before issue 18 (ORM iteration + ``json.dumps(sort_keys=True)`` per
  event, kept below as ``legacy_verify``) and (b) the floor: sha256 of the same canonical
  bytes, already in memory.
* ``record``: ``record()`` N times inside ONE transaction, cost per event for N = 1000…8000.
* ``writers``: 1, 4 and 16 writer processes, each appending one event per transaction (as
  requests do) for ``--seconds``; events/s committed.

Results go to ``var/bench/audit.json`` and ``var/bench/audit.md``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing as mp
import os
import platform
import random
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "var" / "bench"
BASE = datetime(2026, 1, 1, tzinfo=UTC)


# --- environment -------------------------------------------------------------------------------

def _db_url(engine: str, events: int, pg: str) -> str:
    if engine == "sqlite":
        return f"sqlite:///{OUT / 'audit' / f'sqlite-{events}.sqlite3'}"
    p = urlparse(pg)
    return p._replace(path=f"/lawdesk_bench_audit_{events}").geturl()


def _env(url: str) -> dict[str, str]:
    home = OUT / "audit" / "home"
    home.mkdir(parents=True, exist_ok=True)
    return {**os.environ, "LAWDESK_MODE": "test", "LAWDESK_HOME": str(home), "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "lawdesk.settings",
            "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}


def _django(url: str) -> None:
    os.environ.update(_env(url))
    sys.path[:0] = [str(ROOT / "src"), str(ROOT)]  # this tree, not the editable install's
    import django

    django.setup()
    import lawdesk

    assert Path(lawdesk.__file__).is_relative_to(ROOT), lawdesk.__file__


class _RssPeak:
    """Samples this process's RSS every 10 ms; ``take()`` returns the peak since the last take."""

    def __init__(self) -> None:
        self._peak = 0
        self._page = os.sysconf("SC_PAGE_SIZE")
        threading.Thread(target=self._loop, daemon=True).start()

    def _loop(self) -> None:
        while True:
            with open("/proc/self/statm") as fh:
                self._peak = max(self._peak, int(fh.read().split()[1]) * self._page)
            time.sleep(0.01)

    def take(self) -> float:
        peak, self._peak = self._peak, 0
        return peak / 1e6


# --- filling the chain -------------------------------------------------------------------------

def _actors(rng: random.Random) -> list[tuple[int | None, dict[str, Any]]]:
    actors: list[tuple[int | None, dict[str, Any]]] = [(None, {"kind": "system"}),
                                                       (None, {"kind": "anonymous"})]
    for i in range(40):
        actors.append((100 + i, {"kind": "user", "email": f"officer{i}@agency{i % 7}.example",
                                 "name": f"Officer Nº{i} Ærøskøbing", "roles": sorted(rng.sample(
                                     ["agency_officer", "reviewer", "approver", "auditor"], 2)),
                                 "agency_id": i % 7, "agency": f"Agence {i % 7} — Police nationale"}))
    return actors


def _synthetic(n: int, start: int = 1) -> Any:
    rng = random.Random(18)
    actors = _actors(rng)
    actions = ["cases:case:viewed", "audit:trail:viewed", "cases:case:received", "cases:case:approved",
               "accounts:officer:signed_in", "collection:package:delivered"]
    for seq in range(start, start + n):
        actor_id, actor = actors[rng.randrange(len(actors))]
        action = actions[rng.randrange(len(actions))]
        params: dict[str, Any]
        kind = seq % 4
        if kind == 0:
            params = {"filter": "", "page": rng.randrange(1, 50)}
        elif kind == 1:
            params = {"reference": f"LR-2026-{seq:07d}", "status": "in_review", "note": "vérifié ✓"}
        elif kind == 2:
            params = {}
        else:
            params = {"identifiers": [f"acct-{rng.randrange(10**6)}" for _ in range(3)],
                      "rows": rng.randrange(10**5), "window": {"from": "2026-01-01", "to": "2026-03-31"}}
        yield {"seq": seq, "at": BASE + timedelta(seconds=seq, microseconds=seq % 1000 * 7),
               "actor_id": actor_id, "actor": actor, "action": action,
               "target_type": "cases.case" if seq % 2 else "", "target_id": str(seq // 3) if seq % 2 else "",
               "params": params, "ip": f"203.0.113.{seq % 250}" if seq % 3 else None,
               "user_agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/145.0" if seq % 3 else ""}


def _fill(url: str, events: int) -> dict[str, Any]:
    """Migrate and fill the database with ``events`` chained events (reused when already there)."""
    _django(url)
    from django.core.management import call_command
    from django.db import connection, transaction

    from lawdesk.audit.hashing import GENESIS_HASH, event_hash
    from lawdesk.audit.models import ChainHead

    call_command("migrate", verbosity=0)
    head = ChainHead.objects.get(id=1)
    if events < 0 or head.seq == events:  # < 0: the writers' database, only migrated
        return {"filled": False}
    if head.seq != 0:
        raise SystemExit(f"{url} holds {head.seq} events, not {events}: remove it first")
    t0 = time.perf_counter()
    prev = GENESIS_HASH
    cols = ("seq", "at", "actor_id", "actor", "action", "target_type", "target_id", "params", "ip",
            "user_agent", "prev_hash", "hash")
    sql = f"INSERT INTO audit_event ({', '.join(cols)}) VALUES ({', '.join(['%s'] * len(cols))})"
    batch: list[tuple[Any, ...]] = []
    sqlite = connection.vendor == "sqlite"
    with transaction.atomic(), connection.cursor() as cursor:
        for fields in _synthetic(events):
            digest = event_hash(**fields, prev_hash=prev)
            at = fields["at"].replace(tzinfo=None) if sqlite else fields["at"]
            batch.append((fields["seq"], str(at) if sqlite else at, fields["actor_id"],
                          json.dumps(fields["actor"]), fields["action"], fields["target_type"],
                          fields["target_id"], json.dumps(fields["params"]), fields["ip"],
                          fields["user_agent"], prev, digest))
            prev = digest
            if len(batch) == 10_000:
                cursor.executemany(sql, batch)
                batch.clear()
        if batch:
            cursor.executemany(sql, batch)
        ChainHead.objects.filter(id=1).update(seq=events, hash=prev)
    if not sqlite:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE audit_event")
    return {"filled": True, "fill_s": round(time.perf_counter() - t0, 1)}


# --- the verifier before issue 18 (the baseline) -----------------------------------------------

def legacy_verify() -> tuple[int, str]:
    """The pre-issue-18 loop: ORM iteration and json.dumps(sort_keys=True) per event."""
    from lawdesk.audit.hashing import GENESIS_HASH, canonical_time
    from lawdesk.audit.models import Event

    expected, prev = 1, GENESIS_HASH
    for event in Event.objects.order_by("seq").iterator(chunk_size=5000):
        assert event.seq == expected and event.prev_hash == prev
        document = {"seq": event.seq, "at": canonical_time(event.at), "actor_id": event.actor_id,
                    "actor": event.actor, "action": event.action, "target_type": event.target_type,
                    "target_id": event.target_id, "params": event.params, "ip": event.ip,
                    "user_agent": event.user_agent, "prev_hash": event.prev_hash}
        encoded = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        digest = hashlib.sha256(encoded.encode("utf-8")).hexdigest()
        assert digest == event.hash, event.seq
        expected, prev = expected + 1, digest
    return expected - 1, prev


def _child_verify(url: str, which: str, queue: Any) -> None:
    _django(url)
    rss = _RssPeak()
    time.sleep(0.05)
    rss.take()
    if which == "sha256_floor":
        from lawdesk.audit.hashing import GENESIS_HASH

        payloads = []
        n = int(os.environ["BENCH_EVENTS"])
        prev = GENESIS_HASH
        for fields in _synthetic(n):
            document = {**fields, "at": fields["at"].strftime("%Y-%m-%dT%H:%M:%S.%fZ"), "prev_hash": prev}
            payloads.append(json.dumps(document, sort_keys=True, separators=(",", ":"),
                                       ensure_ascii=False).encode("utf-8"))
            prev = "0" * 64
        t0, c0 = time.perf_counter(), time.process_time()
        for p in payloads:
            hashlib.sha256(p).hexdigest()
        elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
        queue.put({"which": which, "seconds": elapsed, "cpu_seconds": cpu, "events": n, "rss_peak_mb": None})
        return
    t0, c0 = time.perf_counter(), time.process_time()
    if which == "legacy":
        length, head = legacy_verify()
    else:
        from lawdesk.audit.verify import verify_chain

        # verify_chain_2w: the chain cut into ranges checked by 2 worker processes (issue 18)
        report = verify_chain(workers=2 if which == "verify_chain_2w" else 1)
        assert report.intact, report.problem
        length, head = report.length, report.head_hash
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    queue.put({"which": which, "seconds": elapsed, "cpu_seconds": cpu, "events": length, "head": head,
               "rss_peak_mb": round(rss.take(), 1)})


# --- record() inside one transaction and concurrent writers ------------------------------------

def _child_record(url: str, sizes: list[int], queue: Any) -> None:
    _django(url)
    from django.db import transaction

    from lawdesk.audit.actions import Action
    from lawdesk.audit.services import record

    results = []
    for size in sizes:
        marks = []
        with transaction.atomic():
            t0 = time.perf_counter()
            for i in range(size):
                record(Action.TRAIL_VIEWED, params={"i": i}, now=BASE)
                if (i + 1) % 1000 == 0:
                    marks.append(time.perf_counter())
            t_end = time.perf_counter()
            transaction.set_rollback(True)
        # seconds per 1000 events = milliseconds per event
        per_k = [round(b - a, 3) for a, b in zip([t0, *marks[:-1]], marks, strict=True)]
        results.append({"size": size, "ms_per_event_total": round((t_end - t0) * 1000 / size, 3),
                        "ms_per_event_by_1000": per_k})
    queue.put(results)


def _writer(url: str, seconds: float, barrier: Any, queue: Any) -> None:
    _django(url)
    from django.db import connection

    from lawdesk.audit.actions import Action
    from lawdesk.audit.services import record

    record(Action.TRAIL_VIEWED, params={"pid": os.getpid()})  # connected and warm
    barrier.wait()  # every writer starts together, however long the others took to set up
    n, lat = 0, []
    end = time.time() + seconds
    while time.time() < end:
        t = time.perf_counter()
        record(Action.TRAIL_VIEWED, params={"pid": os.getpid(), "n": n})
        lat.append(time.perf_counter() - t)
        n += 1
    connection.close()
    queue.put((n, lat))


def _writers(url: str, count: int, seconds: float) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    barrier = ctx.Barrier(count)
    procs = [ctx.Process(target=_writer, args=(url, seconds, barrier, queue)) for _ in range(count)]
    for p in procs:
        p.start()
    got = [queue.get() for _ in procs]
    for p in procs:
        p.join()
    total = sum(n for n, _ in got)
    lat = sorted(x for _, ls in got for x in ls)
    return {"writers": count, "events": total, "events_per_s": round(total / seconds),
            "p50_ms": round(lat[len(lat) // 2] * 1000, 2),
            "p99_ms": round(lat[int(len(lat) * 0.99)] * 1000, 2)}


# --- driver ------------------------------------------------------------------------------------

def _spawn(target: Any, *args: Any) -> Any:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=target, args=(*args, queue))
    proc.start()
    result = queue.get()
    proc.join()
    return result


def _machine() -> dict[str, Any]:
    return {"cpus": os.cpu_count(), "python": platform.python_version(),
            "load_start": os.getloadavg()[0],
            "uptime": subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()}


def _ensure_pg_db(pg: str, url: str) -> None:
    import psycopg

    name = urlparse(url).path.lstrip("/")
    p = urlparse(pg)
    with psycopg.connect(host=p.hostname, port=p.port or 5432, user=p.username, password=p.password,
                         dbname="postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--events", type=float, default=1e6)
    parser.add_argument("--only", default="verify,record,writers")
    parser.add_argument("--runs", type=int, default=3, help="runs of each verifier (interleaved)")
    parser.add_argument("--verifiers", default="legacy,verify_chain,verify_chain_2w,sha256_floor",
                        help="which verifiers to time (verify_chain_2w: 2 worker processes)")
    parser.add_argument("--record-sizes", default="1000,2000,4000,8000")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--writers", default="1,4,16")
    parser.add_argument("--pg", default=os.environ.get("BENCH_PG", "postgres://postgres:postgres@127.0.0.1:5432/postgres"))
    args = parser.parse_args()
    events = int(args.events)
    os.environ["BENCH_EVENTS"] = str(events)
    (OUT / "audit").mkdir(parents=True, exist_ok=True)
    parts = set(args.only.split(","))
    report: dict[str, Any] = {"machine": _machine(), "events": events, "engines": {}}
    for engine in args.engines.split(","):
        url = _db_url(engine, events, args.pg)
        if engine == "postgres":
            _ensure_pg_db(args.pg, url)
        res: dict[str, Any] = {"load_start": os.getloadavg()[0]}
        res["fill"] = _spawn(_fill_child, url, events)
        if "verify" in parts:
            runs: dict[str, list[dict[str, Any]]] = {v: [] for v in args.verifiers.split(",")}
            for _ in range(args.runs):
                for which in runs:
                    r = _spawn(_child_verify, url, which)
                    r["load_1min"] = os.getloadavg()[0]
                    runs[which].append(r)
                    print(engine, which, r, flush=True)
            res["verify"] = runs
        if "record" in parts:
            sizes = [int(s) for s in args.record_sizes.split(",")]
            res["record"] = _spawn(_child_record, url, sizes)
            print(engine, "record", res["record"], flush=True)
        if "writers" in parts:
            wurl = _db_url(engine, -1, args.pg).replace("_-1", "_writers").replace("--1", "-writers")
            if engine == "postgres":
                _ensure_pg_db(args.pg, wurl)
            _spawn(_fill_child, wurl, -1)
            res["writers"] = [_writers(wurl, int(c), args.seconds) for c in args.writers.split(",")]
            print(engine, "writers", res["writers"], flush=True)
        res["load_end"] = os.getloadavg()[0]
        report["engines"][engine] = res
    report["machine"]["uptime_end"] = subprocess.run(["uptime"], capture_output=True,
                                                     text=True).stdout.strip()
    name = "audit-" + "-".join(sorted(parts)) + f"-{events}"
    (OUT / f"{name}.json").write_text(json.dumps(report, indent=1))
    print(json.dumps(report["machine"]))
    print(f"wrote {OUT / (name + '.json')}")
    sys.stdout.flush()


def _fill_child(url: str, events: int, queue: Any) -> None:
    queue.put(_fill(url, events))


if __name__ == "__main__":
    main()
