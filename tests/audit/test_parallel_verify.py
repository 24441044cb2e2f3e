"""`lawdesk audit verify --workers N`: ranges checked apart, joined in order, the same reports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from lawdesk.audit import triggers
from lawdesk.audit.actions import Action
from lawdesk.audit.services import record
from lawdesk.audit.verify import ChainReport, _ranges, verify_chain
from tests.support import fresh_database

ROOT = Path(__file__).resolve().parents[2]
EVENTS = 120  # with 3 workers: 12 ranges of 10 sequence numbers (1-10, 11-20, ..., 111-120)


def _sql(*statements: str) -> Callable[[Any], None]:
    def tamper(conn: Any) -> None:
        with conn.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    return tamper


SWAP = ("UPDATE audit_event SET seq = -{a} WHERE seq = {a}", "UPDATE audit_event SET seq = {a} WHERE seq = {b}",
        "UPDATE audit_event SET seq = {b} WHERE seq = -{a}")
# (name, statements, the sequence number the report must name; None: intact)
SCENARIOS: list[tuple[str, tuple[str, ...], int | None]] = [
    ("intact", (), None),
    ("tampered in the middle of a later range", (
        "UPDATE audit_event SET params = '{\"n\": 999}' WHERE seq = 95",), 95),
    ("tampered first row of a range", ("UPDATE audit_event SET action = 'x:y:z' WHERE seq = 61",), 61),
    ("tampered last row of a range", ("UPDATE audit_event SET user_agent = 'evil' WHERE seq = 70",), 70),
    ("two tampered rows: the first is named", (
        "UPDATE audit_event SET action = 'x:y:z' WHERE seq = 105",
        "UPDATE audit_event SET action = 'x:y:z' WHERE seq = 33"), 33),
    ("deleted in a later range", ("DELETE FROM audit_event WHERE seq = 87",), 87),
    ("deleted first row of a range", ("DELETE FROM audit_event WHERE seq = 81",), 81),
    ("a whole range deleted", ("DELETE FROM audit_event WHERE seq BETWEEN 41 AND 55",), 41),
    ("the first event deleted", ("DELETE FROM audit_event WHERE seq = 1",), 1),
    ("newest events deleted", ("DELETE FROM audit_event WHERE seq >= 112",), 112),
    ("reordered pair inside a range", tuple(s.format(a=93, b=94) for s in SWAP), 93),
    ("reordered pair across ranges", tuple(s.format(a=70, b=71) for s in SWAP), 70),
    ("forged hash chain restarted at a range", (
        "UPDATE audit_event SET prev_hash = '" + "0" * 64 + "' WHERE seq = 51",), 51),
]


def _fill(n: int) -> None:
    for i in range(n):
        record(Action.TRAIL_VIEWED, params={"n": i, "text": "é ✓ \u2028"})


def _fields(report: ChainReport) -> dict[str, Any]:
    return {"length": report.length, "head_hash": report.head_hash, "broken_seq": report.broken_seq,
            "problem": report.problem}


def test_ranges_cover_every_sequence_number_once(db: Any) -> None:
    _fill(EVENTS)
    ranges = _ranges(3, EVENTS)  # up to the head
    assert len(ranges) == 12 and ranges[0][0] is None and ranges[-1][1] == EVENTS + 1
    covered = [seq for seq in range(-5, EVENTS + 5)
               if sum((lo is None or lo <= seq) and (hi is None or seq < hi) for lo, hi in ranges) == 1]
    assert covered == list(range(-5, EVENTS + 1))
    assert _ranges(1, EVENTS) == [(None, EVENTS + 1)]


@pytest.mark.parametrize(("name", "statements", "broken"), SCENARIOS, ids=[s[0] for s in SCENARIOS])
def test_ranges_report_what_one_walk_reports(db: Any, name: str, statements: tuple[str, ...],
                                             broken: int | None) -> None:
    _fill(EVENTS)
    triggers.drop(connection)
    _sql(*statements)(connection)
    triggers.install(connection)
    one = verify_chain(workers=1)
    ranged = verify_chain(workers=3)  # in a test transaction: the same ranges, in this process
    assert one.broken_seq == broken, one.problem
    assert _fields(ranged) == _fields(one)
    assert ranged.intact == (broken is None)


SCRIPT = """
import json, os, sys
import django
django.setup()
from django.core.management import call_command
from django.db import connection
from lawdesk.audit import triggers
from lawdesk.audit.services import record
from lawdesk.audit import verify

call_command("migrate", verbosity=0)
for i in range(int(sys.argv[1])):
    record("audit:trail:viewed", params={"n": i})  # a declared action, by its value
triggers.drop(connection)
with connection.cursor() as cursor:
    for statement in json.loads(sys.argv[2]):
        cursor.execute(statement)
triggers.install(connection)
pids = {r.pid for r in verify._results(verify._ranges(2, int(sys.argv[1])), 2, 5000)}
out = {}
for workers in (1, 2):
    r = verify.verify_chain(workers=workers)
    out[workers] = [r.length, r.head_hash, r.broken_seq, r.problem]
print(json.dumps({"reports": out, "other_processes": len(pids - {os.getpid()})}))
"""


@pytest.mark.slow
@pytest.mark.parametrize("scenario", [SCENARIOS[0], SCENARIOS[1], SCENARIOS[5], SCENARIOS[11]],
                         ids=["intact", "tampered", "deleted", "reordered"])
def test_worker_processes_report_what_one_walk_reports(tmp_path: Path, scenario: Any) -> None:
    """The real thing: a committed chain checked by forked worker processes."""
    _, statements, broken = scenario
    with fresh_database(tmp_path, "lawdesk_parallel_verify") as url:
        env = {**os.environ, "LAWDESK_HOME": str(tmp_path), "DATABASE_URL": url, "LAWDESK_MODE": "test",
               "DJANGO_SETTINGS_MODULE": "lawdesk.settings",
               "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}"}
        result = subprocess.run([sys.executable, "-c", SCRIPT, str(EVENTS), json.dumps(statements)],
                                env=env, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["other_processes"] >= 1  # the ranges really were checked elsewhere
    assert out["reports"]["2"] == out["reports"]["1"]
    assert out["reports"]["1"][2] == broken
