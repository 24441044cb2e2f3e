"""One key per purpose, rotation and revocation; packages verified against the published key list."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from lawdesk.evidence import keylist
from lawdesk.evidence.package import build_package
from lawdesk.evidence.signing import KeySigner, PlatformSigner
from lawdesk.evidence.verify import Status, verify_package
from tests.evidence.conftest import NOW, sample_description

T0 = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


@pytest.fixture
def key_home(tmp_path: Path, settings: Any) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    settings.HOME = str(home)
    settings.LAWDESK_KEYS_DIR = str(home / "keys")
    return home


def _key_list(tmp_path: Path) -> Path:
    from lawdesk.core import keys

    path = tmp_path / "lawdesk-keys.json"
    path.write_text(json.dumps(keys.published()))
    return path


def _build(at: datetime, out: Path, signer: Any = None) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    return build_package(sample_description(), now=at, signer=signer or PlatformSigner(), dest_dir=out).path


def test_each_purpose_has_its_own_key(key_home: Path) -> None:
    from lawdesk.core import keys

    keys.init(T0)
    fingerprints = {p: keys.fingerprint(p) for p in keys.PURPOSES}
    assert len(set(fingerprints.values())) == 3
    published = keys.published()["keys"]
    assert {(k["purpose"], k["fingerprint"]) for k in published} == {(p, f) for p, f in fingerprints.items()}
    assert all(k["not_after"] is None and "file" not in k for k in published)


def test_old_packages_still_verify_after_rotation(key_home: Path, tmp_path: Path) -> None:
    from lawdesk.core import keys

    keys.init(T0)
    old_pkg = _build(T0 + timedelta(minutes=1), tmp_path / "old")
    old, new = keys.rotate("package", T0 + timedelta(minutes=2))
    new_pkg = _build(T0 + timedelta(minutes=3), tmp_path / "new")
    listed = keylist.load(str(_key_list(tmp_path)))

    report = verify_package(old_pkg, key_list=listed)
    assert report.status is Status.VERIFIED, report.failure
    assert report.key_fingerprint == old.fingerprint
    assert "retired" in report.key_validity and "valid when the package was signed" in report.key_validity
    # `lawdesk verify`'s "Key validity:" line in the command line's language (decision 0020).
    from lawdesk.evidence.catalogue import catalogue, say
    from tests.support import english_phrases

    french = say(report.key_validity, catalogue("fr"))
    assert french.startswith("clé de paquet valide du 2026-11-30T08:00:00Z au 2026-11-30T08:02:00Z (retirée) ; "
                             "valide quand le paquet a été signé"), french
    assert english_phrases(french) == [], french
    report = verify_package(new_pkg, key_list=listed)
    assert report.status is Status.VERIFIED, report.failure
    assert report.key_fingerprint == new.fingerprint != old.fingerprint
    # The old key is kept for verification only: a package it signs after the rotation fails.
    late = _build(T0 + timedelta(minutes=4), tmp_path / "late",
                  KeySigner(keys._load_private(keys.keys_dir() / old.file)))
    report = verify_package(late, key_list=listed)
    assert report.status is Status.FAILED
    assert "validity ended at 2026-11-30T08:02:00Z" in (report.failure or "")


def test_revoked_key_fails_for_packages_signed_after_the_revocation_time(key_home: Path, tmp_path: Path) -> None:
    from lawdesk.core import keys

    keys.init(T0)
    before = _build(T0 + timedelta(minutes=1), tmp_path / "before")
    after = _build(T0 + timedelta(minutes=10), tmp_path / "after")
    fp = keys.fingerprint("package")
    _revoked, replacement = keys.revoke(fp, T0 + timedelta(minutes=5), "key file copied to a laptop that was lost",
                                       T0 + timedelta(minutes=20))
    assert replacement is not None and keys.fingerprint("package") == replacement.fingerprint
    listed = keylist.load(str(_key_list(tmp_path)))
    assert verify_package(before, key_list=listed).status is Status.VERIFIED
    report = verify_package(after, key_list=listed)
    assert report.status is Status.FAILED
    assert "revoked from 2026-11-30T08:05:00Z (key file copied to a laptop that was lost)" in (report.failure or "")
    # The reason is the platform's own words; the rest of the failure is said in French.
    from lawdesk.evidence.catalogue import catalogue

    french = report.failure_said(catalogue("fr")) or ""
    assert "elle a été révoquée à partir du 2026-11-30T08:05:00Z (key file copied to a laptop that was lost), " \
           "avant l'heure de signature" in french, french


def test_a_package_signed_with_the_checkpoint_key_is_refused(key_home: Path, tmp_path: Path) -> None:
    from lawdesk.core import keys

    keys.init(T0)
    pkg = _build(T0 + timedelta(minutes=1), tmp_path / "p", KeySigner(keys.signing_key("checkpoint")))
    report = verify_package(pkg, key_list=keylist.load(str(_key_list(tmp_path))))
    assert report.status is Status.FAILED
    assert "is the platform's checkpoint key, not a package key" in (report.failure or "")


def test_a_key_not_in_the_list_is_refused(key_home: Path, tmp_path: Path, keys: Any) -> None:
    from lawdesk.core import keys as platform_keys

    platform_keys.init(T0)
    pkg = _build(T0 + timedelta(minutes=1), tmp_path / "p", keys.signer)
    report = verify_package(pkg, key_list=keylist.load(str(_key_list(tmp_path))))
    assert report.status is Status.FAILED
    assert "is not in the platform's published key list" in (report.failure or "")


def test_a_bag_whose_folder_does_not_match_the_signed_case_number_fails(sample_bag: Path, tmp_path: Path,
                                                                       keys: Any) -> None:
    other = sample_bag.name.replace(sample_description().case_number, "LD-2026-000999")
    assert other != sample_bag.name
    renamed = Path(shutil.copytree(sample_bag, tmp_path / other))
    report = verify_package(renamed, public_key_pem=keys.public_pem)
    assert report.status is Status.FAILED
    assert f"{other}: the bag's folder name does not match the signed case number" in (report.failure or "")
    # The same bag under its own name verifies.
    assert verify_package(Path(shutil.copytree(sample_bag, tmp_path / "ok" / sample_bag.name)),
                          public_key_pem=keys.public_pem).status is Status.VERIFIED


def test_keys_list_document_rejects_a_wrong_fingerprint(tmp_path: Path) -> None:
    doc = {"format": "lawdesk-keys/1", "keys": [{
        "purpose": "package", "fingerprint": "SHA256:AAAA", "public_key": "A" * 43 + "=",
        "not_before": "2026-01-01T00:00:00Z", "not_after": None, "revoked_at": None}]}
    path = tmp_path / "k.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(keylist.Failure, match="does not match its key"):
        keylist.load(str(path))


@pytest.mark.django_db
def test_rotation_command_is_audited_logged_and_published(key_home: Path, tmp_path: Path) -> None:
    from django.test import Client

    from lawdesk.audit.models import AnchorEntry, Event
    from lawdesk.cli import app
    from lawdesk.core import keys

    keys.init(T0)
    old_fp = keys.fingerprint("package")
    pkg = _build(NOW.replace(year=2026, month=11, day=30, hour=9), tmp_path / "old")
    result = CliRunner().invoke(app, ["keys", "rotate", "--purpose", "package", "--note", "yearly"])
    assert result.exit_code == 0, result.output
    new_fp = keys.fingerprint("package")
    assert new_fp != old_fp
    event = Event.objects.get(action="core:key:rotated")
    assert event.params["old"] == old_fp and event.params["new"] == new_fp
    logged = [json.loads(d) for d in AnchorEntry.objects.filter(kind="key").values_list("data", flat=True)]
    retired = [e for e in logged if e["fingerprint"] == old_fp and e["not_after"]]
    assert retired and retired[0]["purpose"] == "package"
    assert any(e["fingerprint"] == new_fp for e in logged)
    # The well-known document lists both keys; the old package verifies against it.
    body = Client().get("/.well-known/lawdesk-keys.json")
    assert body.status_code == 200
    published = tmp_path / "published.json"
    published.write_bytes(body.content)
    result = CliRunner().invoke(app, ["verify", str(pkg), "--keys", str(published)])
    assert result.exit_code == 0, result.output
    assert "which was valid when the package was signed" in result.output
    assert "package key valid from 2026-11-30T08:00:00Z until" in result.output
