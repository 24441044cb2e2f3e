"""Crash and restart (issue 8, part 4): ``kill -9`` at random points, then count what was lost.

* The web server (gunicorn master and workers, the whole process group) is killed while a
  client keeps submitting requests through the API, several times over: every ``201`` the
  client received must have its case, its receipt and its audit event after the restart, and no
  case may be half-made (every case has its targets and its receipt).
* ``lawdesk transparency publish`` is killed mid-way, several times: the log and its signed
  checkpoints stay consistent, no checkpoint is half-written, and the next publication works.

The worker killed mid-collection is ``tests/collection/test_crash.py``. Each test is bounded in
runs and time; the numbers (runs, kills, accepted, lost) are printed (``-s``).
"""

from __future__ import annotations

import http.client
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.collection.test_crash import ROOT, run
from tests.factories import PDF_BYTES, payload
from tests.support import free_port, postgres_admin

pytestmark = pytest.mark.slow

RUNS = 4
SEED = int(os.environ.get("LAWDESK_CRASH_SEED", "8"))

@pytest.fixture
def home(tmp_path, platform_data):
    """A fresh database of the suite's engine (a PostgreSQL database of its own) and home."""
    base_url = os.environ.get("DATABASE_URL", "")
    pg_db = None
    if base_url.startswith("postgres"):
        pg_db = f"lawdesk_restart_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        postgres_admin(base_url, f"CREATE DATABASE {pg_db}")
        db_url = base_url.rsplit("/", 1)[0] + "/" + pg_db
    else:
        db_url = f"sqlite:///{tmp_path / 'lawdesk.sqlite3'}"
    env = {**os.environ, "LAWDESK_HOME": str(tmp_path), "DATABASE_URL": db_url,
           "LAWDESK_MODE": "test", "LAWDESK_PLATFORM_DIR": str(platform_data),
           "LAWDESK_EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
           "PYTHONPATH": str(ROOT), "DJANGO_SETTINGS_MODULE": "lawdesk.settings"}
    yield tmp_path, env
    if pg_db:
        postgres_admin(base_url, f"DROP DATABASE IF EXISTS {pg_db} WITH (FORCE)")


CHECK_SCRIPT = r"""
import json, sys
import django; django.setup()
from lawdesk.audit.models import Event
from lawdesk.cases.models import Case
accepted = json.loads(sys.stdin.read())
cases = {c.pk: c for c in Case.objects.prefetch_related("targets")}
received = set(Event.objects.filter(action="cases:case:received").values_list("target_id", flat=True))
lost = [a for a in accepted if a["id"] not in cases
        or cases[a["id"]].receipt_sha256 != a["receipt_sha256"] or str(a["id"]) not in received]
half = [c.number for c in cases.values()
        if not c.targets.all() or not c.receipt_sha256 or not c.receipt or str(c.pk) not in received]
print(json.dumps({"cases": len(cases), "lost": lost, "half": half}))
"""


def _multipart(body: dict) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        (f'--{boundary}\r\nContent-Disposition: form-data; name="request"\r\n'
         f"Content-Type: application/json\r\n\r\n").encode() + json.dumps(body).encode(),
        (f'--{boundary}\r\nContent-Disposition: form-data; name="attachments"; '
         f'filename="order.pdf"\r\nContent-Type: application/pdf\r\n\r\n').encode() + PDF_BYTES,
    ]
    return b"\r\n".join(parts) + f"\r\n--{boundary}--\r\n".encode(), boundary


class Submitter(threading.Thread):
    """Keeps submitting until stopped; remembers every 201 and counts failed connections."""

    def __init__(self, url: str, token: str) -> None:
        super().__init__(daemon=True)
        self.url, self.token = url, token
        self.accepted: list[dict] = []
        self.failed = 0
        self.stop = threading.Event()

    def run(self) -> None:
        n = 0
        while not self.stop.is_set():
            n += 1
            data, boundary = _multipart(payload(authority_file_number=f"CRASH-{n}-{uuid.uuid4().hex[:6]}"))
            request = urllib.request.Request(
                self.url + "/api/v1/requests", data=data, method="POST", headers={
                    "Authorization": f"Bearer {self.token}",
                    "Content-Type": f"multipart/form-data; boundary={boundary}"})
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    if response.status == 201:
                        receipt = json.loads(response.read())
                        self.accepted.append({"id": receipt["id"],
                                              "receipt_sha256": receipt["receipt_sha256"]})
            except (OSError, http.client.HTTPException):
                # No answer, or an answer cut short by the kill (IncompleteRead): the client does
                # not know whether the case was accepted, so it is not counted as accepted.
                self.failed += 1
                time.sleep(0.05)


def _serve(env: dict, port: int, log: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "lawdesk", "serve", "--port", str(port),
                             "--workers", "2"], env=env, stdout=log.open("a"),
                            stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True)


def _wait_ready(url: str, proc: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "/api/openapi.json", timeout=2)
            return
        except OSError:
            assert proc.poll() is None, "the server died at start"
            time.sleep(0.2)
    raise AssertionError("the server did not start")


def _kill_group(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGKILL)  # master and workers, mid-request: no clean-up at all
    proc.wait()


def _officer_token(env: dict) -> str:
    out = run(env, "-c", "import django;django.setup();"
              "from lawdesk.accounts.models import Officer;"
              "from lawdesk.api.tokens import create_token;"
              "from lawdesk.core.clock import utcnow;"
              "o=Officer.objects.select_related('user').get("
              "user__email='julien.moreau@justice-paris.example');"
              "print(create_token(officer_user=o.user, name='crash', now=utcnow())[1])")
    return out.split()[-1]


def test_web_server_killed_while_requests_arrive_loses_no_accepted_case(home):
    tmp, env = home
    run(env, "-m", "lawdesk", "migrate")
    run(env, "-m", "lawdesk", "demo", "seed", "--no-cases")
    token = _officer_token(env)
    rng = random.Random(SEED)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    client = Submitter(url, token)
    kills = 0
    started = time.monotonic()
    try:
        for i in range(RUNS):
            server = _serve(env, port, tmp / "server.log")
            _wait_ready(url, server)
            if i == 0:
                client.start()
            assert client.is_alive(), "the submitting client stopped (its exception is shown above)"
            time.sleep(rng.uniform(1.0, 4.0))  # a random point of some submission
            _kill_group(server)
            kills += 1
        server = _serve(env, port, tmp / "server.log")  # the restart after the last kill
        _wait_ready(url, server)
        time.sleep(1.0)
        client.stop.set()
        client.join(timeout=15)
        server.terminate()
        server.wait(timeout=20)
    finally:
        client.stop.set()
    elapsed = time.monotonic() - started
    check = subprocess.run([sys.executable, "-c", CHECK_SCRIPT], input=json.dumps(client.accepted),
                           env=env, capture_output=True, text=True, cwd=ROOT, timeout=120,
                           check=True)
    result = json.loads(check.stdout.splitlines()[-1])
    print(f"\ncrash/web: {RUNS} runs, {kills} kill -9, {len(client.accepted)} accepted (201), "
          f"{client.failed} failed connections, {result['cases']} cases in the database, "
          f"lost {len(result['lost'])}, half-made {len(result['half'])}, {elapsed:.0f} s")
    assert len(client.accepted) >= RUNS  # the client did get answers between the kills
    assert result["lost"] == [] and result["half"] == []
    assert "intact" in run(env, "-m", "lawdesk", "audit", "verify")


APPEND_LEAF = ("import django;django.setup();from lawdesk.core.clock import utcnow;"
               "from lawdesk.transparency.services import append_leaf;"
               "append_leaf(case_ref='LD-CRASH-{i}', period='2026-Q4', country='FR', "
               "kind='production', outcome='fulfilled', accounts_affected=1, now=utcnow())")

CHECKPOINT_SCRIPT = r"""
import json
import django; django.setup()
from lawdesk.transparency.models import Checkpoint
from lawdesk.transparency import services
from lawdesk.audit.models import Event
rows = list(Checkpoint.objects.order_by("size"))
bad = [c.size for c in rows if services.root_at(c.size).hex() != c.root_hash
       or not c.note_text.endswith("\n") or f"\n{c.size}\n" not in c.note_text]
events = Event.objects.filter(action="transparency:checkpoint:published").count()
print(json.dumps({"checkpoints": len(rows), "bad": bad, "events": events,
                  "size": services.tree_size()}))
"""


def test_checkpoint_publication_killed_mid_way_leaves_a_consistent_log(home):
    _, env = home
    run(env, "-m", "lawdesk", "migrate")
    run(env, "-c", APPEND_LEAF.format(i="first"))
    rng = random.Random(SEED)
    kills = finished = 0
    began = time.monotonic()
    run(env, "-m", "lawdesk", "transparency", "publish")
    duration = time.monotonic() - began  # most of it is start-up; the signing comes last
    for i in range(RUNS * 2):
        run(env, "-c", APPEND_LEAF.format(i=i))  # a new leaf: each publication signs something
        proc = subprocess.Popen([sys.executable, "-m", "lawdesk", "transparency", "publish"],
                                env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(rng.uniform(0.5, 1.05) * duration)  # late: into the transaction
        if proc.poll() is None:
            _kill_group(proc)
            kills += 1
        else:
            finished += 1
    out = json.loads(run(env, "-c", CHECKPOINT_SCRIPT).splitlines()[-1])
    assert out["bad"] == [] and out["checkpoints"] == out["events"]
    run(env, "-m", "lawdesk", "transparency", "publish")  # the next publication works
    after = json.loads(run(env, "-c", CHECKPOINT_SCRIPT).splitlines()[-1])
    print(f"\ncrash/publish: {RUNS * 2} runs, {kills} kill -9, {finished} finished first, "
          f"{after['checkpoints']} checkpoints, bad {len(after['bad'])}")
    assert after["bad"] == [] and after["checkpoints"] == after["events"]
    assert after["size"] == out["size"] and after["checkpoints"] >= 1
    assert "intact" in run(env, "-m", "lawdesk", "audit", "verify")
