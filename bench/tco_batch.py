"""The one-hour TCO clock under a batch: 100 removal orders arriving in a minute (issue 17).

    .venv/bin/python -m bench.tco_batch                               # SQLite
    .venv/bin/python -m bench.tco_batch --pg postgres://postgres:postgres@127.0.0.1:5432/postgres

What runs, as in production (``lawdesk serve`` with ``--web-workers`` gunicorn workers, and
``--db-workers`` ``lawdesk worker`` processes running their jobs and clock loop — alarms, the
uploader notices, the statements of reasons sent to the local DSA Transparency Database, which
runs in its own process), on a fresh database (SQLite file, or a PostgreSQL database
``lawdesk_tcobench_<pid>`` dropped afterwards) and a freshly generated synthetic platform:

* **the authority** (a thread pool in this process) sends ``--orders`` TCO removal orders through
  the JSON API (``POST /api/v1/requests``, multipart: the order as JSON + the PDF, the officer's
  API token), order *i* at ``i * spread / orders`` seconds — open loop, so a slow answer does not
  delay the next order; each names one message of the platform by its link;
* **a scripted desk user** (a reviewer's session, one per ``--desk-users``) does what the desk
  does, with no human reaction time: reads the removal queue (``GET /desk/removals/``) again
  as soon as it has handled what it saw, opens the one-screen action of every order it has not
  handled (``GET /desk/removals/<id>/``: the content as the platform holds it), applies the
  measure (``POST``: remove, confirmed) and follows the redirect back to the screen;
* **a reader** (its own process) reads every ordered message on the platform as users in FR,
  DE and US do (``PlatformView.read``) over and over, and notes when each is first withheld.

Per order: receipt (``Case.received_at``, stamped by the intake) → content gone for the reader
(its first pass that finds it withheld: an upper bound, within one pass), and the parts of it:
receipt → seen in the desk's queue → screen open → measure in force (the platform's
``applied_at``, which is the time reported in the Annex II feedback) → the desk's POST answered.
Reported: p50/p90/p99/max and the margin to the hour of the slowest order.

Baselines measured in the same run, before the batch, on the same server:

* ``http_noop``: a round trip to a page that does nothing (``GET /accounts/login/``);
* ``bare_remove``: the platform's remove action alone (``SyntheticContentActions.apply``), on
  messages no order names;
* ``single``: ``--single`` orders sent one at a time (each after the previous is gone) through
  the same path — the path's cost without a batch behind it.

What "machine time" covers: everything between the order's receipt and the content being
gone except a person's reaction time — the intake, the queue page, the one-screen page, the
measure, the records (preservation, statement of reasons, audit events), the web and worker
processes competing for the machine and the database. A real desk adds the time a person takes
to look at the content and decide; the hour's margin is what is left for that.

Results: ``var/bench/tco_batch-<engine>.json`` and ``.md``.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import http.client
import json
import multiprocessing
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlparse

from bench.load import _admin, _free_port, _run

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "var" / "bench"
PDF = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
       b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
HOUR = 3600.0
COUNTRIES = ("FR", "DE", "US")

SETUP_SCRIPT = r"""
import json
import django; django.setup()
from django.test import Client
from lawdesk.accounts.models import User
from lawdesk.api.tokens import create_token
from lawdesk.core.clock import utcnow
officer = User.objects.get(email="julien.moreau@justice-paris.example")
token = create_token(officer_user=officer, name="tco-bench", now=utcnow())[1]
sessions = []
for email in ("reviewer@platform.example", "intake@platform.example", "approver@platform.example"):
    client = Client()
    client.force_login(User.objects.get(email=email))
    sessions.append(client.cookies["sessionid"].value)
print(json.dumps({"token": token, "sessions": sessions}))
"""

RESULTS_SCRIPT = r"""
import json, sys
import django; django.setup()
from lawdesk.cases.models import Case
from lawdesk.removal import feedback
from lawdesk.removal.models import RemovalItem, StatementOfReasons
out = {}
for case in Case.objects.filter(pk__in=json.loads(sys.argv[1])).select_related("agency"):
    items = list(case.removal_items.all())
    out[str(case.pk)] = {
        "number": case.number, "status": case.status,
        "received_at": case.received_at.timestamp(), "deadline_at": case.deadline_at.timestamp(),
        "effect_at": [i.effect_at.timestamp() if i.effect_at else None for i in items],
        "preserved": sum(1 for i in items if hasattr(i, "preserved")),
        "annex_ii_complete": feedback.annex_ii(case)["complete"],
        "statements": {s.state: 1 for s in StatementOfReasons.objects.filter(case=case)},
    }
print(json.dumps(out))
"""


# --- The reader: what users of the platform see (its own process) -------------------------

def reader(platform_dir: str, targets: list[tuple[int, int]], interval: float,
           conn: Any, stop: Any) -> None:
    """Read every target as users in FR, DE and US until each is withheld for all of them;
    send back {"chat:msg": first time (epoch s) it was gone} and the pass durations."""
    from lawdesk.platform.content_actions import (
        Measure,
        PlatformView,
        SyntheticContentActions,
        Withheld,
    )
    from lawdesk.platform.ibis_connector import duckdb_connector

    class PassSnapshot(SyntheticContentActions):
        """The platform's measures as they are at the start of each pass (read once a pass)."""

        snapshot: dict[str, Measure] = {}

        def refresh(self) -> None:
            self.snapshot = SyntheticContentActions._read(self)

        def _read(self) -> dict[str, Measure]:
            return self.snapshot

    class Memo:
        """The platform's messages do not change during the run: looked up once."""

        def __init__(self, connector: Any) -> None:
            self.connector, self.seen = connector, {}

        def message(self, chat: int, message: int) -> Any:
            if (chat, message) not in self.seen:
                self.seen[(chat, message)] = self.connector.message(chat, message)
            return self.seen[(chat, message)]

    actions = PassSnapshot(platform_dir)
    actions.refresh()
    view = PlatformView(Memo(duckdb_connector(Path(platform_dir))), actions)  # type: ignore[arg-type]
    pending = {f"{c}:{m}": (c, m) for c, m in targets}
    for chat, message in pending.values():  # every target exists and is visible before
        for country in COUNTRIES:
            seen = view.read(chat, message, country=country)
            assert seen is not None and not isinstance(seen, Withheld), (chat, message, seen)
    conn.send("ready")
    gone: dict[str, float] = {}
    passes: list[float] = []
    while pending and not stop.is_set():
        started = time.time()
        actions.refresh()
        for key, (chat, message) in list(pending.items()):
            if all(isinstance(view.read(chat, message, country=c), Withheld) for c in COUNTRIES):
                gone[key] = time.time()
                del pending[key]
        passes.append(time.time() - started)
        time.sleep(interval)
    conn.send({"gone": gone, "passes": passes, "never": sorted(pending)})


# --- HTTP with a session cookie -----------------------------------------------------------

@dataclass
class Http:
    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            self.conn.request(method, path, body=body,
                              headers={**({"Cookie": cookie} if cookie else {}), **(headers or {})})
            response = self.conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = None
            raise
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data


# --- The authority ------------------------------------------------------------------------

def _order(n: int, chat: int, message: int, sender: int) -> tuple[bytes, str]:
    payload = {
        "kind": "removal", "instrument_type": "tco_removal_order",
        "instrument_reference": f"TCO-BENCH-{n:04d}", "instrument_date": date.today().isoformat(),
        "issuer_name": "Anne Roussel", "issuer_role": "prosecutor",
        "authority_file_number": f"TCO-J3-{n:04d}", "offence_category": "terrorism",
        "offence_description": "Instructions for making explosives posted on the platform.",
        "categories": [], "targets": [{"identifier": str(sender)}],
        "content_locations": f"https://msgr.example/c/{chat}/{message}",
    }
    boundary = uuid.uuid4().hex
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="request"\r\n'
            f"Content-Type: application/json\r\n\r\n{json.dumps(payload)}\r\n"
            f'--{boundary}\r\nContent-Disposition: form-data; name="attachments"; '
            f'filename="order.pdf"\r\nContent-Type: application/pdf\r\n\r\n').encode()
    return body + PDF + f"\r\n--{boundary}--\r\n".encode(), boundary


def submit(port: int, token: str, n: int, target: tuple[int, int, int]) -> dict[str, Any]:
    """Send one order as an authority's system does: with an ``Idempotency-Key``, sent again
    (up to 5 times, a second apart) after a 5xx or a lost connection."""
    body, boundary = _order(n, *target)
    key = uuid.uuid4().hex
    sent = time.time()
    failures: list[str] = []
    for _attempt in range(5):
        try:
            status, _h, data = Http(port).request("POST", "/api/v1/requests", body, {
                "Authorization": f"Bearer {token}", "Idempotency-Key": key,
                "Content-Type": f"multipart/form-data; boundary={boundary}"})
        except (OSError, http.client.HTTPException) as exc:
            failures.append(f"{type(exc).__name__}: {exc}")
        else:
            if status == 201:
                return {"n": n, "id": json.loads(data)["id"], "target": f"{target[0]}:{target[1]}",
                        "sent": sent, "answered": time.time(), "failures": failures}
            failures.append(f"{status} {data[:300]!r}")
            if status < 500:
                break
        time.sleep(1.0)
    raise RuntimeError(f"order {n} not accepted: {failures}")


# --- The desk -----------------------------------------------------------------------------

_ROW = re.compile(rb'href="/desk/removals/(\d+)/"')
_CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


class Desk:
    """A reviewer who acts on every removal order as soon as it is in the queue."""

    def __init__(self, port: int, session: str, ledger: dict[int, dict[str, float]],
                 lock: threading.Lock) -> None:
        self.http = Http(port, {"sessionid": session})
        self.ledger, self.lock = ledger, lock
        self.errors: list[str] = []
        self.queue_reads = 0

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                self.round()
            except (OSError, http.client.HTTPException) as exc:  # a browser shows it; reload
                self.errors.append(f"{type(exc).__name__}: {exc}")
                time.sleep(0.5)

    def round(self) -> None:
        status, _h, page = self.http.request("GET", "/desk/removals/")
        self.queue_reads += 1
        if status != 200:
            self.errors.append(f"queue {status}")
            time.sleep(0.5)
            return
        seen = time.time()
        fresh = []
        with self.lock:
            for raw in _ROW.findall(page):
                case_id = int(raw)
                if case_id not in self.ledger:  # another desk user may have it already
                    self.ledger[case_id] = {"seen": seen}
                    fresh.append(case_id)
        for case_id in fresh:
            try:
                self.act(case_id)
            except (OSError, http.client.HTTPException) as exc:
                self.errors.append(f"{case_id}: {type(exc).__name__}: {exc}")
            with self.lock:
                if not {"applied", "already"} & set(self.ledger[case_id]):
                    del self.ledger[case_id]  # not done: it is taken up at the next round
        if not fresh:
            time.sleep(0.05)

    def act(self, case_id: int) -> None:
        row = self.ledger[case_id]
        status, _h, page = self.http.request("GET", f"/desk/removals/{case_id}/")
        row["screen"] = time.time()
        token = _CSRF.search(page)
        if status == 200 and b'data-testid="apply-form"' not in page and b'data-testid="feedback"' in page:
            row["already"] = time.time()  # an earlier POST took effect though its answer was lost
            return
        if status != 200 or token is None:
            self.errors.append(f"screen {case_id}: {status}")
            return
        form = urlencode({"csrfmiddlewaretoken": token.group(1).decode(), "action": "apply",
                          "mv-measure": "remove", "mv-confirm": "on", "mv-note": ""}).encode()
        status, headers, body = self.http.request(
            "POST", f"/desk/removals/{case_id}/", form,
            {"Content-Type": "application/x-www-form-urlencoded",
             "Referer": f"http://127.0.0.1:{self.http.port}/desk/removals/{case_id}/"})
        row["applied"] = time.time()
        if status != 302:
            self.errors.append(f"apply {case_id}: {status} {body[:300]!r}")
            return
        self.http.request("GET", urlparse(headers["location"]).path)  # the confirmation
        row["confirmed"] = time.time()


# --- Figures ------------------------------------------------------------------------------

def pct(values: list[float], q: float) -> float:
    """The q-th percentile, nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, -(-len(ordered) * q // 100) - 1))] if ordered else 0.0


def dist(values: list[float]) -> dict[str, float]:
    return {"n": len(values), "p50": round(pct(values, 50), 3), "p90": round(pct(values, 90), 3),
            "p99": round(pct(values, 99), 3), "max": round(max(values), 3) if values else 0.0,
            "mean": round(statistics.fmean(values), 3) if values else 0.0}


def machine() -> dict[str, Any]:
    model = next((line.split(":", 1)[1].strip() for line in
                  Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
    return {"nproc": os.cpu_count(), "cpu": model, "ram_gb": round(mem_kb / 1024 / 1024, 1),
            "python": platform.python_version(),
            "uptime_before": subprocess.run(["uptime"], capture_output=True, text=True,
                                            check=False).stdout.strip()}


# --- Orchestration ------------------------------------------------------------------------

def _messages(platform_dir: Path, n: int) -> list[tuple[int, int, int]]:
    """``n`` distinct messages (chat, message, sender), spread over the platform's chats."""
    import duckdb

    rows = duckdb.sql(
        "SELECT chat_id, message_id, sender_id FROM read_parquet(?) "
        "QUALIFY row_number() OVER (PARTITION BY chat_id ORDER BY message_id) <= 3 "
        "ORDER BY hash(chat_id, message_id) LIMIT ?",
        params=[str(platform_dir / "messages_by_chat" / "*.parquet"), n]).fetchall()
    if len(rows) < n:
        raise SystemExit(f"the platform has only {len(rows)} messages to order removed")
    return [(int(c), int(m), int(s)) for c, m, s in rows]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--orders", type=int, default=100)
    parser.add_argument("--spread", type=float, default=60.0, help="seconds over which they arrive")
    parser.add_argument("--single", type=int, default=5, help="orders sent one at a time first")
    parser.add_argument("--warmup", type=int, default=2,
                        help="orders sent one at a time before anything is timed (the web "
                             "workers load their code on their first requests)")
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--db-workers", type=int, default=2, help="lawdesk worker processes")
    parser.add_argument("--desk-users", type=int, default=1)
    parser.add_argument("--clock-interval", type=float, default=10.0,
                        help="the workers' clock loop (60 s in production)")
    parser.add_argument("--reader-interval", type=float, default=0.1)
    parser.add_argument("--timeout", type=float, default=2 * HOUR)
    parser.add_argument("--pg", default="", help="a loopback PostgreSQL server URL (default: SQLite)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    if args.pg and urlparse(args.pg).hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("loopback PostgreSQL only")

    from lawdesk.platform.generator import generate

    home = Path(tempfile.mkdtemp(prefix="lawdesk-tcobench-"))
    engine = "postgresql" if args.pg else "sqlite"
    db = f"lawdesk_tcobench_{os.getpid()}"
    tdb_port = _free_port()
    env = {**os.environ, "LAWDESK_HOME": str(home), "LAWDESK_MODE": "test",
           "DATABASE_URL": (args.pg.rsplit("/", 1)[0] + "/" + db) if args.pg
           else f"sqlite:///{home / 'db.sqlite3'}",
           "LAWDESK_EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
           "LAWDESK_PLATFORM_DIR": str(home / "platform"), "LAWDESK_LOG_LEVEL": "WARNING",
           "LAWDESK_VOLUME_PER_OFFICER_DAY": "100000", "LAWDESK_VOLUME_PER_AGENCY_DAY": "100000",
           "LAWDESK_TDB_URL": f"http://127.0.0.1:{tdb_port}", "LAWDESK_TDB_TOKEN": "bench",
           "DJANGO_SETTINGS_MODULE": "lawdesk.settings",
           "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    if args.pg:
        _admin(args.pg, f"DROP DATABASE IF EXISTS {db}")
        _admin(args.pg, f"CREATE DATABASE {db}")
    procs: list[subprocess.Popen[bytes]] = []
    try:
        generate(home / "platform", accounts=1_500, events=20_000, messages=20_000, seed=20261201)
        first = args.warmup + args.single
        chosen = _messages(home / "platform", first + args.orders + 50)
        single_msgs, batch_msgs = chosen[:first], chosen[first:first + args.orders]
        bare_msgs = chosen[first + args.orders:]
        _run(env, "-m", "lawdesk", "migrate", timeout=900)
        _run(env, "-m", "lawdesk", "demo", "seed", "--no-cases", timeout=900)
        seeded = json.loads(_run(env, "-c", SETUP_SCRIPT, timeout=900).splitlines()[-1])
        port = _free_port()
        log = (home / "server.log").open("ab")
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "lawdesk.removal.tdb.local_server", "--port", str(tdb_port),
             "--token", "bench"], env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True))
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "lawdesk", "serve", "--port", str(port),
             "--workers", str(args.web_workers)],
            env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
        for _ in range(args.db_workers):
            procs.append(subprocess.Popen(
                [sys.executable, "-m", "lawdesk", "worker", "--clock-interval",
                 str(args.clock_interval)],
                env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit((home / "server.log").read_text()) from None
                time.sleep(0.3)
        report = measure(args, port, seeded, home, single_msgs, batch_msgs, bare_msgs)
        ids = [o["id"] for o in report.pop("_orders")]
        stored = json.loads(_run(env, "-c", RESULTS_SCRIPT, json.dumps(ids), timeout=900).splitlines()[-1])
        report["check"] = check(report, stored)
        report["audit"] = _run(env, "-m", "lawdesk", "audit", "verify", timeout=900).strip().splitlines()[-1]
        report["engine"] = engine
    finally:
        for proc in procs:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=20)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(proc.pid, signal.SIGKILL)
        if args.pg:
            _admin(args.pg, f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
        args.out.mkdir(parents=True, exist_ok=True)
        if (home / "server.log").exists():
            shutil.copy(home / "server.log", args.out / f"tco_batch-{engine}-server.log")
        shutil.rmtree(home, ignore_errors=True)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"tco_batch-{engine}.json").write_text(json.dumps(report, indent=1))
    text = markdown(report)
    (args.out / f"tco_batch-{engine}.md").write_text(text)
    print(text)
    return 0 if report["check"]["ok"] else 1


def measure(args: argparse.Namespace, port: int, seeded: dict[str, Any], home: Path,
            single_msgs: list[tuple[int, int, int]], batch_msgs: list[tuple[int, int, int]],
            bare_msgs: list[tuple[int, int, int]]) -> dict[str, Any]:
    from datetime import UTC, datetime

    from lawdesk.platform.content_actions import SyntheticContentActions, message_target

    info = machine()
    info.update(web_workers=args.web_workers, db_workers=args.db_workers,
                desk_users=args.desk_users, clock_interval=args.clock_interval,
                orders=args.orders, spread=args.spread)

    # Baselines, on the idle server.
    http = Http(port)
    noop = []
    for _ in range(50):
        t0 = time.perf_counter()
        status, _h, _b = http.request("GET", "/accounts/login/")
        noop.append(time.perf_counter() - t0)
        assert status == 200, status
    actions = SyntheticContentActions(home / "platform")
    bare = []
    for chat, message, _sender in bare_msgs:
        t0 = time.perf_counter()
        actions.apply(reference="BENCH-BARE", kind="remove", target=message_target(chat, message),
                      now=datetime.now(UTC))
        bare.append(time.perf_counter() - t0)

    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe()
    stop_reader = ctx.Event()
    targets = [(c, m) for c, m, _s in single_msgs + batch_msgs]
    proc = ctx.Process(target=reader, args=(str(home / "platform"), targets, args.reader_interval,
                                            child, stop_reader), daemon=True)
    proc.start()
    assert parent.recv() == "ready"

    ledger: dict[int, dict[str, float]] = {}
    lock = threading.Lock()
    desks = [Desk(port, seeded["sessions"][i], ledger, lock) for i in range(args.desk_users)]
    stop_desk = threading.Event()
    desk_threads = [threading.Thread(target=d.run, args=(stop_desk,), daemon=True) for d in desks]
    for t in desk_threads:
        t.start()

    def done(case_id: int) -> bool:
        with lock:
            return bool({"applied", "already"} & set(ledger.get(case_id, {})))

    single = []
    for n, target in enumerate(single_msgs):
        order = submit(port, seeded["token"], n, target)
        while not done(order["id"]):
            time.sleep(0.02)
        single.append(order)
        time.sleep(1.0)
    warmup, single = single[:args.warmup], single[args.warmup:]

    loads: list[tuple[float, tuple[float, float, float]]] = []
    sampling = threading.Event()

    def sample() -> None:
        while not sampling.wait(5.0):
            loads.append((time.time(), os.getloadavg()))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.time()
    batch: list[dict[str, Any]] = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        futures = []
        for i, target in enumerate(batch_msgs):
            at = started + i * args.spread / max(args.orders, 1)
            time.sleep(max(0.0, at - time.time()))
            futures.append(pool.submit(submit, port, seeded["token"], 1000 + i, target))
        batch = [f.result() for f in futures]
    give_up = time.time() + args.timeout
    while not all(done(o["id"]) for o in batch) and time.time() < give_up:
        time.sleep(0.1)
    finished = time.time()
    if not parent.poll(60):  # the reader stops by itself once every order's content is gone
        stop_reader.set()
    if not parent.poll(60):
        raise RuntimeError("the reader did not answer (see its traceback above)")
    seen = parent.recv()
    proc.join(timeout=30)
    stop_desk.set()
    for t in desk_threads:
        t.join(timeout=60)
    sampling.set()
    info["uptime_after"] = subprocess.run(["uptime"], capture_output=True, text=True,
                                          check=False).stdout.strip()
    info["load_during"] = [round(x[1][0], 2) for x in loads]
    return {"machine": info, "started": started, "finished": finished,
            "baselines": {"http_noop": dist(noop), "bare_remove": dist(bare)},
            "warmup": warmup, "single": single, "batch": batch,
            "ledger": {str(k): v for k, v in ledger.items()},
            "reader": {"gone": seen["gone"], "never": seen["never"],
                       "pass_s": dist(seen["passes"])},
            "desk_errors": [e for d in desks for e in d.errors],
            "queue_reads": sum(d.queue_reads for d in desks),
            "_orders": warmup + single + batch}


def check(report: dict[str, Any], stored: dict[str, Any]) -> dict[str, Any]:
    """Per order figures from the stored case and the reader, and the run's sanity checks."""
    ledger, gone = report["ledger"], report["reader"]["gone"]

    def figures(orders: list[dict[str, Any]]) -> dict[str, Any]:
        parts: dict[str, list[float]] = {k: [] for k in (
            "receipt_to_gone", "sent_to_gone", "receipt_to_measure", "intake_answer",
            "receipt_to_queue", "queue_to_screen", "screen_to_applied", "receipt_to_applied")}
        for o in orders:
            row, case = ledger.get(str(o["id"]), {}), stored[str(o["id"])]
            received = case["received_at"]
            effect = [e for e in case["effect_at"] if e is not None]
            if o["target"] in gone:
                parts["receipt_to_gone"].append(gone[o["target"]] - received)
                parts["sent_to_gone"].append(gone[o["target"]] - o["sent"])
            if effect:
                parts["receipt_to_measure"].append(max(effect) - received)
            parts["intake_answer"].append(o["answered"] - o["sent"])
            if "seen" in row:
                parts["receipt_to_queue"].append(row["seen"] - received)
            if "screen" in row:
                parts["queue_to_screen"].append(row["screen"] - row["seen"])
            if "applied" in row:
                parts["screen_to_applied"].append(row["applied"] - row["screen"])
                parts["receipt_to_applied"].append(row["applied"] - received)
        return {k: dist(v) for k, v in parts.items()}

    batch, single = report["batch"], report["single"]
    out = {"batch": figures(batch), "single": figures(single)}
    worst = out["batch"]["receipt_to_gone"]["max"]
    arrivals = [stored[str(o["id"])]["received_at"] for o in batch]
    out["arrival_span_s"] = round(max(arrivals) - min(arrivals), 1)
    out["margin_to_hour_min"] = round((HOUR - worst) / 60, 2)
    out["within_hour"] = sum(1 for o in batch if o["target"] in report["reader"]["gone"]
                             and gone[o["target"]] - stored[str(o["id"])]["received_at"] < HOUR)
    out["statuses"] = sorted({c["status"] for c in stored.values()})
    out["annex_ii_complete"] = sum(1 for c in stored.values() if c["annex_ii_complete"])
    out["preserved"] = sum(c["preserved"] for c in stored.values())
    out["never_gone"] = report["reader"]["never"]
    out["intake_failures"] = [f for o in batch + single for f in o["failures"]]
    base = report["baselines"]
    p50 = out["batch"]["receipt_to_gone"]["p50"]
    out["ratios"] = {
        "batch_p50_over_single_p50": round(p50 / out["single"]["receipt_to_gone"]["p50"], 2),
        "single_p50_over_bare_remove_p50":
            round(out["single"]["receipt_to_gone"]["p50"] / base["bare_remove"]["p50"], 1),
        "batch_p50_over_http_noop_p50": round(p50 / base["http_noop"]["p50"], 1),
    }
    n = len(batch) + len(single) + len(report["warmup"])
    out["ok"] = (not report["desk_errors"] and not out["never_gone"]
                 and out["within_hour"] == len(batch) and out["annex_ii_complete"] == n
                 and out["statuses"] == ["actioned"] and out["preserved"] == n
                 and out["margin_to_hour_min"] > 50)
    return out


def markdown(report: dict[str, Any]) -> str:
    m, c = report["machine"], report["check"]
    lines = [
        f"Engine: {report['engine']}. Machine: {m['nproc']} vCPU ({m['cpu']}), {m['ram_gb']} GB RAM, "
        f"Python {m['python']}; {m['web_workers']} gunicorn workers, {m['db_workers']} lawdesk "
        f"workers (clock every {m['clock_interval']:.0f} s), {m['desk_users']} scripted desk "
        f"user(s); {m['orders']} orders over {m['spread']:.0f} s (receipts spanned "
        f"{c['arrival_span_s']} s).",
        f"Load: before `{m['uptime_before']}`; during (1-min avg every 5 s) "
        f"{', '.join(str(x) for x in m['load_during'])}; after `{m['uptime_after']}`.", "",
        "| seconds | p50 | p90 | p99 | max |", "|---|---:|---:|---:|---:|"]
    for scope in ("batch", "single"):
        for name, d in c[scope].items():
            lines.append(f"| {scope}: {name.replace('_', ' ')} | {d['p50']} | {d['p90']} | "
                         f"{d['p99']} | {d['max']} |")
    for name, d in report["baselines"].items():
        lines.append(f"| baseline: {name.replace('_', ' ')} | {d['p50']} | {d['p90']} | "
                     f"{d['p99']} | {d['max']} |")
    lines.append(f"| reader pass | {report['reader']['pass_s']['p50']} | "
                 f"{report['reader']['pass_s']['p90']} | {report['reader']['pass_s']['p99']} | "
                 f"{report['reader']['pass_s']['max']} |")
    r = c["ratios"]
    lines += ["", f"Every order gone within the hour: {c['within_hour']}/{m['orders']}; margin of "
              f"the slowest to the hour: {c['margin_to_hour_min']} min. Ratios (same run): batch "
              f"p50 / single p50 = {r['batch_p50_over_single_p50']}; single p50 / bare remove p50 "
              f"= {r['single_p50_over_bare_remove_p50']}; batch p50 / no-op round trip p50 = "
              f"{r['batch_p50_over_http_noop_p50']}.",
              f"Checks: statuses {c['statuses']}, Annex II complete {c['annex_ii_complete']}, "
              f"preserved {c['preserved']}, desk errors {len(report['desk_errors'])}, intake "
              f"answers sent again {len(c['intake_failures'])}, never gone "
              f"{len(c['never_gone'])}, queue reads {report['queue_reads']}; `{report['audit']}`."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
