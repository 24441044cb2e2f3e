"""Collection of exactly the approved scope into a signed package, delivered and downloaded."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest

from lawdesk.audit.models import Event
from lawdesk.cases import disclosure, services
from lawdesk.cases.models import Status
from lawdesk.collection import services as collection
from lawdesk.collection.models import CollectionJob, EvidencePackage
from lawdesk.core import keys
from lawdesk.evidence.verify import verify_package

pytestmark = pytest.mark.django_db

WINDOW = {"window_start": "2025-09-10T00:00:00Z", "window_end": "2025-09-20T00:00:00Z"}


def approve(case, reviewer, approver, now, categories, targets=None):
    services.start_review(case=case, actor=reviewer, now=now)
    proposal = disclosure.propose_disclosure(
        case=case, actor=reviewer, now=now, categories=categories,
        target_ids=targets or [t.pk for t in case.targets.all()],
        legal_basis="EPOC issued by a prosecutor, Art. 4(1) e-Evidence")
    disclosure.approve_proposal(proposal=proposal, actor=approver, now=now)


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name.split("/", 1)[1]: zf.read(name) for name in zf.namelist() if "/" in name}


def test_approved_scope_becomes_a_verified_package(platform, submit, reviewer, approver, now):
    case = submit(targets=[{"identifier": "+33 6 12 34 56 78"},
                           {"identifier": "203.0.113.7:1100 @ 2025-09-15T10:00:00Z"}], **WINDOW)
    approve(case, reviewer, approver, now, ["subscriber", "identification"])
    job = CollectionJob.objects.get(case=case)
    assert job.status == CollectionJob.Status.QUEUED
    assert collection.run_collection(case.pk, clock=lambda: now + timedelta(minutes=1))
    case.refresh_from_db()
    assert case.status == Status.DELIVERED and case.accounts_affected == 1
    package = EvidencePackage.objects.get(case=case)
    report = verify_package(Path(package.path), public_key_pem=keys.public_key_pem())
    assert report.failure is None, report.failure
    files = members(Path(package.path))
    # The default platform policy: phone number only, and IP + port + time.
    subscriber = [name for name in files if name.startswith("data/subscriber/") and name.endswith(".csv")]
    rows = list(csv.DictReader(io.StringIO(files[subscriber[0]].decode())))
    assert set(rows[0]) == {"account_id", "phone_number"}
    assert rows[0]["phone_number"] == "+33612345678"
    ip_file = next(n for n in files if n.startswith("data/identification/ip-203.0.113.7") and n.endswith(".jsonl"))
    ip_rows = [json.loads(line) for line in files[ip_file].decode().splitlines()]
    assert {r["account_id"] for r in ip_rows} == {1000001}
    assert all(r["source_port"] == 1100 for r in ip_rows)
    assert set(ip_rows[0]) == {"account_id", "ip_address", "source_port", "timestamp"}
    job.refresh_from_db()
    assert job.status == CollectionJob.Status.DONE and job.units_done == job.units_total == 4
    assert Event.objects.filter(action="evidence:package:built", target_id=str(case.pk)).count() == 1


def test_second_run_is_a_no_op(platform, submit, reviewer, approver, now):
    case = submit(targets=[{"identifier": "@night_owl"}], **WINDOW)
    approve(case, reviewer, approver, now, ["subscriber"])
    assert collection.run_collection(case.pk, clock=lambda: now)
    assert not collection.run_collection(case.pk, clock=lambda: now)
    assert EvidencePackage.objects.filter(case=case).count() == 1
    assert len(list(Path(EvidencePackage.objects.get(case=case).path).parent.glob(f"{case.number}*"))) == 1


def test_unknown_target_is_stated_not_held(platform, submit, reviewer, approver, now):
    case = submit(targets=[{"identifier": "@nobody_here_at_all"}], **WINDOW)
    approve(case, reviewer, approver, now, ["subscriber", "identification"])
    collection.run_collection(case.pk, clock=lambda: now)
    files = members(Path(EvidencePackage.objects.get(case=case).path))
    statements = json.loads(files["data/not_held.json"])["statements"]
    assert {(s["category"], s["reason"]) for s in statements} == {
        ("subscriber", "no_such_account"), ("identification", "no_such_account")}


def test_officer_downloads_until_the_link_expires(client, platform, submit, officer, reviewer,
                                                  approver, now):
    from tests.factories import login

    case = submit(targets=[{"identifier": "+33 6 12 34 56 78"}], **WINDOW)
    approve(case, reviewer, approver, now, ["subscriber"])
    from lawdesk.core.clock import utcnow

    collection.run_collection(case.pk, clock=utcnow)  # the portal checks links against real time
    login(client, officer)
    page = client.get(f"/portal/cases/{case.pk}/").content.decode()
    assert "Download the evidence package" in page
    link = collection.active_link(case)
    response = client.get(f"/portal/cases/{case.pk}/package/{link.pk}/")
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert body == Path(link.package.path).read_bytes()
    assert Event.objects.filter(action="evidence:package:downloaded").count() == 1
    link.expires_at = utcnow() - timedelta(seconds=1)
    link.save()
    expired = client.get(f"/portal/cases/{case.pk}/package/{link.pk}/")
    assert expired.status_code == 410
    assert Event.objects.filter(action="evidence:package:download_refused").count() == 1
