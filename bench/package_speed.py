"""Packages at the speed of hashing (issue 18, item 1): the bag of a content export vs its hashes.

Usage::

    .venv/bin/python -m bench.package_speed [--messages 1000000] [--runs 3]

One content record set of ``--messages`` messages (ids, chat, sender, time, text from a pool of
4,096, reply-to with 80 % nulls) is held in memory as an Arrow table once. Then, interleaved in
each run, in this process:

* ``bag (batches)``: ``write_bag`` with the record set as Arrow record batches of 10,000 rows,
  as the collector now gives it (vectorised encoder, ``lawdesk.evidence.arrow_records``);
* ``bag (rows)``: the same record set as Python rows (``batch.to_pylist()`` per batch, as the
  connector used to hand them over), through the row encoder;
* ``sha256+sha512``: both digests of every payload file the bag holds (1 MiB reads);
* ``bagit make_bag``: bagit.py (``processes=1``, sha256 + sha512) bagging a copy of the same
  payload files (its hashing plus its manifest writing);
* ``verify``: ``lawdesk.evidence.verify.verify_bag`` on the bag directory (signature, tag
  manifests, every payload digest) and ``bagit.Bag(...).validate(processes=1)`` on it.

The two bags' payload manifests must be identical (the run stops otherwise). Medians of
``--runs``; ratios are against the hashing baseline of the same run. The 1-minute load average
is recorded before every run. Results: ``var/bench/package_speed.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from bench.packaging import WORDS, _machine

OUT = Path("var/bench")
NOW = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
BAG = "evidence-BENCH-2026-000001-20261102T093000Z"


def _table(n: int) -> pa.Table:
    import numpy as np

    rng = random.Random(6)
    texts = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 25))) + f" #{k}" for k in range(4096)]
    gen = np.random.default_rng(6)
    r = gen.random(n)
    t0 = int(datetime(2025, 6, 1, tzinfo=UTC).timestamp() * 1e6)
    ts = t0 + np.cumsum((1 + r * 120) * 1e6).astype("int64")
    ids = 9_000_000_000 + np.arange(n, dtype="int64")
    reply = pa.array(9_000_000_000 + np.arange(n, dtype="int64") // 2, mask=r < 0.8)
    return pa.table({
        "message_id": ids,
        "chat_id": 40_000 + np.arange(n, dtype="int64") % 31,
        "sender_id": np.full(n, 1_000_001, dtype="int64"),
        "ts": pa.array(ts, pa.timestamp("us", tz="UTC")),
        "kind": pa.array(["text"] * n),
        "text": pa.array(texts).take(pa.array((r * 4096).astype("int64"))),
        "reply_to": reply,
    })


def _description(rs: Any) -> Any:
    from lawdesk.evidence.package import Authority, LegalInstrument, NotHeld, PackageDescription

    return PackageDescription(
        case_number="BENCH-2026-000001", authority=Authority("Bench unit", "FR"),
        instrument=LegalInstrument("investigating_judge_order", "JI-26/0001", date(2026, 10, 30)),
        platform_name="Example Messenger", producer="Bench", systems=["message-store"], records=[rs],
        not_held=[NotHeld("acc-1000001", "content", "end_to_end_encrypted")])


def _rows(table: pa.Table) -> Any:
    for batch in table.to_batches(max_chunksize=10_000):
        yield from batch.to_pylist()


def _hash_files(paths: list[Path]) -> float:
    import hashlib

    t = time.perf_counter()
    for p in paths:
        a, b = hashlib.sha256(), hashlib.sha512()
        with open(p, "rb") as fh:
            while chunk := fh.read(1 << 20):
                a.update(chunk)
                b.update(chunk)
        a.hexdigest(), b.hexdigest()
    return time.perf_counter() - t


def main() -> None:
    """Run the interleaved measurements and write the results."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-rows", action="store_true", help="do not time the row encoder")
    args = parser.parse_args()
    import bagit
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    import lawdesk.evidence.certificate  # noqa: F401 - WeasyPrint imported before timing
    from lawdesk.evidence.package import RecordSet, write_bag
    from lawdesk.evidence.signing import KeySigner
    from lawdesk.evidence.verify import Report, verify_bag

    OUT.mkdir(parents=True, exist_ok=True)
    machine = _machine()
    table = _table(args.messages)
    signer = KeySigner(Ed25519PrivateKey.generate())
    times: dict[str, list[float]] = {}
    loads: list[float] = []
    payload_mb = 0.0
    for _ in range(args.runs):
        loads.append(round(os.getloadavg()[0], 1))
        with tempfile.TemporaryDirectory(prefix="bench-package-speed-", dir=OUT) as tmp:
            root = Path(tmp)
            (root / "arrow").mkdir()
            (root / "rows").mkdir()
            t = time.perf_counter()
            arrow_bag = write_bag(_description(RecordSet.from_batches(
                "content", "acc-1000001", table.to_batches(max_chunksize=10_000), system="message-store")),
                now=NOW, signer=signer, dest=root / "arrow" / BAG)
            times.setdefault("bag (batches)", []).append(time.perf_counter() - t)
            payload = [arrow_bag.path / f.path for f in arrow_bag.files]
            payload_mb = arrow_bag.payload_bytes / 1e6
            times.setdefault("sha256+sha512", []).append(_hash_files(payload))
            if not args.skip_rows:
                t = time.perf_counter()
                rows_bag = write_bag(_description(RecordSet("content", "acc-1000001", _rows(table),
                                                            system="message-store")),
                                     now=NOW, signer=signer, dest=root / "rows" / BAG)
                times.setdefault("bag (rows)", []).append(time.perf_counter() - t)
                same = [f for f in arrow_bag.files if f.path != "data/certificate.pdf"] == [
                    f for f in rows_bag.files if f.path != "data/certificate.pdf"]
                if not same:
                    raise SystemExit("the two encoders wrote different payloads")
                shutil.rmtree(rows_bag.path)
            copy = root / "bagit"
            shutil.copytree(arrow_bag.path / "data", copy)
            t = time.perf_counter()
            bagit.make_bag(str(copy), checksums=["sha256", "sha512"], processes=1)
            times.setdefault("bagit make_bag", []).append(time.perf_counter() - t)
            shutil.rmtree(copy)
            t = time.perf_counter()
            report = Report(str(arrow_bag.path))
            verify_bag(arrow_bag.path, report, public_key_pem=signer.public_key_pem())
            times.setdefault("lawdesk verify_bag", []).append(time.perf_counter() - t)
            t = time.perf_counter()
            bagit.Bag(str(arrow_bag.path)).validate(processes=1)
            times.setdefault("bagit validate", []).append(time.perf_counter() - t)
        print(json.dumps({k: round(v[-1], 3) for k, v in times.items()}), "load", loads[-1], flush=True)
    med = {k: statistics.median(v) for k, v in times.items()}
    base = med["sha256+sha512"]
    result = {"machine": machine, "messages": args.messages, "payload_mb": round(payload_mb, 1),
              "loads": loads, "load_after": round(os.getloadavg()[0], 1),
              "runs": {k: [round(x, 3) for x in v] for k, v in times.items()},
              "median_s": {k: round(v, 3) for k, v in med.items()},
              "x_hashing": {k: round(v / base, 2) for k, v in med.items()},
              "verify_vs_bagit": round(med["lawdesk verify_bag"] / med["bagit validate"], 2)}
    (OUT / "package_speed.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
