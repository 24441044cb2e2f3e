"""Load test (issue 8, part 5): officers submitting and polling while staff work the queue.

Sets up a fresh PostgreSQL database, seeds ``--officers`` officers with API tokens and a
signed-in reviewer, starts ``lawdesk serve --workers K`` and ``--db-workers`` background
workers, then drives load from a **separate process** on loopback, one step per target rate:

* officers ``POST /api/v1/requests`` (multipart: JSON + a PDF), ``GET /api/v1/requests`` and
  ``GET /api/v1/requests/{id}`` of their own cases;
* a reviewer ``GET /desk/`` (the queue) and ``GET /desk/cases/{id}/`` with a session cookie.

Each step reports the achieved requests per second and p50/p95/p99 per endpoint; the series
stops after the first step whose p99 is over ``--p99-ms`` (500 ms). Afterwards every ``201``
is checked: its case, its receipt (same SHA-256) and its ``cases:case:received`` audit event.

    .venv/bin/python -m bench.load                       # the step series (a few minutes)
    .venv/bin/python -m bench.load --rates 5 --duration 5 --officers 5   # a smoke run

Only 127.0.0.1 is contacted. Results go to ``var/bench/load.json`` and ``var/bench/load.md``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "var" / "bench"
PDF = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
       b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
# Endpoint mix: (name, weight). Officers poll more than they submit; staff read the queue.
MIX = [("submit", 2), ("list", 4), ("detail", 3), ("desk_queue", 1), ("desk_case", 1)]

SEED_SCRIPT = r"""
import json, sys
import django; django.setup()
from allauth.account.models import EmailAddress
from django.test import Client
from lawdesk.accounts import services
from lawdesk.accounts.models import Agency, User
from lawdesk.api.tokens import create_token
from lawdesk.core.clock import utcnow
n = int(sys.argv[1])
now = utcnow()
admin = User.objects.get(email="admin@platform.example")
agency = Agency.objects.get(name__icontains="Paris")
domain = agency.verified_domains()[0]
tokens = []
for i in range(n):
    email = f"load{i}@{domain}"
    user = User.objects.create_user(email=email, password=None, full_name=f"Load Officer {i}")
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    officer = services.register_officer(user=user, agency=agency, title="Lieutenant",
                                        supervisor_name="Chief", supervisor_email=f"chief@{domain}",
                                        now=now)
    services.answer_for_supervisor(officer=officer, confirmed=True, now=now)
    services.decide_officer(actor=admin, now=now, officer=officer, status="active",
                            reason="load test officer")
    user = User.objects.get(pk=user.pk)  # the approval, not the cached pending officer
    tokens.append(create_token(officer_user=user, name="load", now=now)[1])
client = Client()
client.force_login(User.objects.get(email="reviewer@platform.example"))
print(json.dumps({"tokens": tokens, "session": client.cookies["sessionid"].value}))
"""

CHECK_SCRIPT = r"""
import json, sys
import django; django.setup()
from lawdesk.audit.models import Event
from lawdesk.cases.models import Case
accepted = json.loads(open(sys.argv[1]).read())
cases = dict(Case.objects.values_list("pk", "receipt_sha256"))
received = set(Event.objects.filter(action="cases:case:received").values_list("target_id", flat=True))
missing_case = [a for a in accepted if a["id"] not in cases]
bad_receipt = [a for a in accepted if a["id"] in cases and cases[a["id"]] != a["receipt_sha256"]]
missing_event = [a for a in accepted if str(a["id"]) not in received]
print(json.dumps({"accepted": len(accepted), "cases": len(cases), "missing_case": len(missing_case),
                  "bad_receipt": len(bad_receipt), "missing_event": len(missing_event)}))
"""


# --- The driver (runs in its own process) ---------------------------------------------------

def _payload(n: int) -> dict[str, Any]:
    return {
        "kind": "production", "instrument_type": "epoc", "instrument_reference": f"EPOC-LOAD-{n}",
        "instrument_date": "2026-10-30", "issuer_name": "Anne Roussel", "issuer_role": "prosecutor",
        "authority_file_number": f"LOAD-{n}", "offence_category": "fraud",
        "offence_description": "Phishing campaign against bank customers (load test).",
        "max_sentence_years": 5, "user_named_as_suspect": True,
        "categories": ["subscriber", "identification"],
        "targets": [{"identifier": "+33 6 12 34 56 78"}, {"identifier": "@night_owl"}],
        "window_start": "2026-09-01T00:00:00Z", "window_end": "2026-10-01T00:00:00Z",
    }


def _multipart(n: int) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="request"\r\n'
            f"Content-Type: application/json\r\n\r\n{json.dumps(_payload(n))}\r\n"
            f'--{boundary}\r\nContent-Disposition: form-data; name="attachments"; '
            f'filename="order.pdf"\r\nContent-Type: application/pdf\r\n\r\n').encode()
    return body + PDF + f"\r\n--{boundary}--\r\n".encode(), boundary


@dataclass
class Sample:
    endpoint: str
    status: int
    ms: float


@dataclass
class VirtualUser:
    """One thread: an officer (token) or the reviewer (session), with its own connection."""

    port: int
    token: str | None
    session: str | None
    rng: random.Random
    samples: list[Sample] = field(default_factory=list)
    accepted: list[dict[str, Any]] = field(default_factory=list)
    own: list[int] = field(default_factory=list)
    conn: http.client.HTTPConnection | None = None

    def _request(self, endpoint: str, method: str, path: str, body: bytes | None = None,
                 headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        start = time.perf_counter()
        try:
            self.conn.request(method, path, body=body, headers=headers or {})
            response = self.conn.getresponse()
            data = response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = None
            status, data = 0, b""
        self.samples.append(Sample(endpoint, status, (time.perf_counter() - start) * 1000))
        return status, data

    def step(self, endpoint: str, n: int, desk_cases: list[int]) -> None:
        if self.token:
            auth = {"Authorization": f"Bearer {self.token}"}
            if endpoint == "submit" or (endpoint == "detail" and not self.own):
                body, boundary = _multipart(n)
                status, data = self._request("submit", "POST", "/api/v1/requests", body, {
                    **auth, "Content-Type": f"multipart/form-data; boundary={boundary}"})
                if status == 201:
                    receipt = json.loads(data)
                    self.accepted.append({"id": receipt["id"],
                                          "receipt_sha256": receipt["receipt_sha256"]})
                    self.own.append(receipt["id"])
                    desk_cases.append(receipt["id"])
            elif endpoint == "list":
                self._request("list", "GET", "/api/v1/requests?page=1", headers=auth)
            else:
                self._request("detail", "GET", f"/api/v1/requests/{self.rng.choice(self.own)}",
                              headers=auth)
        else:
            cookie = {"Cookie": f"sessionid={self.session}"}
            if endpoint == "desk_case" and desk_cases:
                self._request("desk_case", "GET", f"/desk/cases/{self.rng.choice(desk_cases)}/",
                              headers=cookie)
            else:
                self._request("desk_queue", "GET", "/desk/", headers=cookie)


def drive(port: int, tokens: list[str], session: str, rate: float, duration: float,
          threads: int, seed: int) -> dict[str, Any]:
    """Open-loop-ish load: ``threads`` users, each pacing its requests so that together they
    aim at ``rate`` requests per second; a user that falls behind sends as fast as it can."""

    users = [VirtualUser(port, tokens[i % len(tokens)], None, random.Random(seed + i))
             for i in range(threads - 1)]
    users.append(VirtualUser(port, None, session, random.Random(seed - 1)))  # the reviewer
    desk_cases: list[int] = []
    officer_mix = [(e, w) for e, w in MIX if not e.startswith("desk")]
    staff_share = sum(w for e, w in MIX if e.startswith("desk")) / sum(w for _, w in MIX)
    counter = iter(range(10**9))
    stop_at = time.monotonic() + duration
    lock = threading.Lock()

    def loop(user: VirtualUser) -> None:
        share = staff_share if user.session else (1 - staff_share) / (threads - 1)
        interval = 1.0 / max(rate * share, 1e-6)
        next_at = time.monotonic() + user.rng.uniform(0, interval)
        while True:
            now = time.monotonic()
            if now >= stop_at:
                return
            if next_at > now:
                time.sleep(min(next_at - now, stop_at - now))
                continue
            next_at += interval * user.rng.uniform(0.5, 1.5)
            with lock:
                n = next(counter)
            if user.session:
                endpoint = user.rng.choice(["desk_queue", "desk_case"])
            else:
                endpoint = user.rng.choices([e for e, _ in officer_mix],
                                            [w for _, w in officer_mix])[0]
            user.step(endpoint, n, desk_cases)

    workers = [threading.Thread(target=loop, args=(u,)) for u in users]
    started = time.monotonic()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.monotonic() - started
    samples = [s for u in users for s in u.samples]
    return {"target_rate": rate, "elapsed": elapsed, "threads": threads,
            "samples": [(s.endpoint, s.status, round(s.ms, 2)) for s in samples],
            "accepted": [a for u in users for a in u.accepted]}


def _driver_main(argv: list[str]) -> None:
    spec = json.loads(sys.stdin.read())
    result = drive(**spec)
    Path(argv[0]).write_text(json.dumps(result))


# --- Orchestration -------------------------------------------------------------------------

def _pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def summarise(result: dict[str, Any]) -> dict[str, Any]:
    """Requests per second, errors and p50/p95/p99 per endpoint and overall."""
    rows: dict[str, dict[str, Any]] = {}
    samples = result["samples"]
    for name in [*(e for e, _ in MIX), "all"]:
        chosen = [s for s in samples if name in ("all", s[0])]
        ok = [s[2] for s in chosen if 200 <= s[1] < 300]
        rows[name] = {"count": len(chosen), "errors": sum(1 for s in chosen if not 200 <= s[1] < 300),
                      "rps": round(len(chosen) / result["elapsed"], 1),
                      "p50": round(_pct(ok, 50), 1), "p95": round(_pct(ok, 95), 1),
                      "p99": round(_pct(ok, 99), 1),
                      "mean": round(statistics.fmean(ok), 1) if ok else 0.0}
    return {"target_rate": result["target_rate"], "elapsed": round(result["elapsed"], 1),
            "endpoints": rows, "accepted": len(result["accepted"])}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _admin(url: str, sql: str) -> None:
    import psycopg

    p = urlparse(url)
    with psycopg.connect(host=p.hostname, port=p.port or 5432, user=p.username,
                         password=p.password or "", dbname="postgres", autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type,unused-ignore]


def _run(env: dict[str, str], *args: str, timeout: int = 600) -> str:
    out = subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True,
                         cwd=ROOT, timeout=timeout, check=False)
    if out.returncode:
        raise SystemExit(out.stdout + out.stderr)
    return out.stdout


def machine() -> dict[str, Any]:
    """nproc, CPU model, RAM, PostgreSQL and Python versions."""
    model = next((line.split(":", 1)[1].strip() for line in
                  Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
    return {"nproc": os.cpu_count(), "cpu": model, "ram_gb": round(mem_kb / 1024 / 1024, 1),
            "python": platform.python_version(), "load_avg_before": os.getloadavg()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--rates", default="10,20,40,60,80,100",
                        help="target requests per second, one step each")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds per step")
    parser.add_argument("--officers", type=int, default=20)
    parser.add_argument("--threads", type=int, default=24, help="driver threads (users)")
    parser.add_argument("--web-workers", type=int, default=4)
    parser.add_argument("--db-workers", type=int, default=2, help="lawdesk worker processes")
    parser.add_argument("--p99-ms", type=float, default=500.0)
    parser.add_argument("--pg", default=os.environ.get(
        "LAWDESK_BENCH_PG", "postgres://postgres:postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--keep-going", action="store_true", help="run every step")
    parser.add_argument("--out", type=Path, default=OUT, help="directory for load.json/.md")
    parser.add_argument("--warmup", type=float, default=8.0,
                        help="seconds of light load first (every web worker imports its views)")
    args = parser.parse_args(argv)
    if urlparse(args.pg).hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("loopback PostgreSQL only")

    db = f"lawdesk_load_{os.getpid()}"
    home = Path(tempfile.mkdtemp(prefix="lawdesk-load-"))
    env = {**os.environ, "LAWDESK_HOME": str(home), "LAWDESK_MODE": "test",
           "DATABASE_URL": args.pg.rsplit("/", 1)[0] + "/" + db,
           "LAWDESK_EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
           "LAWDESK_PLATFORM_DIR": str(home / "platform"), "LAWDESK_LOG_LEVEL": "WARNING",
           "DJANGO_SETTINGS_MODULE": "lawdesk.settings", "PYTHONPATH": str(ROOT)}
    _admin(args.pg, f"DROP DATABASE IF EXISTS {db}")
    _admin(args.pg, f"CREATE DATABASE {db}")
    procs: list[subprocess.Popen[bytes]] = []
    steps: list[dict[str, Any]] = []
    try:
        _run(env, "-m", "lawdesk", "migrate")
        _run(env, "-m", "lawdesk", "demo", "seed", "--no-cases")
        seeded = json.loads(_run(env, "-c", SEED_SCRIPT, str(args.officers)).splitlines()[-1])
        port = _free_port()
        log = (home / "server.log").open("ab")
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "lawdesk.wsgi:application", "--bind",
             f"127.0.0.1:{port}", "--workers", str(args.web_workers), "--graceful-timeout", "5"],
            env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
        for _ in range(args.db_workers):
            procs.append(subprocess.Popen([sys.executable, "-m", "lawdesk", "worker"], env=env,
                                          cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                          start_new_session=True))
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/openapi.json", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit((home / "server.log").read_text()) from None
                time.sleep(0.3)
        info = machine()
        info.update(web_workers=args.web_workers, db_workers=args.db_workers,
                    officers=args.officers, threads=args.threads, duration=args.duration)
        accepted: list[dict[str, Any]] = []
        rates = [float(r) for r in args.rates.split(",")]
        for i, rate in enumerate([rates[0], *rates] if args.warmup else rates):
            warmup = bool(args.warmup) and i == 0
            spec = {"port": port, "tokens": seeded["tokens"], "session": seeded["session"],
                    "rate": rate, "duration": args.warmup if warmup else args.duration,
                    "threads": args.threads,
                    "seed": 8 + i}
            out = home / f"step{i}.json"
            subprocess.run([sys.executable, "-m", "bench.load", "--drive", str(out)],
                           input=json.dumps(spec), text=True, cwd=ROOT, check=True,
                           env={**os.environ, "PYTHONPATH": str(ROOT)})
            result = json.loads(out.read_text())
            accepted += result["accepted"]
            if warmup:
                continue
            summary = summarise(result)
            summary["load_avg_1m"] = round(os.getloadavg()[0], 2)  # the box is shared: note it
            steps.append(summary)
            total = summary["endpoints"]["all"]
            print(f"target {rate:>5.0f}/s: {total['rps']:>6.1f} req/s, p50 {total['p50']} ms, "
                  f"p95 {total['p95']} ms, p99 {total['p99']} ms, errors {total['errors']}",
                  flush=True)
            for name, e in summary["endpoints"].items():
                print(f"    {name:<11} {e['rps']:>6} req/s  p50 {e['p50']:>7}  p95 {e['p95']:>7}  "
                      f"p99 {e['p99']:>7}  errors {e['errors']}", flush=True)
            if (total["p99"] > args.p99_ms or total["errors"]) and not args.keep_going:
                break
        time.sleep(2)
        (home / "accepted.json").write_text(json.dumps(accepted))
        check = json.loads(_run(env, "-c", CHECK_SCRIPT, str(home / "accepted.json"))
                           .splitlines()[-1])
        audit = _run(env, "-m", "lawdesk", "audit", "verify").strip()
    finally:
        for proc in procs:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=20)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(proc.pid, signal.SIGKILL)
        _admin(args.pg, f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
        shutil.rmtree(home, ignore_errors=True)
    held = [s for s in steps if s["endpoints"]["all"]["p99"] <= args.p99_ms
            and not s["endpoints"]["all"]["errors"]]
    report = {"machine": info, "steps": steps, "check": check, "audit": audit,
              "highest_held": max(held, key=lambda s: s["endpoints"]["all"]["rps"]) if held else None}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "load.json").write_text(json.dumps(report, indent=2))
    (args.out / "load.md").write_text(markdown(report))
    print(markdown(report))
    ok = check["missing_case"] == check["bad_receipt"] == check["missing_event"] == 0
    return 0 if ok and "intact" in audit else 1


def markdown(report: dict[str, Any]) -> str:
    """The step series and the held step's per-endpoint table, as Markdown."""
    m = report["machine"]
    lines = [f"Machine: {m['nproc']} CPUs ({m['cpu']}), {m['ram_gb']} GB RAM, Python {m['python']};"
             f" {m['web_workers']} gunicorn workers, {m['db_workers']} lawdesk workers, "
             f"{m['officers']} officers, {m['threads']} driver threads, {m['duration']:.0f} s/step.",
             "", "| target req/s | achieved req/s | p50 ms | p95 ms | p99 ms | errors | 201s "
             "| load avg (1 min) |", "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for s in report["steps"]:
        a = s["endpoints"]["all"]
        lines.append(f"| {s['target_rate']:.0f} | {a['rps']} | {a['p50']} | {a['p95']} | "
                     f"{a['p99']} | {a['errors']} | {s['accepted']} | "
                     f"{s.get('load_avg_1m', '')} |")
    held = report["highest_held"]
    if held:
        lines += ["", f"Per endpoint at the highest step held (target {held['target_rate']:.0f}/s):",
                  "", "| endpoint | req/s | p50 ms | p95 ms | p99 ms | errors |",
                  "|---|---:|---:|---:|---:|---:|"]
        for name, e in held["endpoints"].items():
            lines.append(f"| {name} | {e['rps']} | {e['p50']} | {e['p95']} | {e['p99']} | "
                         f"{e['errors']} |")
    c = report["check"]
    lines += ["", f"After the run: {c['accepted']} accepted submissions, {c['missing_case']} "
              f"without their case, {c['bad_receipt']} with a different receipt, "
              f"{c['missing_event']} without their audit event; `{report['audit']}`."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--drive":
        _driver_main(sys.argv[2:])
    else:
        sys.exit(main())
