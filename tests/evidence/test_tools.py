"""Independent tools agree with us: bagit.py, the age CLI, OpenSSL, unzip."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from lawdesk.evidence.package import BuiltPackage

from .conftest import Keys, flip_byte

BAGIT = str(Path(sys.executable).parent / "bagit.py")


def _bagit_validate(bag: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([BAGIT, "--validate", str(bag)], capture_output=True, text=True)


def test_bagit_py_validates_the_bag(sample_bag: Path) -> None:
    done = _bagit_validate(sample_bag)
    assert done.returncode == 0, done.stderr
    assert "is valid" in done.stderr


def test_bagit_py_also_rejects_a_changed_payload_byte(bag_copy: Path) -> None:
    flip_byte(bag_copy / "data/subscriber/acc-1000001.csv")
    assert _bagit_validate(bag_copy).returncode != 0


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl not installed")
def test_openssl_verifies_the_signature(sample_bag: Path, keys: Keys, tmp_path: Path) -> None:
    cmd = ["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", str(keys.public_pem_file), "-rawin",
           "-in", str(sample_bag / "tagmanifest-sha256.txt"),
           "-sigfile", str(sample_bag / "signature/tagmanifest-sha256.txt.sig")]
    done = subprocess.run(cmd, capture_output=True, text=True)
    assert done.returncode == 0 and "Signature Verified Successfully" in done.stdout, done.stdout + done.stderr
    # ...and OpenSSL rejects a changed manifest, so the check above is not vacuous.
    changed = tmp_path / "tm.txt"
    data = bytearray((sample_bag / "tagmanifest-sha256.txt").read_bytes())
    data[3] ^= 1
    changed.write_bytes(bytes(data))
    cmd[cmd.index("-in") + 1] = str(changed)
    assert subprocess.run(cmd, capture_output=True).returncode != 0


@pytest.mark.skipif(shutil.which("age") is None, reason="age not installed")
def test_age_cli_decrypts_and_bagit_validates_the_result(sample_age: BuiltPackage, keys: Keys,
                                                         tmp_path: Path) -> None:
    plain = tmp_path / "package.zip"
    subprocess.run(["age", "-d", "-i", str(keys.identity_file), "-o", str(plain), str(sample_age.path)],
                   check=True, capture_output=True)
    with zipfile.ZipFile(plain) as zf:
        assert zf.testzip() is None
        zf.extractall(tmp_path / "out")
    done = _bagit_validate(tmp_path / "out" / sample_age.bag.name)
    assert done.returncode == 0, done.stderr
    wrong = subprocess.run(["age", "-d", "-i", str(keys.other_identity_file), str(sample_age.path)],
                           capture_output=True)
    assert wrong.returncode != 0


@pytest.mark.skipif(shutil.which("unzip") is None, reason="unzip not installed")
def test_info_zip_reads_the_zip(sample_zip: BuiltPackage) -> None:
    done = subprocess.run(["unzip", "-t", str(sample_zip.path)], capture_output=True, text=True)
    assert done.returncode == 0 and "No errors detected" in done.stdout
