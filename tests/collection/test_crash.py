"""kill -9 the worker in the middle of a collection: afterwards exactly one complete package,
no duplicate rows, no gaps, the audit chain intact."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from tests.support import fresh_database

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def home(tmp_path, platform_data):
    with fresh_database(tmp_path, "lawdesk_crash") as db_url:
        yield tmp_path, _env(tmp_path, db_url, platform_data)


def _env(tmp_path, db_url, platform_data):
    return {**os.environ, "LAWDESK_HOME": str(tmp_path), "DATABASE_URL": db_url,
           "LAWDESK_MODE": "test", "LAWDESK_PLATFORM_DIR": str(platform_data),
           "LAWDESK_COLLECTION_PAUSE_SECONDS": "1.5", "LAWDESK_COLLECTION_LEASE_SECONDS": "4",
           "PYTHONPATH": str(ROOT), "DJANGO_SETTINGS_MODULE": "lawdesk.settings"}


def run(env, *args: str) -> str:
    result = subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True,
                            timeout=180, check=False, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def state(env, case_id: str) -> dict:
    return json.loads(run(env, "-m", "tests.collection.scenario", "state", case_id).splitlines()[-1])


def worker(env, log: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "lawdesk", "worker", "--clock-interval", "1"],
                            env=env, stdout=log.open("a"), stderr=subprocess.STDOUT, cwd=ROOT)


def expected_identification_rows(platform_dir: str) -> int:
    """Ask the store directly what the approved identification scope holds."""
    from datetime import UTC, datetime

    from lawdesk.platform.ibis_connector import duckdb_connector
    from lawdesk.platform.identifiers import Window

    conn = duckdb_connector(platform_dir)
    window = Window(datetime(2025, 9, 1, tzinfo=UTC), datetime(2025, 10, 1, tzinfo=UTC))
    by_account = sum(len(conn.ip_history(a, window)) for a in (1_000_001, 1_000_002, 1_000_003))
    by_ip = len(conn.who_used_ip("203.0.113.7", 2700, datetime(2025, 9, 15, 10, tzinfo=UTC)))
    return by_account + by_ip


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def test_worker_killed_mid_collection_yields_exactly_one_complete_package(home):
    tmp, env = home
    run(env, "-m", "lawdesk", "migrate")
    run(env, "-m", "lawdesk", "demo", "seed", "--no-cases")
    case_id = run(env, "-m", "tests.collection.scenario", "approved_case").split()[-1]
    log = tmp / "worker.log"

    first = worker(env, log)
    try:
        wait_for(lambda: state(env, case_id)["units_done"] >= 2, 90, "the collection to be under way")
    finally:
        os.kill(first.pid, signal.SIGKILL)  # no chance to clean up or commit anything
        first.wait()
    mid = state(env, case_id)
    assert mid["status"] == "running" and not mid["packages"]

    second = worker(env, log)
    try:
        done = wait_for(lambda: (s := state(env, case_id))["status"] == "done" and s, 120,
                        "the restarted worker to finish the collection")
    finally:
        second.terminate()
        second.wait(timeout=20)

    assert done["attempts"] == 2
    assert done["case_status"] == "delivered"
    assert len(done["packages"]) == 1
    packages = [f for f in done["files"] if not f.startswith(".")]
    assert packages == done["packages"], done["files"]  # no stray or partial files either
    package = tmp / "files" / "packages" / packages[0]
    pem = run(env, "-c", "import django;django.setup();from lawdesk.core import keys;"
                         "import sys;sys.stdout.write(keys.public_key_pem().decode())")
    (tmp / "key.pem").write_text(pem)
    out = subprocess.run([sys.executable, "-m", "lawdesk", "verify", str(package), "--public-key",
                          str(tmp / "key.pem")], env=env, capture_output=True, text=True, cwd=ROOT,
                         check=False)
    assert out.returncode == 0, out.stdout + out.stderr
    # No duplicate rows and no gaps: exactly the rows the store holds for the approved scope.
    with zipfile.ZipFile(package) as zf:
        rows = [line for name in zf.namelist() if "/data/identification/" in name
                and name.endswith(".jsonl") for line in zf.read(name).decode().splitlines()]
    assert len(rows) == len(set(rows))
    assert len(rows) == expected_identification_rows(env["LAWDESK_PLATFORM_DIR"])
    assert "intact" in run(env, "-m", "lawdesk", "audit", "verify")
