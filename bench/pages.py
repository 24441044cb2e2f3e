"""Page cost as history grows (issue 18, item 3): desk queue, officer dashboard, audit page and
the public transparency page.

Usage::

    .venv/bin/python -m bench.pages --engines sqlite,postgres --sizes 1e2,1e3,1e4,1e5

One database per engine (``var/bench/pages/sqlite.sqlite3``, PostgreSQL ``lawdesk_bench_pages``,
both recreated): migrated, demo-seeded, then grown size by size. At each size the database
holds ``size`` cases of the first demo agency (the officer's), of which a fixed 50 are open and
the rest closed or refused — the shape of a desk years into service — and 3 audit events per
case (synthetic rows, numbered after the demo's chain; the pages read them, nothing verifies
them); the transparency log holds ``size`` leaves over 8 quarters and 5 countries, published at
a signed checkpoint. Each page is fetched through Django's test client by a user signed in
through the real login (password + TOTP; the public page by an anonymous visitor): 3 warm-up
requests, then ``--runs`` timed ones; p50 and the number of SQL queries per request.
Target: p50 at the largest size <= 1.5 times the p50 at the smallest.
Results: ``var/bench/pages.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "var" / "bench"
PAGES = {"desk queue": ("reviewer@platform.example", "/desk/"),
         "officer dashboard": ("claire.dubois@police-nationale.example", "/portal/"),
         "audit page": ("auditor@platform.example", "/desk/audit/"),
         # no one signed in; the figures of ``size`` closed cases, published at a checkpoint
         "public transparency page": ("", "/transparency/")}
OPEN = 50
TARGET = 1.5
KIND = """'{"kind": "system"}'"""
PARAMS = """'{"n": ' || CAST(g.n AS TEXT) || '}'"""


def _setup(url: str) -> None:
    home = OUT / "pages" / "home"
    home.mkdir(parents=True, exist_ok=True)
    os.environ.update({"LAWDESK_MODE": "test", "LAWDESK_HOME": str(home), "DATABASE_URL": url,
                       "DJANGO_SETTINGS_MODULE": "lawdesk.settings"})
    sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
    import django

    django.setup()


def _grow(size: int) -> None:
    """Bring the officer's agency to ``size`` cases (OPEN of them open) and 3 events per case.

    Set-based: one ``INSERT … SELECT`` over a numbered series copies the agency's first case
    (and writes the synthetic audit rows) inside the database, so 10^6 cases take seconds, not
    the hour that building model instances in Python took."""
    from django.db import connection, transaction

    from lawdesk.accounts.models import User
    from lawdesk.audit.models import ChainHead
    from lawdesk.cases.models import Case

    officer = User.objects.get(email=PAGES["officer dashboard"][0]).officer
    mine = Case.objects.filter(agency_id=officer.agency_id)
    template = mine.order_by("pk").first()
    assert template is not None
    have, have_open = mine.count(), mine.filter(status="received").count()
    opening = max(0, OPEN - have_open)
    pg = connection.vendor == "postgresql"
    series = ("SELECT n FROM generate_series(%s, %s) AS g(n)" if pg else
              "WITH RECURSIVE g(n) AS (SELECT %s UNION ALL SELECT n + 1 FROM g WHERE n < %s) "
              "SELECT n FROM g")
    columns = [f.column for f in Case._meta.concrete_fields if not f.primary_key]
    made = {
        "number": f"'B{size}-' || CAST(g.n AS TEXT)",
        "status": (f"CASE WHEN g.n < {have + opening} THEN 'received' "
                   "WHEN g.n %% 4 <> 0 THEN 'closed' ELSE 'refused' END"),
        "received_at": ("t.received_at - g.n * INTERVAL '1 minute'" if pg else
                        "strftime('%%Y-%%m-%%d %%H:%%M:%%f', t.received_at, '-' || g.n || ' minutes')"),
    }
    select = ", ".join(made.get(c, f"t.{connection.ops.quote_name(c)}") for c in columns)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with transaction.atomic(), connection.cursor() as cursor:
        if size > have:
            cursor.execute(f"INSERT INTO cases_case ({names}) SELECT {select} "
                           f"FROM ({series}) AS g, cases_case AS t WHERE t.id = %s",
                           [have, size - 1, template.pk])
        head = ChainHead.objects.select_for_update().get(id=1)
        cursor.execute("SELECT COALESCE(MAX(seq), 0) FROM audit_event")
        seq, target = cursor.fetchone()[0], 3 * size
        if target > seq:
            hexed = "lpad(to_hex({}), 64, '0')" if pg else "printf('%%064x', {})"
            as_json = "CAST({} AS jsonb)" if pg else "{}"
            cursor.execute(
                "INSERT INTO audit_event (seq, at, actor_id, actor, action, target_type, target_id, "
                "params, ip, user_agent, prev_hash, hash) "
                f"SELECT g.n, %s, NULL, {as_json.format(KIND)}, 'bench:history:row', 'cases.case', "
                f"CAST(g.n AS TEXT), {as_json.format(PARAMS)}, NULL, '', "
                f"{hexed.format('g.n - 1')}, {hexed.format('g.n')} FROM ({series}) AS g",
                [template.received_at, seq + 1, target])
            seq = target
        head.seq, head.hash = seq, f"{seq:064x}"
        head.save()
    _grow_log(size)
    if pg:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _grow_log(size: int, chunk: int = 50_000) -> None:
    """Bring the transparency log to ``size`` leaves (closed cases of 2024-2025 in five countries,
    with their tree nodes and count tables, as ``bench.transparency_verify`` stores them), then
    sign a checkpoint, which publishes the periods' figures as the worker's clock would."""
    import random

    from bench.transparency_verify import add_leaves
    from lawdesk.core.clock import utcnow
    from lawdesk.transparency.models import LogHead
    from lawdesk.transparency.services import publish_checkpoint

    rng = random.Random(size)
    head = LogHead.objects.filter(id=1).first()
    have = head.size if head else 0
    while have < size:
        n = min(chunk, size - have)
        add_leaves(have, n, rng)
        have += n
    publish_checkpoint(now=utcnow())


_CLIENTS: dict[str, Any] = {}


def _client(email: str) -> Any:
    """One signed-in client per user for the whole run (a TOTP code is accepted only once)."""
    if email in _CLIENTS:
        return _CLIENTS[email]
    from django.test import Client

    if not email:
        _CLIENTS[email] = Client()
        return _CLIENTS[email]
    from tests.support import fresh_totp_code

    from lawdesk.accounts.models import User
    from lawdesk.demo.seed import DEMO_PASSWORD, totp_secret

    client = Client()
    response = client.post("/accounts/login/", {"login": email, "password": DEMO_PASSWORD})
    if response["Location"].startswith("/accounts/2fa/authenticate"):
        code = fresh_totp_code(totp_secret(User.objects.get(email=email)), margin=3)
        client.post("/accounts/2fa/authenticate/", {"code": code})
    _CLIENTS[email] = client
    return client


def _measure(runs: int) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    result = {}
    for name, (email, path) in PAGES.items():
        client = _client(email)
        for _ in range(3):
            warm = client.get(path)
            assert warm.status_code == 200, (name, path, warm.status_code, warm.content[-3000:])
        times, queries = [], 0
        for _ in range(runs):
            with CaptureQueriesContext(connection) as ctx:
                t0 = time.perf_counter()
                response = client.get(path)
                times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200
            queries = len(ctx.captured_queries)
        result[name] = {"p50_ms": round(statistics.median(times), 1), "queries": queries}
    return result


def _engine(engine: str, sizes: list[int], runs: int, pg: str) -> dict[str, Any]:
    from django.core.management import call_command

    from lawdesk.demo.seed import seed

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    seed(with_cases=True, with_history=False)
    out: dict[str, Any] = {}
    for size in sizes:
        t0 = time.perf_counter()
        _grow(size)
        grow_s = time.perf_counter() - t0
        out[str(size)] = {**_measure(runs), "grow_s": round(grow_s, 1), "load": os.getloadavg()[0]}
        print(engine, size, out[str(size)], flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--sizes", default="1e2,1e3,1e4,1e5,1e6")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--pg", default="postgres://postgres:postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--child", default="")
    args = parser.parse_args()
    sizes = [int(float(s)) for s in args.sizes.split(",")]
    if args.child:
        engine, url = args.child.split("=", 1)
        _setup(url)
        result = _engine(engine, sizes, args.runs, args.pg)
        (OUT / f"pages-{engine}.json").write_text(json.dumps(result, indent=1))
        return
    (OUT / "pages").mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {"uptime_start": subprocess.run(["uptime"], capture_output=True,
                                                             text=True).stdout.strip()}
    for engine in args.engines.split(","):
        if engine == "sqlite":
            db = OUT / "pages" / "sqlite.sqlite3"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
            url = f"sqlite:///{db}"
        else:
            import psycopg

            p = urlparse(args.pg)
            with psycopg.connect(args.pg, autocommit=True) as conn:
                conn.execute("DROP DATABASE IF EXISTS lawdesk_bench_pages")
                conn.execute("CREATE DATABASE lawdesk_bench_pages")
            url = p._replace(path="/lawdesk_bench_pages").geturl()
        subprocess.run([sys.executable, "-m", "bench.pages", "--child", f"{engine}={url}",
                        "--sizes", args.sizes, "--runs", str(args.runs)], check=True, cwd=ROOT)
        report[engine] = json.loads((OUT / f"pages-{engine}.json").read_text())
    report["uptime_end"] = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    (OUT / "pages.json").write_text(json.dumps(report, indent=1))
    print(json.dumps(report, indent=1))
    failures = verdict(report)
    print("\n".join(failures) or f"every page within {TARGET}x from the smallest to the largest size, "
          "with the same number of queries")
    if failures:
        raise SystemExit(1)


def verdict(report: dict[str, Any]) -> list[str]:
    """The documented target, checked: p50 at the largest size <= TARGET x p50 at the smallest,
    and the same number of SQL queries at every size. Prints the ratios; returns the failures."""
    failures = []
    for engine, sizes in report.items():
        if not isinstance(sizes, dict):
            continue
        ordered = sorted(sizes, key=int)
        small, large = sizes[ordered[0]], sizes[ordered[-1]]
        for page in PAGES:
            if page not in small:
                continue
            ratio = large[page]["p50_ms"] / small[page]["p50_ms"]
            queries = {sizes[n][page]["queries"] for n in ordered}
            print(f"{engine:10} {page:26} {small[page]['p50_ms']:7.1f} -> {large[page]['p50_ms']:7.1f} ms"
                  f"  x{ratio:.2f}  queries {sorted(queries)}")
            if ratio > TARGET:
                failures.append(f"{engine} {page}: p50 grew {ratio:.2f}x from {ordered[0]} to "
                                f"{ordered[-1]} cases")
            if len(queries) > 1:
                failures.append(f"{engine} {page}: the number of queries changed with size: "
                                f"{sorted(queries)}")
    return failures


if __name__ == "__main__":
    main()
