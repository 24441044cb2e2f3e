"""A few seconds of ``bench/load.py`` (the load benchmark itself is not part of the suite):
the script still runs, nothing errs at a low rate, and every accepted submission has its case,
receipt and audit event. PostgreSQL only, as the benchmark."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def test_load_benchmark_smoke(tmp_path):
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        pytest.skip("the load benchmark runs on PostgreSQL")
    out = subprocess.run(
        [sys.executable, "-m", "bench.load", "--rates", "4", "--duration", "4", "--warmup", "2",
         "--officers", "2", "--threads", "3", "--web-workers", "2", "--db-workers", "1",
         "--keep-going", "--out", str(tmp_path), "--pg", url.rsplit("/", 1)[0] + "/postgres"],
        cwd=ROOT, capture_output=True, text=True, timeout=180, check=False)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    report = json.loads((tmp_path / "load.json").read_text())
    step = report["steps"][0]["endpoints"]["all"]
    assert step["count"] > 0 and step["errors"] == 0
    check = report["check"]
    assert check["accepted"] > 0
    assert check["missing_case"] == check["bad_receipt"] == check["missing_event"] == 0
    assert "intact" in report["audit"]
