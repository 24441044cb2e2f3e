"""Checkpoint publication with two witnesses, and the cost of anchoring the audit trail.

    .venv/bin/python -m bench.witnessing [--rounds 50] [--events 2000] [--database-url URL]

On a fresh SQLite database (or ``--database-url``, a PostgreSQL database that is emptied):

* *publication*: ``--rounds`` times, one leaf appended then a checkpoint published (which
  also anchors the audit trail), without witnesses — the baseline — and then the same with
  cosignatures collected from two ``lawdesk witness serve`` processes on 127.0.0.1 (a
  consistency proof, an HTTP round trip and a signature each);
* *anchoring*: ``--events`` audit events recorded one transaction each (the baseline), then
  ``anchor()`` alone, timed at anchor-log sizes that follow; the per-event overhead is the
  anchor's cost divided by the events an hour brings at the given rate.

Wall time per operation (median and p95, milliseconds) and ratios against the baseline of the
same run.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _ms(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"median_ms": round(statistics.median(ordered) * 1000, 2),
            "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 2), "n": len(ordered)}


def _start_witness(tmp: Path, name: str, logs: list[str]) -> tuple[subprocess.Popen[str], str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    key_file = tmp / f"{name.replace('/', '_')}.pem"
    vkey = subprocess.run([sys.executable, "-m", "lawdesk", "witness", "keygen", "--name", name,
                           "--out", str(key_file)],
                          capture_output=True, text=True, check=True, env=env).stdout
    args = [sys.executable, "-m", "lawdesk", "witness", "serve", "--name", name, "--key", str(key_file),
            "--state", str(tmp / f"state-{name.replace('/', '_')}"), "--port", "0"]
    for log in logs:
        args += ["--log", log]
    proc = subprocess.Popen(args, stderr=subprocess.PIPE, text=True, env=env)
    line = proc.stderr.readline() if proc.stderr else ""
    m = re.search(r"listening on (http://127\.0\.0\.1:\d+)/", line)
    if not m:
        raise RuntimeError(f"witness did not start: {line}")
    return proc, m.group(1), vkey.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="lawdesk-bench-witness-"))
    os.environ.update({"LAWDESK_HOME": str(home), "LAWDESK_MODE": "test",
                       "DATABASE_URL": args.database_url or f"sqlite:///{home / 'db.sqlite3'}",
                       "DJANGO_SETTINGS_MODULE": "lawdesk.settings"})
    import django

    django.setup()
    from django.core.management import call_command

    if args.database_url:
        call_command("flush", "--no-input", verbosity=0)
    call_command("migrate", verbosity=0)
    result = {"engine": "postgresql" if args.database_url else "sqlite",
              "publication": publication(args.rounds, home), "anchoring": anchoring(args.events)}
    print(json.dumps(result, indent=1))


def publication(rounds: int, home: Path) -> dict[str, object]:
    from django.conf import settings

    from lawdesk.transparency import anchors, services
    from lawdesk.transparency.cosign import witness_latest

    now = datetime(2026, 11, 30, tzinfo=UTC)
    counter = iter(range(10**9))

    def one_round() -> float:
        n = next(counter)
        services.append_leaf(case_ref=f"LD-BENCH-{n}", period="2026-Q4", country="FR", kind="production",
                             outcome="fulfilled", accounts_affected=1, now=now)
        start = time.perf_counter()
        services.publish_checkpoint(now=now)
        witness_latest(now=now)
        return time.perf_counter() - start

    for _ in range(5):  # warm up (first key load, first checkpoint)
        one_round()
    baseline = [one_round() for _ in range(rounds)]
    logs = [services.verifier().encode(), anchors.verifier().encode()]
    procs = [_start_witness(home, f"bench-witness{i}.example/w", logs) for i in (1, 2)]
    settings.LAWDESK_WITNESSES = " ".join(f"{url}={vkey}" for _, url, vkey in procs)
    try:
        witness_latest(now=now)  # first contact: the witnesses learn both logs
        witnessed = [one_round() for _ in range(rounds)]
        got = witness_latest(now=now)
        checking = _checking(procs)
    finally:
        for proc, _, _ in procs:
            proc.terminate()
            proc.wait(timeout=10)
    b, w = _ms(baseline), _ms(witnessed)
    return {"without_witnesses": b, "with_2_witnesses": w, "cosignatures_last_round": got,
            "checking_a_checkpoint": checking,
            "ratio_median": round(w["median_ms"] / b["median_ms"], 2),
            "log_size_at_end": services.tree_size()}


def _checking(procs: list[tuple[subprocess.Popen[str], str, str]]) -> dict[str, object]:
    """Verifier side: open the signed checkpoint alone, then also require 2 of 2 cosignatures."""
    from lawdesk.transparency import note, services, witness
    from lawdesk.transparency.cosign import cosigned_note

    latest = services.latest_checkpoint()
    assert latest is not None
    signed = cosigned_note(services.origin(), latest.size, latest.note_text)
    verifier = services.verifier()
    keys = [witness.parse_witness_key(vkey) for _, _, vkey in procs]
    alone, quorum = [], []
    for _ in range(500):
        start = time.perf_counter()
        note.open_checkpoint(signed, verifier, origin=verifier.name)
        alone.append(time.perf_counter() - start)
        start = time.perf_counter()
        note.open_checkpoint(signed, verifier, origin=verifier.name)
        witness.require_quorum(signed, keys, 2)
        quorum.append(time.perf_counter() - start)
    a, q = _ms(alone), _ms(quorum)
    return {"signature_only": a, "signature_and_2_cosignatures": q,
            "ratio_median": round(q["median_ms"] / a["median_ms"], 2)}


def anchoring(events: int) -> dict[str, object]:
    from lawdesk.audit.actions import Action
    from lawdesk.audit.models import AnchorEntry
    from lawdesk.audit.services import record
    from lawdesk.transparency import anchors

    now = datetime(2026, 12, 1, tzinfo=UTC)
    per_event = []
    for i in range(events):
        start = time.perf_counter()
        record(Action.TRAIL_VIEWED, params={"i": i}, now=now)
        per_event.append(time.perf_counter() - start)
    per_anchor = []
    for i in range(50):
        record(Action.TRAIL_VIEWED, params={"i": i}, now=now)
        start = time.perf_counter()
        anchors.anchor(now=now + timedelta(minutes=i))
        per_anchor.append(time.perf_counter() - start)
    e, a = _ms(per_event), _ms(per_anchor)
    rates = {}
    for per_hour in (60, 600, 6000):
        rates[f"{per_hour}_events_per_hour"] = round(a["median_ms"] / per_hour / e["median_ms"], 5)
    return {"record_one_event": e, "anchor": a,
            "anchor_over_record_ratio": round(a["median_ms"] / e["median_ms"], 2),
            "hourly_anchor_overhead_per_event_as_fraction_of_record": rates,
            "anchor_log_entries_at_end": AnchorEntry.objects.count()}


if __name__ == "__main__":
    main()
