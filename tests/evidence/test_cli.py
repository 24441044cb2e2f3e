"""``lawdesk verify``: exit codes, the first failure named, and no Django on the way."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from lawdesk.evidence.package import BuiltPackage

from .conftest import Keys, flip_byte


def _clean_env() -> dict[str, str]:
    # An officer's machine: no settings module, no database, no lawdesk home.
    return {k: v for k, v in os.environ.items()
            if not k.startswith(("DJANGO", "LAWDESK", "DATABASE"))}


def _lawdesk(*args: str, lang: str = "C.UTF-8") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in _clean_env().items() if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES")}
    return subprocess.run([sys.executable, "-m", "lawdesk", "verify", *args], capture_output=True, text=True,
                          env=env | {"LANG": lang}, timeout=60)


def test_verify_encrypted_package_with_the_platform_key(sample_age: BuiltPackage, keys: Keys) -> None:
    done = _lawdesk(str(sample_age.path), "--identity", str(keys.identity_file),
                    "--public-key", str(keys.public_pem_file))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "VERIFIED" in done.stdout
    assert "7 files" in done.stdout and "sha256 and sha512 manifests match" in done.stdout
    assert "LD-2026-000123" in done.stdout


def test_verify_without_a_trusted_key_exits_3_and_prints_the_fingerprint(sample_zip: BuiltPackage) -> None:
    done = _lawdesk(str(sample_zip.path))
    assert done.returncode == 3
    assert sample_zip.bag.key_fingerprint in done.stdout
    assert "ORIGIN NOT CONFIRMED" in done.stdout


def test_verify_names_the_first_failure(bag_copy: Path, keys: Keys) -> None:
    flip_byte(bag_copy / "data/subscriber/acc-1000001.csv")
    done = _lawdesk(str(bag_copy), "--public-key", str(keys.public_pem_file))
    assert done.returncode == 1
    assert "FAILED: data/subscriber/acc-1000001.csv: sha256 mismatch" in done.stderr


def test_json_report_and_file_list(sample_zip: BuiltPackage, keys: Keys) -> None:
    import json

    done = _lawdesk(str(sample_zip.path), "--public-key", str(keys.public_pem_file), "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["status"] == "verified" and data["failure"] is None
    assert {f["path"]: f["sha256"] for f in data["files"]} == {f.path: f.sha256 for f in sample_zip.bag.files}
    listed = _lawdesk(str(sample_zip.path), "--public-key", str(keys.public_pem_file), "--files")
    assert listed.returncode == 0
    cert = next(f for f in sample_zip.bag.files if f.path == "data/certificate.pdf")
    assert cert.sha256 in listed.stdout


def test_wrong_identity_exits_1(sample_age: BuiltPackage, keys: Keys) -> None:
    done = _lawdesk(str(sample_age.path), "--identity", str(keys.other_identity_file))
    assert done.returncode == 1
    assert "cannot decrypt with the given identity" in done.stderr


def test_the_verify_path_never_imports_django(sample_age: BuiltPackage, keys: Keys) -> None:
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from lawdesk.cli import app\n"
        f"r = CliRunner().invoke(app, ['verify', {str(sample_age.path)!r}, '--identity', "
        f"{str(keys.identity_file)!r}, '--public-key', {str(keys.public_pem_file)!r}])\n"
        "assert r.exit_code == 0, r.output\n"
        "loaded = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        "assert not loaded, loaded[:5]\n"
        "assert 'weasyprint' not in sys.modules\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=_clean_env(),
                          timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stdout + done.stderr


def test_the_verifier_runs_alone_without_the_rest_of_lawdesk(sample_age: BuiltPackage, keys: Keys) -> None:
    # python -m lawdesk.evidence: what a recipient needs is cryptography, pyrage and typer.
    code = (
        "import runpy, sys\n"
        f"sys.argv = ['lawdesk.evidence', {str(sample_age.path)!r}, '--identity', {str(keys.identity_file)!r},"
        f" '--public-key', {str(keys.public_pem_file)!r}]\n"
        "try:\n"
        "    runpy.run_module('lawdesk.evidence', run_name='__main__')\n"
        "except SystemExit as exc:\n"
        "    assert exc.code in (0, None), exc.code\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'django', 'weasyprint', 'ibis', 'duckdb', 'pyarrow'})\n"
        "assert not heavy, heavy\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=_clean_env(),
                          timeout=60)
    assert done.returncode == 0 and done.stdout.strip().endswith("ok"), done.stdout + done.stderr
    assert "VERIFIED" in done.stdout


def test_a_french_command_line_reads_the_report_in_french(sample_age: BuiltPackage, sample_zip: BuiltPackage,
                                                          keys: Keys, bag_copy: Path) -> None:
    done = _lawdesk(str(sample_age.path), "--identity", str(keys.identity_file),
                    "--public-key", str(keys.public_pem_file), lang="fr_FR.UTF-8")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Paquet :" in done.stdout and "(chiffré avec age, déchiffré)" in done.stdout
    assert re.search(r"^Affaire :\s+LD-2026-000123$", done.stdout, re.M)
    assert "les manifestes sha256 et sha512 concordent ; aucun fichier manquant ni en trop" in done.stdout
    assert "(fichier de clé publique)" in done.stdout
    assert "VÉRIFIÉ : intact et signé par la clé de la plateforme" in done.stdout
    assert "VERIFIED" not in done.stdout and "manifests match" not in done.stdout
    untrusted = _lawdesk(str(sample_zip.path), lang="fr_FR.UTF-8")
    assert untrusted.returncode == 3 and "INTACT, ORIGINE NON CONFIRMÉE" in untrusted.stdout
    flip_byte(bag_copy / "data/subscriber/acc-1000001.csv")
    failed = _lawdesk(str(bag_copy), "--public-key", str(keys.public_pem_file), lang="fr_FR.UTF-8")
    assert failed.returncode == 1 and failed.stderr.startswith("ÉCHEC : data/subscriber/")
    assert failed.stderr.strip().endswith(": sha256 différent"), failed.stderr  # the detail too
    english = _lawdesk(str(bag_copy), "--public-key", str(keys.public_pem_file))
    assert english.stderr.strip().endswith(": sha256 mismatch"), english.stderr
    no_bag = bag_copy.parent / "empty"
    no_bag.mkdir()
    (no_bag / "notes.txt").write_text("not a package\n")
    empty = _lawdesk(str(no_bag), lang="fr_FR.UTF-8")
    assert empty.returncode == 1 and "ÉCHEC :" in empty.stderr, empty.stderr
    assert "mismatch" not in empty.stderr and "missing" not in empty.stderr and "the package" not in empty.stderr
    # Machine output does not move with the language.
    args = (str(sample_zip.path), "--public-key", str(keys.public_pem_file), "--json")
    assert _lawdesk(*args, lang="fr_FR.UTF-8").stdout == _lawdesk(*args).stdout
