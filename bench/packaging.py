"""Evidence packaging benchmark: build, sign, zip, encrypt and verify packages of synthetic rows.

Usage::

    .venv/bin/python -m bench.packaging [--messages 1000000] [--identifiers 10] [--events 2000]

Two scenarios, each in its own child process so that its peak RSS is its own:

* ``identification``: ``--identifiers`` accounts, each with one subscriber row and ``--events``
  identification rows (IP, port, time) — the common French-requisition case;
* ``content``: one account's content export of ``--messages`` message rows from a generator.

For each: time to write the signed bag (records, certificate, manifests, signature), to zip it,
to age-encrypt it, and to verify the result (decrypt, unzip, every checksum, signature);
payload and package sizes; throughput of the build in payload MB/s; peak RSS of the build and
of the verification. No Django: the bag is signed with a throwaway Ed25519 key. Results go to
``var/bench/packaging.json`` and a Markdown table to ``var/bench/packaging.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing as mp
import os
import platform
import queue as queue_mod
import random
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

NOW = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
OUT = Path("var/bench")
WORDS = (
    "ok",
    "see",
    "you",
    "tomorrow",
    "at",
    "the",
    "usual",
    "place",
    "bring",
    "it",
    "no",
    "money",
    "call",
    "me",
    "when",
    "done",
    "who",
    "is",
    "this",
    "send",
    "photo",
    "later",
    "why",
    "now",
)


class _RssPeak:
    """Samples this process's RSS every 20 ms; ``take()`` returns the peak since the last take."""

    def __init__(self) -> None:
        self._peak = 0
        self._page = os.sysconf("SC_PAGE_SIZE")
        threading.Thread(target=self._loop, daemon=True).start()

    def _now(self) -> int:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * self._page

    def _loop(self) -> None:
        while True:
            self._peak = max(self._peak, self._now())
            time.sleep(0.02)

    def take(self) -> float:
        peak, self._peak = max(self._peak, self._now()), 0
        return peak / 2**20


def _subscriber(acc: int) -> Iterator[dict[str, Any]]:
    yield {
        "account_id": f"acc-{acc}",
        "phone": f"+3361{acc:07d}",
        "username": f"user{acc}",
        "display_name": f"User {acc}",
        "created_at": "2023-05-01T10:00:00Z",
        "email": None,
        "registration_ip": "198.51.100.23",
        "status": "active",
    }


def _identification(acc: int, n: int, rng: random.Random) -> Iterator[dict[str, Any]]:
    t = datetime(2026, 1, 1, tzinfo=UTC)
    for _ in range(n):
        t += timedelta(seconds=rng.randint(60, 7200))
        ip = f"203.0.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
        yield {
            "account_id": f"acc-{acc}",
            "event": "login",
            "ip": ip,
            "port": rng.randint(1024, 65535),
            "time": t.isoformat(),
            "user_agent": "Messenger/10.4 Android",
        }


def _messages(n: int, rng: random.Random) -> Iterator[dict[str, Any]]:
    # A pool of texts keeps the generator cheap, so the figures are the packager's, not random's.
    texts = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 25))) + f" #{k}" for k in range(4096)]
    t = datetime(2025, 6, 1, tzinfo=UTC).timestamp()
    for i in range(n):
        r = rng.random()
        t += 1 + r * 120
        yield {
            "message_id": 9_000_000_000 + i,
            "chat_id": 40_000 + i % 31,
            "sender": "acc-1000001",
            "sent_at": datetime.fromtimestamp(int(t), UTC).isoformat(),
            "kind": "text",
            "text": texts[int(r * 4096)],
            "reply_to": None if r < 0.8 else 9_000_000_000 + i // 2,
        }


def _run(scenario: str, args: argparse.Namespace, queue: Any) -> None:
    import pyrage
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from lawdesk.evidence.package import (
        Authority,
        LegalInstrument,
        NotHeld,
        PackageDescription,
        RecordSet,
        bag_name,
        encrypt_to,
        write_bag,
        zip_bag,
    )
    from lawdesk.evidence.signing import KeySigner
    from lawdesk.evidence.verify import Status, verify_package

    rng = random.Random(6)
    if scenario == "identification":
        accounts = [1_000_001 + i for i in range(args.identifiers)]
        records = [
            rs
            for acc in accounts
            for rs in (
                RecordSet("subscriber", f"acc-{acc}", _subscriber(acc), system="accounts-db"),
                RecordSet(
                    "identification", f"acc-{acc}", _identification(acc, args.events, rng), system="ip-logs"
                ),
            )
        ]
        rows = args.identifiers * (1 + args.events)
    else:
        records = [RecordSet("content", "acc-1000001", _messages(args.messages, rng), system="message-store")]
        rows = args.messages
    desc = PackageDescription(
        case_number="BENCH-2026-000001",
        authority=Authority("Bench unit", "FR"),
        instrument=LegalInstrument("investigating_judge_order", "JI-26/0001", date(2026, 10, 30)),
        platform_name="Example Messenger",
        producer="Bench",
        systems=["accounts-db", "ip-logs", "message-store"],
        records=records,
        not_held=[NotHeld("acc-1000001", "content", "end_to_end_encrypted")],
    )
    identity = pyrage.x25519.Identity.generate()
    signer = KeySigner(Ed25519PrivateKey.generate())
    import weasyprint  # noqa: F401 - a worker imports it once; count the render, not the import

    from lawdesk.evidence import certificate

    cert_time = [0.0]
    render = certificate.render_certificate

    def timed_render(**kwargs: Any) -> bytes:
        t = time.perf_counter()
        try:
            return render(**kwargs)
        finally:
            cert_time[0] += time.perf_counter() - t

    certificate.render_certificate = timed_render  # type: ignore[assignment]
    rss = _RssPeak()
    rss_start = rss.take()
    with tempfile.TemporaryDirectory(prefix="bench-packaging-", dir=OUT) as tmp:
        name = bag_name(desc.case_number, NOW)
        t0 = time.perf_counter()
        bag = write_bag(desc, now=NOW, signer=signer, dest=Path(tmp) / name)
        t1 = time.perf_counter()
        zipped = Path(tmp) / f"{name}.zip"
        zip_bag(bag.path, zipped, now=NOW)
        t2 = time.perf_counter()
        shutil.rmtree(bag.path)
        encrypted = Path(tmp) / f"{name}.zip.age"
        encrypt_to(zipped, encrypted, str(identity.to_public()))
        t3 = time.perf_counter()
        zip_size = zipped.stat().st_size
        zipped.unlink()
        rss_build = rss.take()
        ident_file = Path(tmp) / "officer.key"
        ident_file.write_text(f"{identity}\n")
        t4 = time.perf_counter()
        report = verify_package(
            encrypted, identity=ident_file, public_key_pem=signer.public_key_pem(), workdir=Path(tmp)
        )
        t5 = time.perf_counter()
        assert report.status is Status.VERIFIED, report.failure
        payload_mb = bag.payload_bytes / 1e6
        queue.put(
            {
                "scenario": scenario,
                "rows": rows,
                "files": len(bag.files),
                "payload_mb": round(payload_mb, 1),
                "zip_mb": round(zip_size / 1e6, 1),
                "package_mb": round(encrypted.stat().st_size / 1e6, 1),
                "bag_s": round(t1 - t0, 2),
                "certificate_s": round(cert_time[0], 2),
                "zip_s": round(t2 - t1, 2),
                "encrypt_s": round(t3 - t2, 2),
                "build_s": round(t3 - t0, 2),
                "build_mb_s": round(payload_mb / (t3 - t0), 1),
                "rows_per_s": round(rows / (t1 - t0 - cert_time[0])),
                "verify_s": round(t5 - t4, 2),
                "verify_mb_s": round(payload_mb / (t5 - t4), 1),
                "rss_start_mb": round(rss_start),
                "rss_build_peak_mb": round(rss_build),
                "rss_verify_peak_mb": round(rss.take()),
            }
        )


def _machine() -> dict[str, Any]:
    model = ""
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as fh:
        model = next((line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), "")
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    load = os.getloadavg()[0]
    return {
        "nproc": os.cpu_count(),
        "cpu": model or platform.processor(),
        "ram_gib": round(mem, 1),
        "python": platform.python_version(),
        "load_1min_at_start": round(load, 1),
        "age": subprocess.run(["age", "--version"], capture_output=True, text=True).stdout.strip()
        if shutil.which("age")
        else "",
    }


def _markdown(machine: dict[str, Any], results: list[dict[str, Any]]) -> str:
    cols = [
        ("scenario", "scenario"),
        ("rows", "rows"),
        ("payload_mb", "payload MB"),
        ("package_mb", "package MB"),
        ("bag_s", "bag s"),
        ("certificate_s", "of which PDF s"),
        ("rows_per_s", "rows/s"),
        ("zip_s", "zip s"),
        ("encrypt_s", "age s"),
        ("build_s", "build s"),
        ("build_mb_s", "build MB/s"),
        ("verify_s", "verify s"),
        ("verify_mb_s", "verify MB/s"),
        ("rss_build_peak_mb", "peak RSS build MB"),
        ("rss_verify_peak_mb", "peak RSS verify MB"),
    ]
    lines = ["| " + " | ".join(h for _, h in cols) + " |", "|" + "---|" * len(cols)]
    for r in results:
        cells = (f"{r[k]:,}" if isinstance(r[k], int) else str(r[k]) for k, _ in cols)
        lines.append("| " + " | ".join(cells) + " |")
    head = (
        "Times in seconds; MB = 10^6 bytes; payload = the bag's data/ files (JSONL + CSV + PDF); "
        "build = bag + zip + age; verify = decrypt + unzip + both manifests + signature; "
        "RSS sampled every 20 ms, baseline after imports "
        f"{results[0]['rss_start_mb']} MB.\n\n"
        f"Machine: {machine['nproc']} vCPU {machine['cpu']}, {machine['ram_gib']} GiB RAM, Python "
        f"{machine['python']}; 1-min load average at start {machine['load_1min_at_start']}."
    )
    return head + "\n\n" + "\n".join(lines) + "\n"


def main() -> None:
    """Run the scenarios and write the results."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--identifiers", type=int, default=10)
    parser.add_argument("--events", type=int, default=2000, help="identification rows per identifier")
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--scenarios", default="identification,content")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    machine = _machine()
    results = []
    ctx = mp.get_context("spawn")  # a fresh interpreter each: peak RSS is the scenario's own
    for scenario in args.scenarios.split(","):
        queue = ctx.Queue()
        proc = ctx.Process(target=_run, args=(scenario, args, queue))
        proc.start()
        while True:
            try:
                result = queue.get(timeout=1)
                break
            except queue_mod.Empty:
                if not proc.is_alive():
                    raise SystemExit(f"scenario {scenario} failed (exit code {proc.exitcode})") from None
        proc.join()
        print(json.dumps(result))
        results.append(result)
    (OUT / "packaging.json").write_text(json.dumps({"machine": machine, "results": results}, indent=2) + "\n")
    md = _markdown(machine, results)
    (OUT / "packaging.md").write_text(md)
    print(md)


if __name__ == "__main__":
    main()
