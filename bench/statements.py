"""Statement-of-reasons submission throughput against the local Transparency Database.

    .venv/bin/python -m bench.statements [--statements 2000] [--runs 3] [--database-url postgres://…]

The local database (``lawdesk.removal.tdb.local_server``) runs in its own process on loopback,
so its work does not share the client's interpreter lock. On a fresh lawdesk database, one
removal case holds ``--statements`` statements (valid bodies with realistic free text). Four
workloads, interleaved in every run, each over all the statements:

* ``raw_post`` (baseline): the bare client posts the bodies in batches of 100 — HTTP, JSON and
  the server's validation only, nothing recorded;
* ``check_only``: lawdesk's checks without sending (field rules under the enumerations in force
  and the personal-data detector on every free-text field);
* ``outbox``: the real path of the worker, ``outbox.send_all_due`` — claim under a lease, check,
  post, record uuids and states, one audit event per case and batch;
* ``outbox_resume``: every row marked as attempted before while the database already holds it —
  the recovery path after a lost answer or a dead worker (one ``existing-puid`` GET per
  statement, nothing posted).

Reported: statements/s per workload (median of the runs) and each as a ratio of ``raw_post`` in
the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--statements", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="lawdesk-bench-sor-"))
    port = _free_port()
    os.environ.update({"LAWDESK_HOME": str(home), "LAWDESK_MODE": "test",
                       "DATABASE_URL": args.database_url or f"sqlite:///{home / 'db.sqlite3'}",
                       "DJANGO_SETTINGS_MODULE": "lawdesk.settings",
                       "LAWDESK_TDB_URL": f"http://127.0.0.1:{port}", "LAWDESK_TDB_TOKEN": "bench"})
    server = subprocess.Popen([sys.executable, "-m", "lawdesk.removal.tdb.local_server",
                               "--port", str(port), "--token", "bench"], stdout=subprocess.PIPE)
    try:
        assert server.stdout is not None
        server.stdout.readline()  # the URL, once it listens
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        call_command("createcachetable", verbosity=0)
        from lawdesk.demo.seed import seed

        seed(with_cases=False)
        print(json.dumps(run(args.statements, args.runs), indent=1))
    finally:
        server.terminate()
        server.wait()


def run(n: int, runs: int) -> dict:
    from tests.factories import payload, pdf

    from lawdesk.accounts.models import User
    from lawdesk.cases.submission import submit_request
    from lawdesk.core.clock import utcnow
    from lawdesk.removal.models import RemovalItem, StatementOfReasons
    from lawdesk.removal.tdb import fields, outbox, personal_data
    from lawdesk.removal.tdb.client import TdbClient

    now = utcnow()
    officer = User.objects.get(email="julien.moreau@justice-paris.example")
    case = submit_request(actor=officer, now=now, uploads=[pdf()], payload=payload(
        kind="removal", instrument_type="tco_removal_order", instrument_reference="TCO-BENCH-1",
        offence_category="terrorism", categories=[], max_sentence_years=None,
        offence_description="Instructions for making explosives posted in a public channel.",
        content_locations="https://msgr.example/demo_channel/1",
        targets=[{"identifier": "https://msgr.example/demo_channel"}]))
    items = RemovalItem.objects.bulk_create(
        RemovalItem(case=case, position=1000 + i, location=f"https://msgr.example/demo_channel/{i}",
                    measure="remove", effect_at=now) for i in range(n))
    template = {
        "decision_visibility": ["DECISION_VISIBILITY_CONTENT_REMOVED"],
        "decision_ground": "DECISION_GROUND_ILLEGAL_CONTENT",
        "illegal_content_legal_ground": "Regulation (EU) 2021/784 (terrorist content online), Art. 3: "
                                        "removal order",
        "illegal_content_explanation": "A competent authority of a member state issued a removal order "
                                       "finding the content to be terrorist content (Art. 2(7)).",
        "decision_facts": f"Order received on {now:%Y-%m-%d}; the content was removed on {now:%Y-%m-%d}. The "
                          "order describes the content as follows: Instructions for making explosives "
                          "posted in a public channel, with a list of shops and a schedule.",
        "content_type": ["CONTENT_TYPE_TEXT"], "category": "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY",
        "category_specification": ["KEYWORD_TERRORIST_CONTENT"],
        "territorial_scope": sorted(fields.TERRITORIES), "content_date": f"{now:%Y-%m-%d}",
        "application_date": f"{now:%Y-%m-%d}", "source_type": "SOURCE_TYPE_OTHER_NOTIFICATION",
        "automated_detection": "No", "automated_decision": "AUTOMATED_DECISION_NOT_AUTOMATED",
        "decision_ground_reference_url": "https://eur-lex.europa.eu/eli/reg/2021/784/oj",
    }
    rows = StatementOfReasons.objects.bulk_create(
        StatementOfReasons(item=item, case=case, puid=f"bench-{item.position}", enum_version="2025-07-01",
                           body={**template, "puid": f"bench-{item.position}"}, due_at=now,
                           next_attempt_at=now, created_at=now, state=StatementOfReasons.State.SENT)
        for item in items)
    bodies = [r.body for r in rows]
    client = TdbClient(os.environ["LAWDESK_TDB_URL"], "bench")
    enums = fields.in_force(now.date())
    results: dict[str, list[float]] = {k: [] for k in ("raw_post", "check_only", "outbox", "outbox_resume")}

    for r in range(runs):
        # baseline: the same bodies under fresh puids, posted bare
        fresh = [{**b, "puid": f"raw{r}-{b['puid']}"} for b in bodies]
        t0 = time.perf_counter()
        for i in range(0, n, fields.MAX_BATCH):
            answer = client.submit(fresh[i:i + fields.MAX_BATCH])
            assert answer.status == 201, answer
        results["raw_post"].append(n / (time.perf_counter() - t0))

        t0 = time.perf_counter()
        for b in bodies:
            assert not fields.validate(b, enums)
            for name in fields.FREE_TEXT:
                if isinstance(b.get(name), str):
                    assert not personal_data.find(b[name])
        results["check_only"].append(n / (time.perf_counter() - t0))

        at = now + timedelta(hours=r + 1)
        StatementOfReasons.objects.filter(case=case).update(
            state=StatementOfReasons.State.PENDING, attempts=0, claim="", claimed_until=None,
            next_attempt_at=at, db_uuid="", sent_at=None)
        for row in StatementOfReasons.objects.filter(case=case).only("pk", "body"):
            row.body = {**row.body, "puid": f"out{r}-{row.pk}"}
            row.puid = row.body["puid"]
            row.save(update_fields=["body", "puid"])
        t0 = time.perf_counter()
        report = outbox.send_all_due(now=at)
        results["outbox"].append(n / (time.perf_counter() - t0))
        assert len(report.sent) == n, (len(report.sent), len(report.retry), len(report.refused))

        later = at + timedelta(minutes=30)
        StatementOfReasons.objects.filter(case=case).update(
            state=StatementOfReasons.State.PENDING, attempts=1, claim="", claimed_until=None,
            next_attempt_at=later)
        t0 = time.perf_counter()
        report = outbox.send_all_due(now=later)
        results["outbox_resume"].append(n / (time.perf_counter() - t0))
        assert len(report.already) == n and not report.sent

    base = statistics.median(results["raw_post"])
    from django.db import connection

    return {"statements": n, "runs": runs, "database": connection.vendor,
            "load": os.getloadavg(),
            "workloads": [{"workload": k, "statements_per_s": round(statistics.median(v), 1),
                           "runs_per_s": [round(x, 1) for x in v],
                           "ratio_to_raw_post": round(statistics.median(v) / base, 3)}
                          for k, v in results.items()]}


if __name__ == "__main__":
    main()
