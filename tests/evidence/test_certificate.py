"""The certificate says exactly what the package holds: read back from the PDF with pdftotext.

Zero records, partial records, not held, deleted under retention, encrypted or not: each gives
different sentences, and none of them may claim more than the data shows.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from lawdesk.evidence.package import Custodian, NotHeld, NotHeldReason, RecordSet, write_bag

from .conftest import NOW, Keys, identification_rows, sample_description, subscriber_rows

CUSTODIAN = Custodian("Riley Chen", "Custodian of records", "Example Messenger Ltd")


def certificate_text(tmp_path: Path, keys: Keys, *, encrypted: bool = False, **overrides) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) not installed: scripts/ensure-system-libs.sh installs it")
    description = sample_description(custodian=CUSTODIAN, **overrides)
    bag = write_bag(description, now=NOW, signer=keys.signer, dest=tmp_path / "evidence-x",
                    encrypted=encrypted)
    out = subprocess.run(["pdftotext", str(bag.path / "data/certificate.pdf"), "-"],
                         capture_output=True, text=True, check=True).stdout
    return " ".join(out.split())


def test_zero_records_are_said_per_target_and_category(tmp_path: Path, keys: Keys) -> None:
    text = certificate_text(
        tmp_path, keys,
        records=[RecordSet("identification", "username-ghost", iter(()), system="connection log")],
        not_held=[NotHeld("username-nobody", "subscriber", NotHeldReason.NO_SUCH_ACCOUNT)],
        systems=["accounts", "connection log"])
    assert "None: all data" not in text
    assert "is produced above" not in text
    assert "this package contains no records" in text
    assert "Records produced 0" in text
    # Each (target, category) has its own line and its own reason.
    table = text.split("What was asked for, and what is produced")[1].split("Files and their")[0]
    assert table.count("username-ghost") == 1
    assert "No records. The search of this system found no records of this kind for this target" in table
    assert table.count("username-nobody") == 1
    assert "Not held: no such account. No account matches this identifier." in table
    # No claim that records were copied when none were.
    assert "complete and accurate copies" not in text


def test_partial_production_states_the_count_and_what_is_missing(tmp_path: Path, keys: Keys) -> None:
    text = certificate_text(
        tmp_path, keys,
        records=[RecordSet("identification", "+33612345678", identification_rows(3),
                           system="ip-log-store")],
        not_held=[NotHeld("+33612345678", "identification", NotHeldReason.PAST_RETENTION,
                          "Connection records from 2025-09-01 00:00 UTC to 2025-09-12 00:00 UTC "
                          "were deleted when their retention period (365 days) ended.")])
    assert "complete and accurate copies" in text
    assert "Records produced 3" in text
    assert "Deleted under retention before the order was received." in text
    assert "2025-09-12 00:00 UTC" in text
    assert "None: all data" not in text


def test_not_held_reasons_are_named_in_plain_words(tmp_path: Path, keys: Keys) -> None:
    text = certificate_text(
        tmp_path, keys,
        records=[RecordSet("subscriber", "acc-1", subscriber_rows(), system="accounts-db")],
        not_held=[NotHeld("acc-1", "content", NotHeldReason.END_TO_END_ENCRYPTED),
                  NotHeld("acc-1", "traffic", NotHeldReason.NONE_IN_WINDOW),
                  NotHeld("acc-1", "identification", NotHeldReason.DELETED_AFTER_RECEIPT)])
    assert "Not held: end-to-end encrypted" in text
    assert "Held, but no records in the period" in text
    assert "Deleted under retention after the order was received" in text
    for key in ("end_to_end_encrypted", "none_in_window", "deleted_after_receipt", "past retention"):
        assert key not in text


def test_a_named_custodian_certifies(tmp_path: Path, keys: Keys) -> None:
    text = certificate_text(tmp_path, keys)
    assert "I, Riley Chen, Custodian of records of Example Messenger Ltd, a custodian of the " \
           "records of Example Messenger, certify" in text
    assert "lawdesk collection" not in text and "proposed and approved" not in text


def test_only_the_systems_given_are_named(tmp_path: Path, keys: Keys) -> None:
    text = certificate_text(tmp_path, keys, systems=["accounts-db"])
    assert "Systems queried for this order accounts-db" in text
    assert "ip-log-store" not in text.split("Records produced")[0]


def test_verification_steps_match_a_plain_package(tmp_path: Path, keys: Keys) -> None:
    text = certificate_text(tmp_path, keys, encrypted=False)
    assert "--identity" not in text and "age -d" not in text and ".zip.age" not in text
    assert "lawdesk verify PACKAGE.zip --public-key PLATFORM_KEY.pem --files" in text
    assert "not encrypted" in text


def test_verification_steps_match_an_encrypted_package(tmp_path: Path, keys: Keys) -> None:
    text = certificate_text(tmp_path, keys, encrypted=True)
    assert "lawdesk verify PACKAGE.zip.age --identity AGE_IDENTITY_FILE" in text
    assert "age -d -i AGE_IDENTITY_FILE" in text
