"""Fixtures: sample packages built once per session with a throwaway key, and helpers to tamper."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lawdesk.evidence.package import (
    Authority,
    BuiltPackage,
    LegalInstrument,
    NotHeld,
    NotHeldReason,
    PackageDescription,
    RecordSet,
    bag_name,
    build_package,
    write_bag,
)
from lawdesk.evidence.signing import KeySigner

NOW = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
CASE = "LD-2026-000123"


def subscriber_rows() -> Iterator[dict[str, Any]]:
    yield {"account_id": "acc-1000001", "phone": "+33612345678", "username": "renard",
           "created_at": datetime(2024, 1, 2, 8, 0, tzinfo=UTC), "email": None}


def identification_rows(n: int = 5) -> Iterator[dict[str, Any]]:
    for i in range(n):
        yield {"account_id": "acc-1000001", "event": "login", "ip": "203.0.113.7", "port": 40000 + i,
               "time": f"2026-10-0{1 + i % 9}T12:00:00Z"}


def sample_description(**overrides: Any) -> PackageDescription:
    fields: dict[str, Any] = dict(
        case_number=CASE,
        authority=Authority("Office mineurs (OFMIN)", "FR", file_number="PV 2026/118"),
        instrument=LegalInstrument("investigating_judge_order", "JI-26/0042", date(2026, 10, 30),
                                   issuer="Judge A. Martin"),
        platform_name="Example Messenger",
        producer="Alex Reviewer",
        systems=["accounts-db", "ip-log-store"],
        records=[
            RecordSet("subscriber", "acc-1000001", subscriber_rows(), system="accounts-db"),
            RecordSet("identification", "+33612345678", identification_rows(), system="ip-log-store"),
        ],
        not_held=[
            NotHeld("acc-1000001", "content", NotHeldReason.END_TO_END_ENCRYPTED),
            NotHeld("acc-1000001", "traffic", NotHeldReason.PAST_RETENTION,
                    "Connection logs older than 12 months are deleted."),
        ],
    )
    fields.update(overrides)
    return PackageDescription(**fields)


@dataclass
class Keys:
    signer: KeySigner
    public_pem: bytes
    public_pem_file: Path
    other_pem: bytes
    identity_file: Path
    recipient: str
    other_identity_file: Path


def _age_keygen(path: Path) -> str:
    # The identity comes from the real age-keygen, so the verifier reads what officers have.
    if shutil.which("age-keygen") is None:  # scripts/ensure-system-libs.sh installs it
        import pyrage

        ident = pyrage.x25519.Identity.generate()
        path.write_text(f"# public key: {ident.to_public()}\n{ident}\n")
        return str(ident.to_public())
    subprocess.run(["age-keygen", "-o", str(path)], check=True, capture_output=True)
    for line in path.read_text().splitlines():
        if line.startswith("# public key: "):
            return line.removeprefix("# public key: ").strip()
    raise AssertionError("age-keygen wrote no public key")


@pytest.fixture(scope="session")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Keys:
    d = tmp_path_factory.mktemp("keys")
    signer = KeySigner(Ed25519PrivateKey.generate())
    pem = signer.public_key_pem()
    (d / "platform.pem").write_bytes(pem)
    other = KeySigner(Ed25519PrivateKey.generate()).public_key_pem()
    recipient = _age_keygen(d / "officer.key")
    _age_keygen(d / "other.key")
    return Keys(signer, pem, d / "platform.pem", other, d / "officer.key", recipient, d / "other.key")


@pytest.fixture(scope="session")
def sample_bag(tmp_path_factory: pytest.TempPathFactory, keys: Keys) -> Path:
    """An unpacked, signed bag; copy it before changing anything (see ``bag_copy``)."""
    root = tmp_path_factory.mktemp("bag")
    return write_bag(sample_description(), now=NOW, signer=keys.signer, dest=root / bag_name(sample_description().case_number, NOW)).path


@pytest.fixture
def bag_copy(sample_bag: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(sample_bag, tmp_path / sample_bag.name))


@pytest.fixture(scope="session")
def sample_zip(tmp_path_factory: pytest.TempPathFactory, keys: Keys) -> BuiltPackage:
    out = tmp_path_factory.mktemp("zip")
    return build_package(sample_description(), now=NOW, signer=keys.signer, dest_dir=out)


@pytest.fixture(scope="session")
def sample_age(tmp_path_factory: pytest.TempPathFactory, keys: Keys) -> BuiltPackage:
    out = tmp_path_factory.mktemp("age")
    return build_package(sample_description(), now=NOW, signer=keys.signer, dest_dir=out,
                         recipient=keys.recipient)


def flip_byte(path: Path, at: int | None = None) -> None:
    data = bytearray(path.read_bytes())
    i = len(data) // 2 if at is None else at
    data[i] ^= 0x01
    path.write_bytes(bytes(data))
