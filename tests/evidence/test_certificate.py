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


# --- Languages (decision 0020) -----------------------------------------------------------------

FRENCH = {"instrument_type": "Ordonnance du juge d'instruction",
          "custodian_title": "Responsable de la conservation des enregistrements"}


def certificate_pages(tmp_path: Path, keys: Keys, **overrides) -> list[str]:
    """The certificate's text, page by page (pdftotext separates pages with a form feed)."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) not installed: scripts/ensure-system-libs.sh installs it")
    description = sample_description(custodian=CUSTODIAN, **overrides)
    bag = write_bag(description, now=NOW, signer=keys.signer, dest=tmp_path / "evidence-x")
    out = subprocess.run(["pdftotext", str(bag.path / "data/certificate.pdf"), "-"],
                         capture_output=True, text=True, check=True).stdout
    return [" ".join(page.split()) for page in out.split("\f") if page.strip()]


def test_a_french_authority_reads_the_certificate_in_french_then_in_english(tmp_path: Path,
                                                                            keys: Keys) -> None:
    pages = certificate_pages(tmp_path, keys, language="fr", wording={"fr": FRENCH})
    english_from = next(i for i, page in enumerate(pages) if page.startswith("VERSION IN ENGLISH"))
    french, english = " ".join(pages[:english_from]), " ".join(pages[english_from:])
    assert pages[0].startswith("VERSION EN FRANÇAIS Certificat d'authenticité des enregistrements "
                               "professionnels Affaire LD-2026-000123")
    # The testimony, the order and every statement in French, with the French words of the order.
    assert ("Je soussigné(e), Riley Chen, Responsable de la conservation des enregistrements "
            "(Example Messenger Ltd), responsable de la conservation des enregistrements de la "
            "plateforme Example Messenger, certifie que les enregistrements de ce paquet ont été "
            "extraits le 2026-11-02 09:30:00 UTC") in french
    assert "copies complètes et exactes des enregistrements ainsi conservés" in french
    assert "Ordonnance du juge d'instruction JI-26/0042 du 2026-10-30, émise par Judge A. Martin" in french
    assert "Enregistrements produits 6" in french
    assert "Données relatives aux abonnés" in french
    assert ("Non détenu : chiffré de bout en bout. Le contenu est chiffré de bout en bout ; la "
            "plateforme ne détient pas les clés et ne peut pas le lire.") in french
    assert "Supprimé au terme de la durée de conservation avant la réception de la décision" in french
    assert "Comment vérifier" in french and "lawdesk verify PACKAGE.zip --public-key" in french
    # The same certificate in English after it, each version on its own pages.
    assert ("I, Riley Chen, Custodian of records of Example Messenger Ltd, a custodian of the "
            "records of Example Messenger, certify") in english
    assert "investigating judge order JI-26/0042 of 2026-10-30, issued by Judge A. Martin" in english
    assert "Not held: end-to-end encrypted" in english and "Records produced 6" in english
    assert "certifie" not in english and "Not held" not in french and "certify" not in french
    # No English phrase of the catalogue in the French version (the English one has them).
    from tests.support import english_phrases

    assert english_phrases(french) == [], french
    assert english_phrases(english)
    # Every file's SHA-256 is in both versions.
    for line in (tmp_path / "evidence-x" / "manifest-sha256.txt").read_text().splitlines():
        digest, rel = line.split(maxsplit=1)
        if rel != "data/certificate.pdf":
            assert digest in french and digest in english, rel


def test_counts_are_written_as_each_language_writes_them(tmp_path: Path, keys: Keys) -> None:
    pages = certificate_pages(tmp_path, keys, language="fr",
                              records=[RecordSet("identification", "+33612345678",
                                                 identification_rows(1234), system="ip-log-store")],
                              not_held=[])
    text = " ".join(pages)
    # (pdftotext gives French's narrow no-break space, which split() reads as a space.)
    assert "Enregistrements produits 1 234" in text and "Records produced 1,234" in text
    assert "1,234" not in text.split("VERSION IN ENGLISH")[0]
    assert "octets" in text and "bytes" in text


def test_an_english_speaking_authority_gets_one_version(tmp_path: Path, keys: Keys) -> None:
    text = " ".join(certificate_pages(tmp_path, keys))  # the default: English
    assert "VERSION" not in text and "Certificat d'authenticité" not in text
    assert text.startswith("Certificate of authenticity of business records")


def test_a_language_without_a_catalogue_is_not_claimed(tmp_path: Path, keys: Keys) -> None:
    # No German catalogue: English only, not English text under a "German version" label.
    text = " ".join(certificate_pages(tmp_path, keys, language="de"))
    assert "VERSION" not in text and text.startswith("Certificate of authenticity")


def test_the_certificate_is_written_the_same_without_django(tmp_path: Path) -> None:
    """Scripts and benchmarks build packages without Django settings: same French, same bytes."""
    import os
    import sys

    from lawdesk.evidence.certificate import certificate_html

    args = dict(now=NOW, files=[], record_sets=[], key_fingerprint="SHA256:x", bag_name="evidence-x")
    here = certificate_html(description=sample_description(language="fr"), **args)
    script = ("import sys; from tests.evidence.conftest import NOW, sample_description; "
              "from lawdesk.evidence.certificate import certificate_html; "
              "sys.stdout.write(certificate_html(description=sample_description(language='fr'), "
              "now=NOW, files=[], record_sets=[], key_fingerprint='SHA256:x', bag_name='evidence-x'))")
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    root = Path(__file__).resolve().parents[2]
    env["PYTHONPATH"] = os.pathsep.join([str(root / "src"), str(root)])
    there = subprocess.run([sys.executable, "-c", script], env=env, cwd=tmp_path, capture_output=True,
                           text=True, check=True).stdout
    assert "Je soussigné(e)" in there
    assert there == here
