"""Appends from several processes at once: one index each, one tree, a verifiable log.

Runs against a fresh database of the suite's engine (SQLite file or a new PostgreSQL
database), as the real processes would, since the test database's transaction hides commits.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from lawdesk.transparency.verify import DirSource, State, verify_log
from tests.support import fresh_database

WORKERS = 4
EACH = 12

APPEND = textwrap.dedent("""
    import sys, time, django
    django.setup()
    from lawdesk.core.clock import utcnow
    from lawdesk.transparency import services
    worker, start = int(sys.argv[1]), float(sys.argv[2])
    time.sleep(max(0.0, start - time.time()))  # all workers begin together
    for i in range(int(sys.argv[3])):
        services.append_leaf(case_ref=f"W{worker}-{i}", period="2026-Q4", country="FR",
                             kind="production", outcome=("fulfilled", "refused")[i % 2],
                             accounts_affected=worker, now=utcnow())
""")
CHECK = textwrap.dedent("""
    import sys, django
    django.setup()
    from lawdesk.core.clock import utcnow
    from lawdesk.transparency import services
    from lawdesk.transparency.export import export_log
    from lawdesk.transparency.models import LogLeaf
    indexes = sorted(LogLeaf.objects.values_list("index", flat=True))
    assert indexes == list(range(len(indexes))), indexes
    services.publish_checkpoint(now=utcnow())
    export_log(__import__("pathlib").Path(sys.argv[1]))
    print(len(indexes))
""")


@pytest.fixture
def fresh_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    with fresh_database(tmp_path, "lawdesk_tl") as db_url:
        env = {**os.environ, "LAWDESK_HOME": str(tmp_path), "DATABASE_URL": db_url,
               "LAWDESK_MODE": "test", "DJANGO_SETTINGS_MODULE": "lawdesk.settings"}
        subprocess.run([sys.executable, "-m", "lawdesk", "migrate"], env=env, check=True,
                       capture_output=True, timeout=180)
        yield env


@pytest.mark.slow
def test_concurrent_appends_get_distinct_indexes_and_one_tree(fresh_env, tmp_path: Path) -> None:
    import time

    start = time.time() + 3
    procs = [subprocess.Popen([sys.executable, "-c", APPEND, str(w), str(start), str(EACH)], env=fresh_env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for w in range(WORKERS)]
    for proc in procs:
        _out, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err.decode()[-2000:]
    export_dir = tmp_path / "export"
    checked = subprocess.run([sys.executable, "-c", CHECK, str(export_dir)], env=fresh_env,
                             capture_output=True, text=True, timeout=120)
    assert checked.returncode == 0, checked.stderr[-2000:]
    assert checked.stdout.strip() == str(WORKERS * EACH)
    outcome = verify_log(DirSource(export_dir), state=State(tmp_path / "state"))
    assert outcome.size == WORKERS * EACH
