"""What the collector records for each (target, category), read back from the package.

"Not held", "held but none in the period" and "deleted under retention before the order was
received" are different statements; the collector must know which one applies. The platform's
retention job really runs here (on a copy of the dataset), and the certificate is read with
pdftotext.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest

from lawdesk.collection import services as collection
from lawdesk.collection.models import EvidencePackage
from lawdesk.platform.retention import apply_retention

from .test_collection import approve

pytestmark = pytest.mark.django_db


def package(case) -> dict[str, bytes]:
    with zipfile.ZipFile(EvidencePackage.objects.get(case=case).path) as zf:
        return {n.split("/", 1)[1]: zf.read(n) for n in zf.namelist() if "/" in n}


def certificate(files: dict[str, bytes]) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) not installed")
    out = subprocess.run(["pdftotext", "-", "-"], input=files["data/certificate.pdf"],
                         capture_output=True, check=True).stdout.decode()
    return " ".join(out.split())


def statements(files: dict[str, bytes]) -> set[tuple[str, str, str]]:
    return {(s["target"], s["category"], s["reason"])
            for s in json.loads(files["data/not_held.json"])["statements"]}


@pytest.fixture
def own_platform(platform_data, settings, tmp_path):
    """A private copy of the dataset: these tests run the retention job, which deletes rows."""
    from lawdesk.collection import collector

    copy = Path(shutil.copytree(platform_data, tmp_path / "platform"))
    (copy / "holds.json").unlink(missing_ok=True)
    shutil.rmtree(copy / "outbox", ignore_errors=True)
    settings.LAWDESK_PLATFORM_DIR = str(copy)
    collector.connector.cache_clear()
    yield copy
    collector.connector.cache_clear()


def test_no_records_in_a_held_period_is_said_so(platform, submit, reviewer, approver, now, settings):
    settings.LAWDESK_CUSTODIAN_NAME = "Riley Chen"
    settings.LAWDESK_CUSTODIAN_TITLE = "Custodian of records"
    settings.LAWDESK_CUSTODIAN_ORGANISATION = "Msgr Ltd"
    case = submit(targets=[{"identifier": "@night_owl"}],
                  window_start="2026-08-01T00:00:00Z", window_end="2026-09-01T00:00:00Z")
    approve(case, reviewer, approver, now, ["identification"])
    assert collection.run_collection(case.pk, clock=lambda: now)
    files = package(case)
    assert statements(files) == {("username-night_owl", "identification", "none_in_window")}
    text = certificate(files)
    assert "this package contains no records" in text
    assert "Held, but no records in the period" in text
    assert "None: all data" not in text
    # Only what this order needed was queried: no message stores for an identification order.
    assert "Systems queried for this order accounts; connection log Records produced 0" in text
    assert "message metadata" not in text and "cloud messages" not in text
    assert "I, Riley Chen, Custodian of records of Msgr Ltd" in text
    assert "proposed and approved" not in text
    # Delivered unencrypted (the agency has no age key): no age instructions.
    assert "--identity" not in text and "age -d" not in text


def test_data_deleted_under_retention_before_receipt(own_platform, submit, reviewer, approver, now):
    # The retention job ran a month before the order arrived, keeping a year of logs.
    apply_retention(own_platform, now=now - timedelta(days=32), keep_for=timedelta(days=365))
    case = submit(targets=[{"identifier": "+33 6 12 34 56 78"},
                           {"identifier": "203.0.113.7:1100 @ 2025-09-15T10:00:00Z"}],
                  window_start="2025-09-10T00:00:00Z", window_end="2025-09-20T00:00:00Z")
    approve(case, reviewer, approver, now, ["identification"])
    assert collection.run_collection(case.pk, clock=lambda: now + timedelta(minutes=1))
    files = package(case)
    said = statements(files)
    assert ("phone-+33612345678", "identification", "past_retention") in said, said
    # The IP target: nobody found because the log was deleted, not because there is no account.
    ip = [s for s in said if s[0].startswith("ip-203.0.113.7")]
    assert ip and all(s[2] == "past_retention" for s in ip), ip
    assert not any(s[2] in ("no_such_account", "none_in_window") for s in said), said
    text = certificate(files)
    assert "Deleted under retention before the order was received" in text
    assert "retention period (365 days) ended, before the order was received" in text
    assert "No account matches" not in text
    # The Paris prosecutor reads the same statements in French first, with the order's words
    # in French; the machine-readable statements stay in English.
    french, english = text.split("VERSION IN ENGLISH")
    assert french.startswith("VERSION EN FRANÇAIS Certificat d'authenticité")
    assert ("Injonction européenne de production (EPOC) EPOC-2026-0042 du 2026-10-30, émise par "
            "Anne Roussel (Procureur)") in french
    assert ("European Production Order (EPOC) EPOC-2026-0042 of 2026-10-30, issued by Anne Roussel "
            "(Prosecutor)") in english
    assert "Supprimé au terme de la durée de conservation avant la réception de la décision" in french
    assert "ont été supprimés à l'expiration de leur durée de conservation (365 jours), avant la " \
           "réception de la décision le" in french
    assert "Systèmes interrogés pour cette décision comptes; journal des connexions" in french
    assert "Connection records" not in french and "Connection records" in english
    explanations = [s["explanation"] for s in json.loads(files["data/not_held.json"])["statements"]]
    assert explanations and all(e.startswith("Connection records from ") for e in explanations)


def test_retention_after_receipt_is_not_passed_off_as_no_data(own_platform, submit, reviewer,
                                                              approver, now):
    case = submit(targets=[{"identifier": "+33 6 12 34 56 78"}],
                  window_start="2025-09-10T00:00:00Z", window_end="2025-09-20T00:00:00Z")
    approve(case, reviewer, approver, now, ["identification"])
    # No hold was placed, and retention ran between receipt and collection.
    apply_retention(own_platform, now=now + timedelta(hours=1), keep_for=timedelta(days=365))
    assert collection.run_collection(case.pk, clock=lambda: now + timedelta(hours=2))
    said = statements(package(case))
    assert {s[2] for s in said} == {"deleted_after_receipt"}, said
    assert "after the order was received" in certificate(package(case))


def test_partial_window_counts_what_is_left_and_states_what_retention_took(
        own_platform, submit, reviewer, approver, now):
    # Cutoff 2025-09-15: the first half of the window was deleted before the order arrived.
    apply_retention(own_platform, now=now - timedelta(days=1),
                    keep_for=(now - timedelta(days=1)) - (now.replace(year=2025, month=9, day=15,
                                                                       hour=0, minute=0)))
    case = submit(targets=[{"identifier": "+33 6 12 34 56 78"}],
                  window_start="2025-09-10T00:00:00Z", window_end="2025-09-20T00:00:00Z")
    approve(case, reviewer, approver, now, ["identification"])
    assert collection.run_collection(case.pk, clock=lambda: now)
    files = package(case)
    index = json.loads(files["data/package.json"])
    rows = sum(r["records"] for r in index["record_sets"])
    assert rows > 0
    said = statements(files)
    assert {s[2] for s in said} == {"past_retention"}, said
    text = certificate(files)
    assert "from 2025-09-10 00:00 UTC to 2025-09-15 00:00 UTC were deleted" in text
    assert f"Records produced {rows:,}" in text
    assert "complete and accurate copies" in text


def test_collection_refuses_without_a_custodian(platform, submit, reviewer, approver, now, settings):
    settings.LAWDESK_CUSTODIAN_NAME = ""
    case = submit(targets=[{"identifier": "@night_owl"}],
                  window_start="2025-09-10T00:00:00Z", window_end="2025-09-20T00:00:00Z")
    approve(case, reviewer, approver, now, ["subscriber"])
    with pytest.raises(Exception, match="custodian of records"):
        collection.run_collection(case.pk, clock=lambda: now)
    assert not EvidencePackage.objects.filter(case=case).exists()
