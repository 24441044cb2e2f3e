"""Approval → signed package, through the real collection job and platform connector.

    .venv/bin/python -m bench.approval --platform var/bench/e7 [--runs 5]

A production order with 10 identifiers (subscriber + identification data, as the default
platform policy allows) is approved; the benchmark times ``run_collection`` — connector
lookups, bag, certificate, signature, zip, delivery transaction — in wall and CPU time.
Baseline in the same run: the same package built from rows already in memory (no connector),
so the ratio shows what the data store adds.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--platform", required=True, help="a generated dataset directory")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="lawdesk-bench-approval-"))
    os.environ.update({"LAWDESK_HOME": str(home), "LAWDESK_MODE": "test",
                       "DATABASE_URL": f"sqlite:///{home / 'db.sqlite3'}",
                       "LAWDESK_PLATFORM_DIR": str(Path(args.platform).resolve()),
                       "DJANGO_SETTINGS_MODULE": "lawdesk.settings"})
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from lawdesk.demo.seed import seed

    seed(with_cases=False)
    print(json.dumps(run(args.runs, Path(args.platform)), indent=1))


def _accounts(platform: Path, n: int) -> list[int]:
    import pyarrow.parquet as pq

    table = pq.read_table(platform / "accounts.parquet", columns=["account_id", "deleted"])
    return [a for a, d in zip(table["account_id"].to_pylist(), table["deleted"].to_pylist(),
                              strict=True) if not d][1000:1000 + n]


def run(runs: int, platform: Path) -> dict:
    from tests.factories import payload, pdf

    from lawdesk.accounts.models import User
    from lawdesk.cases import disclosure, services, submission
    from lawdesk.collection import collector
    from lawdesk.collection.services import run_collection
    from lawdesk.core.clock import utcnow
    from lawdesk.evidence.package import Authority, LegalInstrument, PackageDescription, build_package
    from lawdesk.evidence.signing import PlatformSigner

    officer = User.objects.get(email="julien.moreau@justice-paris.example")
    reviewer = User.objects.get(email="reviewer@platform.example")
    approver = User.objects.get(email="approver@platform.example")
    targets = [{"identifier": str(a)} for a in _accounts(platform, 10)]
    wall, cpu, base_wall, base_cpu, rows = [], [], [], [], 0
    for _ in range(runs):
        now = utcnow()
        case = submission.submit_request(actor=officer, now=now, uploads=[pdf()], payload=payload(
            targets=targets, window_start="2025-01-01T00:00:00Z", window_end="2026-01-01T00:00:00Z"))
        services.start_review(case=case, actor=reviewer, now=now)
        proposal = disclosure.propose_disclosure(
            case=case, actor=reviewer, now=now, categories=["subscriber", "identification"],
            target_ids=[t.pk for t in case.targets.all()], legal_basis="EPOC by a prosecutor, Art. 4(1)")
        disclosure.approve_proposal(proposal=proposal, actor=approver, now=now)
        t0, c0 = time.perf_counter(), time.process_time()
        assert run_collection(case.pk, clock=utcnow)
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        case.refresh_from_db()
        rows = case.package.details["records"]
        # Baseline: the same rows, already fetched, packaged without the connector.
        scope = collector.Scope.of(case)
        fetched = [(rs.category, rs.target, list(rs.rows), rs.fields) for rs in
                   collector.record_sets(scope, collector.connector(), lambda *_: None)]
        from lawdesk.evidence.writers import RecordSet

        out = Path(tempfile.mkdtemp())
        t0, c0 = time.perf_counter(), time.process_time()
        build_package(PackageDescription(
            case_number=f"{case.number}-baseline", authority=Authority("A", "FR"),
            instrument=LegalInstrument("EPOC", "x", now.date()), platform_name="bench",
            producer="bench", systems=["bench"],
            records=[RecordSet(c, t, r, fields=f) for c, t, r, f in fetched]),
            now=now, signer=PlatformSigner(), dest_dir=out)
        base_wall.append(time.perf_counter() - t0)
        base_cpu.append(time.process_time() - c0)
    p50 = statistics.median
    return {"runs": runs, "identifiers": len(targets), "rows": sum(rows.values()),
            "approval_to_package_wall_p50_s": round(p50(wall), 3),
            "approval_to_package_cpu_p50_s": round(p50(cpu), 3),
            "baseline_in_memory_wall_p50_s": round(p50(base_wall), 3),
            "baseline_in_memory_cpu_p50_s": round(p50(base_cpu), 3),
            "ratio_wall": round(p50(wall) / p50(base_wall), 2),
            "nproc": os.cpu_count(), "load_avg": os.getloadavg(), "python": sys.version.split()[0]}


if __name__ == "__main__":
    main()
