"""``lawdesk transparency verify`` at 10^5 leaves: from scratch and incrementally, local and HTTP.

    .venv/bin/python -m bench.transparency_verify [--leaves 100000] [--new 1000] [--runs 3]

A fresh SQLite database gets ``--leaves`` leaves (bulk-inserted with their tree nodes, as
``append_leaf`` would store them, over 8 quarters and 5 countries) and a signed checkpoint; a
real server (gunicorn, ``lawdesk serve``) serves it on loopback. Timed, interleaved, medians of
``--runs``:

- baseline: the Merkle root of the same leaf bytes with raw hashlib (no lawdesk code);
- ``verify`` of an export directory and of the server, from scratch (empty state);
- ``verify`` again after ``--new`` more leaves, from the state of the previous run;
- for reference, the per-leaf path the verifier used before (``decode_leaf`` + ``MerkleTree``).

Prints JSON; ratios are against the baseline of the same run.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

COUNTRIES = ("FR", "DE", "IE", "NL", "ES")
KINDS = ("production", "preservation", "emergency_disclosure")
OUTCOMES = ("fulfilled", "partly_fulfilled", "refused", "withdrawn")


def _setup(home: Path) -> dict[str, str]:
    env = {"LAWDESK_HOME": str(home), "LAWDESK_MODE": "test",
           "DATABASE_URL": f"sqlite:///{home / 'db.sqlite3'}", "DJANGO_SETTINGS_MODULE": "lawdesk.settings"}
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("createcachetable")
    return {**os.environ, **env}


def add_leaves(start: int, n: int, rng: random.Random, period: str | None = None) -> None:
    """Store ``n`` leaves and the tree nodes they complete, as ``append_leaf`` would (in bulk)."""
    from datetime import UTC, datetime

    from django.db import transaction

    from lawdesk.transparency import counts, merkle
    from lawdesk.transparency.leaves import Leaf, commitment, leaf_fields
    from lawdesk.transparency.models import LogHead, LogLeaf, TreeNode
    from lawdesk.transparency.services import node_source

    now = datetime(2026, 1, 5, tzinfo=UTC)
    with transaction.atomic():
        rows, nodes = [], []
        previous = node_source({(lv, i) for lv in range(40) for i in ((start >> lv) - 1,) if i >= 0})
        tree: dict[tuple[int, int], bytes] = {}

        def get(level: int, index: int) -> bytes:
            return tree.get((level, index)) or previous(level, index)

        for i in range(start, start + n):
            salt = rng.randbytes(32)
            leaf = Leaf(period=period or f"{2024 + i % 2}-Q{i % 4 + 1}", country=COUNTRIES[i % 5],
                        kind=KINDS[i % 3], outcome=OUTCOMES[i % 4], accounts_affected=rng.randrange(5),
                        commitment=commitment(salt, f"B-{i}"))
            data = leaf.encode()
            digest = merkle.leaf_hash(data.encode())
            rows.append(LogLeaf(index=i, data=data, leaf_hash=digest.hex(), case_ref=f"B-{i}",
                                salt=salt.hex(), period=leaf.period, country=leaf.country, created_at=now))
            for level, index, h in merkle.new_nodes(get, i, digest):
                tree[(level, index)] = h
                nodes.append(TreeNode(level=level, index=index, hash=h.hex()))
        LogLeaf.objects.bulk_create(rows, batch_size=5000)
        TreeNode.objects.bulk_create(nodes, batch_size=5000)
        LogHead.objects.update_or_create(id=1, defaults={"size": start + n})
        # The count tables, as the receivers would have kept them (so periods can be published).
        deltas: Counter[tuple[str, str, str, str, str]] = Counter()
        for row in rows:
            period, country, kind, outcome, accounts = leaf_fields(row.data)
            for dimension, value in (("total", ""), ("kind", kind)):
                deltas[(period, country, dimension, value, "received")] += 1
                deltas[(period, country, dimension, value, outcome)] += 1
                deltas[(period, country, dimension, value, "accounts_affected")] += accounts
        counts._apply(deltas)


def raw_merkle_root(leaves: list[bytes]) -> bytes:
    """RFC 6962 root with hashlib only: the baseline."""
    level = [hashlib.sha256(b"\x00" + d).digest() for d in leaves]
    while len(level) > 1:
        nxt = [hashlib.sha256(b"\x01" + level[i] + level[i + 1]).digest()
               for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])  # RFC 6962: an odd node is carried up unchanged
        level = nxt
    return level[0]


def per_leaf_path(leaves: list[str]) -> bytes:
    """What the verifier did per leaf before: decode and re-encode, then append to the tree."""
    from lawdesk.transparency import merkle
    from lawdesk.transparency.leaves import decode_leaf

    tree = merkle.MerkleTree(merkle.leaf_hash(d.encode()) for d in leaves)
    for d in leaves:
        decode_leaf(d)
    return tree.root()


def timed(fn: Any) -> tuple[float, Any]:
    t0 = time.perf_counter()
    result = fn()
    return time.perf_counter() - t0, result


def _serve(env: dict[str, str], home: Path) -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "lawdesk", "serve", "--port", str(port), "--workers", "2"],
                            env=env, stdout=(home / "server.log").open("w"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(url + "/transparency/log/key", timeout=2)
            return proc, url
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((home / "server.log").read_text()) from None
            time.sleep(0.3)


def _sources(export_dir: Path, url: str) -> list[tuple[str, Any]]:
    from lawdesk.transparency.verify import DirSource, HttpSource

    return [("dir", lambda: DirSource(export_dir)), ("http", lambda: HttpSource(url + "/transparency/"))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leaves", type=int, default=100_000)
    parser.add_argument("--new", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="lawdesk-bench-verify-"))
    env = _setup(home)
    from lawdesk.core.clock import utcnow
    from lawdesk.transparency import selectors, services
    from lawdesk.transparency.export import export_log
    from lawdesk.transparency.verify import HttpSource, State, verify_log

    rng = random.Random(7)
    t_load, _ = timed(lambda: add_leaves(0, args.leaves, rng))
    services.publish_checkpoint(now=utcnow())
    leaves = selectors.leaf_data(0, args.leaves)
    raw = [d.encode() for d in leaves]
    assert raw_merkle_root(raw) == services.root_at(args.leaves)
    proc, url = _serve(env, home)
    results: dict[str, list[float]] = {}
    fetched: dict[str, int] = {}
    size = args.leaves

    def measure(name: str, make: Any, state: State, **kwargs: Any) -> Any:
        seconds, outcome = timed(lambda: verify_log(make(), state=state, **kwargs))
        results.setdefault(name, []).append(seconds)
        fetched[name] = outcome.bytes_read
        return outcome

    try:
        export_dir = home / "export"
        export_log(export_dir)
        verify_log(HttpSource(url + "/transparency/"), state=State(home / "warm"))  # PDFs rendered, cached
        for run in range(args.runs):
            results.setdefault("baseline_raw_merkle_root", []).append(timed(lambda: raw_merkle_root(raw))[0])
            results.setdefault("per_leaf_path_before", []).append(timed(lambda: per_leaf_path(leaves))[0])
            for kind, source in _sources(export_dir, url):
                measure(f"{kind}_log_and_reports_scratch", source, State(home / f"s-{kind}-{run}"),
                        check_documents=False)
                measure(f"{kind}_every_document_scratch", source, State(home / f"d-{kind}-{run}"))
            # More leaves (a new quarter, not yet published), then each verifier again from its state.
            add_leaves(size, args.new, rng, period="2026-Q4")
            size += args.new
            services.publish_checkpoint(now=utcnow())
            shutil.rmtree(export_dir)
            export_log(export_dir)
            for kind, source in _sources(export_dir, url):
                outcome = measure(f"{kind}_log_and_reports_incremental", source,
                                  State(home / f"s-{kind}-{run}"), check_documents=False)
                assert outcome.leaves_checked == args.new, outcome.leaves_checked
                measure(f"{kind}_every_document_incremental", source, State(home / f"d-{kind}-{run}"))
    finally:
        proc.terminate()
        proc.wait(timeout=15)
    medians = {k: round(statistics.median(v), 3) for k, v in results.items()}
    base = medians["baseline_raw_merkle_root"]
    print(json.dumps({
        "leaves": args.leaves, "new_leaves": args.new, "runs": args.runs, "load_seconds": round(t_load, 1),
        "cpus": os.cpu_count(), "loadavg": os.getloadavg(),
        "median_seconds": medians,
        "ratio_to_baseline": {k: round(v / base, 1) for k, v in medians.items()},
        "bytes_read": fetched,
    }, indent=1))
    shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
