"""Throughput of the HI-1 endpoint, against the portal's JSON API in the same run.

    .venv/bin/python -m bench.hi1 [--messages 200] [--database-url postgres://…]

In-process (Django's test client: no network, no TLS — the proxy's share is not measured),
on a fresh database seeded with the demo. Three workloads, each ``--messages`` times:

* ``hi1_epoc``: POST /hi1/ with an EPOC as the EU profile sends it — an Authorisation, two
  LDTasks (a phone number, a username) and the form as a DocumentObject — which becomes one
  production case (safe parsing, schema, grouping, the case's own intake and rule engine, the
  stored objects, the transaction and its audit events);
* ``api_submit`` (baseline): POST /api/v1/requests with the same order as the portal API's
  multipart (JSON + the PDF instrument), which becomes the same case;
* ``hi1_getcspconfig``: the smallest HI-1 message (parse, identify, answer, one transaction);
* ``hi1_takedown``: a TCO removal order as a take-down — an Authorisation, one TDTask naming two
  messages of the demo channel, the order as a TakedownRefinement document — which becomes one
  removal case (its items located on the platform at receipt).

Reported per workload: messages/s, median and p99 latency (ms); and the ratio of HI-1's median
to the API's — what the standard channel costs over the portal API for the same case.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

FINGERPRINT = hashlib.sha256(b"bench client certificate").hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="lawdesk-bench-hi1-"))
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from lawdesk.platform.generator import generate

    # The tests' small platform (its demo channel holds the messages the take-downs name).
    platform = generate(home / "platform", accounts=1_500, events=60_000, messages=20_000,
                        seed=20240824)
    os.environ.update({"LAWDESK_HOME": str(home), "LAWDESK_MODE": "test",
                       "LAWDESK_PLATFORM_DIR": str(platform),
                       "DATABASE_URL": args.database_url or f"sqlite:///{home / 'db.sqlite3'}",
                       "DJANGO_SETTINGS_MODULE": "lawdesk.settings",
                       "LAWDESK_HI1_IDENTITY": "IE:msgr-lawdesk",
                       "LAWDESK_HI1_PROXIES": "127.0.0.1",
                       "LAWDESK_VOLUME_PER_OFFICER_DAY": "100000",
                       "LAWDESK_VOLUME_PER_AGENCY_DAY": "100000"})
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    from lawdesk.demo.seed import seed

    seed(with_cases=False)
    print(json.dumps(run(args.messages), indent=1))


def _stats(name: str, seconds: list[float]) -> dict:
    ordered = sorted(seconds)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return {"workload": name, "messages": len(seconds),
            "messages_per_s": round(len(seconds) / sum(seconds), 1),
            "median_ms": round(statistics.median(seconds) * 1000, 2),
            "p99_ms": round(p99 * 1000, 2)}


def run(n: int) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from tests.factories import PDF_BYTES
    from tests.interop.messages import (
        authorisation,
        document,
        ids,
        ld_task,
        refinement,
        request,
        td_authorisation,
        td_task,
    )

    from lawdesk.accounts.models import User
    from lawdesk.accounts.services import approve_anchor_change
    from lawdesk.api.tokens import create_token
    from lawdesk.cases.models import Case
    from lawdesk.core.clock import utcnow
    from lawdesk.interop import services

    officer = User.objects.get(email="julien.moreau@justice-paris.example")
    admin, admin2 = (User.objects.get(email=e) for e in
                     ("admin@platform.example", "admin2@platform.example"))
    now = utcnow()
    change = services.propose_endpoint(
        actor=admin, now=now, agency=officer.officer.agency, officer=officer.officer,
        country_code="FR", unique_identifier="FR-PJJ-EEVIDENCE", fingerprint=FINGERPRINT,
        evidence="benchmark")
    approve_anchor_change(actor=admin2, now=now, change=change)
    _, token = create_token(officer_user=officer, name="bench", now=now)
    client = Client()
    form = b"<Form xmlns='http://data.europa.eu/edm/1/ns/forms/EPOC-FORM_1#'>EPOC</Form>"
    start, end = "2026-09-01T00:00:00Z", "2026-10-01T00:00:00Z"
    api_body = {
        "kind": "production", "instrument_type": "epoc", "instrument_reference": "FR-EPOC-1",
        "instrument_date": "2026-11-01", "issuer_name": "Juge Anne Roussel",
        "issuer_role": "judge", "authority_file_number": "FR-EPOC-1",
        "offence_category": "other", "offence_description": "Not given in the HI-1 message.",
        "categories": ["subscriber", "identification"], "window_start": start,
        "window_end": end, "targets": [{"identifier": "+33612345678"},
                                       {"identifier": "@night_owl"}]}

    def hi1_epoc() -> bytes:
        auth, t1, t2, doc = ids(4)
        return request(authorisation(auth), ld_task(t1, auth, identifier="33612345678"),
                       ld_task(t2, auth, identifier="night_owl", fmt="Username",
                               request_type="UserIdentifyingData", ldid="FR-EPOC42-0002")
                       .replace(">ETSI</task:FormatOwner>", ">msgr-lawdesk</task:FormatOwner>"),
                       document(doc, auth, form))

    def hi1_takedown(i: int) -> bytes:
        auth, task, doc = ids(3)
        links = [f"https://msgr.example/demo_channel/{357 + (2 * i + k) % 29}" for k in (0, 1)]
        return request(td_authorisation(auth, reference=f"FR-TCO-{i}"),
                       td_task(task, auth, links), refinement(doc, auth, PDF_BYTES))

    def post_hi1(data: bytes) -> None:
        response = client.post("/hi1/", data=data, content_type="application/xml",
                               REMOTE_ADDR="127.0.0.1", HTTP_X_CLIENT_CERT_SHA256=FINGERPRINT)
        assert response.status_code == 200 and b"ErrorInformation" not in response.content, \
            response.content[:2000]

    def post_api() -> None:
        response = client.post("/api/v1/requests", headers={"Authorization": f"Bearer {token}"},
                               data={"request": json.dumps(api_body), "attachments": [
                                   SimpleUploadedFile("order.pdf", PDF_BYTES, "application/pdf")]})
        assert response.status_code == 201, response.content[:2000]

    results = {}
    for name in ("hi1_epoc", "api_submit", "hi1_getcspconfig", "hi1_takedown"):
        post_hi1(request("<GETCSPCONFIG/>"))  # warm up
        times = []
        for i in range(n):
            data = (hi1_epoc() if name == "hi1_epoc" else hi1_takedown(i)
                    if name == "hi1_takedown" else request("<GETCSPCONFIG/>"))
            t0 = time.perf_counter()
            if name == "api_submit":
                post_api()
            else:
                post_hi1(data)
            times.append(time.perf_counter() - t0)
        results[name] = _stats(name, times)
    cases = Case.objects.count()
    assert cases == 3 * n, cases
    return {"engine": os.environ["DATABASE_URL"].split(":")[0], **results,
            "hi1_over_api_median": round(results["hi1_epoc"]["median_ms"]
                                         / results["api_submit"]["median_ms"], 2),
            "cases_created": cases}


if __name__ == "__main__":
    main()
