"""The verifier: a good package verifies; any change, addition or removal fails, naming the file."""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

import pytest

from lawdesk.evidence.package import BuiltPackage
from lawdesk.evidence.verify import Failure, Limits, Status, safe_unzip, verify_package

from .conftest import Keys, flip_byte

PAYLOAD = [
    "data/subscriber/acc-1000001.jsonl",
    "data/subscriber/acc-1000001.csv",
    "data/identification/+33612345678.jsonl",
    "data/identification/+33612345678.csv",
    "data/not_held.json",
    "data/package.json",
    "data/certificate.pdf",
]


def test_sample_bag_verifies_with_the_platform_key(sample_bag: Path, keys: Keys) -> None:
    report = verify_package(sample_bag, public_key_pem=keys.public_pem)
    assert report.failure is None
    assert report.status is Status.VERIFIED
    assert report.payload_files == len(PAYLOAD)
    assert report.payload_bytes == sum((sample_bag / p).stat().st_size for p in PAYLOAD)
    assert report.manifests == ["sha256", "sha512"] and report.tag_manifests == ["sha256", "sha512"]
    assert report.signature_valid and report.key_source == "public key file"
    assert report.first("Lawdesk-Case-Number") == "LD-2026-000123"


def test_embedded_key_alone_is_intact_but_not_trusted(sample_bag: Path, keys: Keys) -> None:
    report = verify_package(sample_bag)
    assert report.failure is None
    assert report.status is Status.UNTRUSTED_KEY
    assert report.key_fingerprint == report.embedded_fingerprint


def test_matching_fingerprint_is_trusted_and_another_fails(sample_bag: Path, keys: Keys) -> None:
    fp = verify_package(sample_bag).embedded_fingerprint
    assert verify_package(sample_bag, trusted_fingerprint=fp).status is Status.VERIFIED
    report = verify_package(sample_bag, trusted_fingerprint="SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
    assert report.status is Status.FAILED
    assert report.failure is not None and report.failure.startswith("signature/platform-ed25519.pub.pem:")


def test_wrong_public_key_fails_naming_the_signature(sample_bag: Path, keys: Keys) -> None:
    report = verify_package(sample_bag, public_key_pem=keys.other_pem)
    assert report.failure is not None
    assert report.failure.startswith("signature/tagmanifest-sha256.txt.sig: Ed25519 signature over "
                                     "tagmanifest-sha256.txt does not verify")


@pytest.mark.parametrize("rel", PAYLOAD)
def test_one_changed_byte_in_a_payload_file_fails_naming_it(bag_copy: Path, keys: Keys, rel: str) -> None:
    flip_byte(bag_copy / rel)
    report = verify_package(bag_copy, public_key_pem=keys.public_pem)
    assert report.failure == f"{rel}: sha256 mismatch"


@pytest.mark.parametrize(("rel", "expected_prefix"), [
    ("bag-info.txt", "bag-info.txt: sha256 mismatch"),
    ("manifest-sha256.txt", "manifest-sha256.txt: sha256 mismatch"),
    ("manifest-sha512.txt", "manifest-sha512.txt: sha256 mismatch"),
    ("signature/platform-ed25519.pub.pem", "signature/platform-ed25519.pub.pem:"),
    ("bagit.txt", "bagit.txt:"),
    ("tagmanifest-sha256.txt", "signature/tagmanifest-sha256.txt.sig: Ed25519 signature over "
                               "tagmanifest-sha256.txt does not verify"),
    ("tagmanifest-sha512.txt", "tagmanifest-sha512.txt:"),
    ("signature/tagmanifest-sha256.txt.sig", "signature/tagmanifest-sha256.txt.sig:"),
])
def test_one_changed_byte_in_a_tag_file_fails_naming_it(bag_copy: Path, keys: Keys, rel: str,
                                                        expected_prefix: str) -> None:
    flip_byte(bag_copy / rel)
    report = verify_package(bag_copy, public_key_pem=keys.public_pem)
    assert report.failure is not None and report.failure.startswith(expected_prefix), report.failure


@pytest.mark.parametrize("at", [0, 70, 150, -2])
def test_any_byte_of_the_sha512_tag_manifest_is_blamed_on_it(bag_copy: Path, keys: Keys, at: int) -> None:
    path = bag_copy / "tagmanifest-sha512.txt"
    flip_byte(path, at % path.stat().st_size)
    report = verify_package(bag_copy, public_key_pem=keys.public_pem)
    assert report.failure is not None and report.failure.startswith("tagmanifest-sha512.txt:"), report.failure


def test_changed_embedded_key_without_a_given_key_fails_the_signature(bag_copy: Path) -> None:
    flip_byte(bag_copy / "signature/platform-ed25519.pub.pem", 40)
    report = verify_package(bag_copy)
    assert report.status is Status.FAILED
    assert report.failure is not None and report.failure.startswith("signature/")


def test_extra_payload_file_fails(bag_copy: Path, keys: Keys) -> None:
    (bag_copy / "data/subscriber/planted.csv").write_text("id\n1\n")
    report = verify_package(bag_copy, public_key_pem=keys.public_pem)
    assert report.failure == "data/subscriber/planted.csv: not listed in manifest-sha256.txt (extra file)"


def test_extra_tag_file_fails(bag_copy: Path, keys: Keys) -> None:
    (bag_copy / "notes.txt").write_text("hello")
    report = verify_package(bag_copy, public_key_pem=keys.public_pem)
    assert report.failure == "notes.txt: not listed in the tag manifests (extra file)"


def test_missing_payload_file_fails(bag_copy: Path, keys: Keys) -> None:
    (bag_copy / "data/identification/+33612345678.csv").unlink()
    report = verify_package(bag_copy, public_key_pem=keys.public_pem)
    assert report.failure == "data/identification/+33612345678.csv: listed in manifest-sha256.txt but missing"


@pytest.mark.parametrize(("rel", "expected"), [
    ("bag-info.txt", "bag-info.txt: listed in tagmanifest-sha256.txt but missing"),
    ("manifest-sha512.txt", "manifest-sha512.txt: listed in tagmanifest-sha256.txt but missing"),
    ("tagmanifest-sha512.txt", "tagmanifest-sha512.txt: missing"),
    ("tagmanifest-sha256.txt", "tagmanifest-sha256.txt: missing"),
    ("signature/tagmanifest-sha256.txt.sig", "signature/tagmanifest-sha256.txt.sig: missing: the package is not signed"),
])
def test_missing_tag_file_fails(bag_copy: Path, keys: Keys, rel: str, expected: str) -> None:
    (bag_copy / rel).unlink()
    report = verify_package(bag_copy, public_key_pem=keys.public_pem)
    assert report.failure == expected


def test_symlink_in_the_bag_fails(bag_copy: Path, keys: Keys) -> None:
    (bag_copy / "data/link").symlink_to("/etc/passwd")
    report = verify_package(bag_copy, public_key_pem=keys.public_pem)
    assert report.failure == "data/link: symbolic link in the bag"


def test_zip_package_verifies(sample_zip: BuiltPackage, keys: Keys) -> None:
    report = verify_package(sample_zip.path, public_key_pem=keys.public_pem)
    assert report.status is Status.VERIFIED, report.failure
    assert not report.encrypted
    assert report.bag_name == sample_zip.bag.name


def _rewrite_zip(src: Path, dst: Path, change: dict[str, bytes | None], add: dict[str, bytes] | None = None) -> None:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            rel = info.filename.split("/", 1)[1]
            if rel in change:
                if change[rel] is not None:
                    zout.writestr(info, change[rel])
                continue
            zout.writestr(info, zin.read(info))
        for name, data in (add or {}).items():
            zout.writestr(name, data)


def test_changed_byte_inside_the_zip_fails_naming_the_file(sample_zip: BuiltPackage, keys: Keys, tmp_path: Path) -> None:
    rel = "data/subscriber/acc-1000001.csv"
    with zipfile.ZipFile(sample_zip.path) as zf:
        data = bytearray(zf.read(f"{sample_zip.bag.name}/{rel}"))
    data[-3] ^= 0x01
    bad = tmp_path / "bad.zip"
    _rewrite_zip(sample_zip.path, bad, {rel: bytes(data)})
    report = verify_package(bad, public_key_pem=keys.public_pem)
    assert report.failure == f"{rel}: sha256 mismatch"


def test_file_missing_from_the_zip_fails(sample_zip: BuiltPackage, keys: Keys, tmp_path: Path) -> None:
    bad = tmp_path / "bad.zip"
    _rewrite_zip(sample_zip.path, bad, {"data/not_held.json": None})
    report = verify_package(bad, public_key_pem=keys.public_pem)
    assert report.failure == "data/not_held.json: listed in manifest-sha256.txt but missing"


def test_file_beside_the_bag_in_the_zip_fails(sample_zip: BuiltPackage, keys: Keys, tmp_path: Path) -> None:
    bad = tmp_path / "bad.zip"
    _rewrite_zip(sample_zip.path, bad, {}, add={"README.txt": b"trust me"})
    report = verify_package(bad, public_key_pem=keys.public_pem)
    assert report.failure == "README.txt: outside the bag (extra file)"


def test_encrypted_package_verifies_with_the_right_identity(sample_age: BuiltPackage, keys: Keys) -> None:
    assert sample_age.path.name.endswith(".zip.age")
    report = verify_package(sample_age.path, identity=keys.identity_file, public_key_pem=keys.public_pem)
    assert report.status is Status.VERIFIED, report.failure
    assert report.encrypted


def test_encrypted_package_fails_clearly_with_a_wrong_identity(sample_age: BuiltPackage, keys: Keys) -> None:
    report = verify_package(sample_age.path, identity=keys.other_identity_file, public_key_pem=keys.public_pem)
    assert report.failure is not None
    assert report.failure.startswith(f"{sample_age.path.name}: cannot decrypt with the given identity")


def test_encrypted_package_without_identity_asks_for_one(sample_age: BuiltPackage, keys: Keys) -> None:
    report = verify_package(sample_age.path, public_key_pem=keys.public_pem)
    assert report.failure is not None and "--identity" in report.failure


def test_identity_file_without_a_key_is_named(sample_age: BuiltPackage, keys: Keys, tmp_path: Path) -> None:
    bogus = tmp_path / "notakey.txt"
    bogus.write_text("# just a comment\n")
    report = verify_package(sample_age.path, identity=bogus, public_key_pem=keys.public_pem)
    assert report.failure == f"{bogus}: no age identity (AGE-SECRET-KEY-1…) in the file"


def test_not_a_package_is_refused(tmp_path: Path) -> None:
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"hello world, not a zip")
    assert verify_package(junk).failure == "junk.bin: neither an age-encrypted file nor a zip"


# --- safe unzip ---------------------------------------------------------------------------------

def _zip_with(tmp_path: Path, entries: list[tuple[zipfile.ZipInfo | str, bytes]]) -> Path:
    path = tmp_path / "hostile.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in entries:
            zf.writestr(info, data)
    return path


@pytest.mark.parametrize("name", ["../evil.txt", "bag/../../evil.txt", "/etc/evil", "bag\\..\\evil",
                                  "C:/evil.txt", "bag//x", "./x"])
def test_unzip_refuses_path_traversal(tmp_path: Path, name: str) -> None:
    archive = _zip_with(tmp_path, [(name, b"x")])
    report = verify_package(archive)
    assert report.failure is not None and "unsafe path in the zip" in report.failure
    assert not (tmp_path / "evil.txt").exists() and not (tmp_path.parent / "evil.txt").exists()


def test_unzip_names_a_file_where_a_directory_should_be(tmp_path: Path) -> None:
    archive = _zip_with(tmp_path, [("bag/a", b"1"), ("bag/a/b", b"2")])
    report = verify_package(archive)
    assert report.failure is not None and report.failure.startswith("bag/a/b: corrupt zip entry")


def test_unzip_refuses_symlinks(tmp_path: Path) -> None:
    info = zipfile.ZipInfo("bag/link")
    info.external_attr = 0o120777 << 16
    archive = _zip_with(tmp_path, [(info, b"/etc/passwd")])
    assert verify_package(archive).failure == "bag/link: symbolic link in the zip"


def test_unzip_refuses_duplicates(tmp_path: Path) -> None:
    archive = _zip_with(tmp_path, [("bag/a.txt", b"1"), ("bag/A.txt", b"2")])
    assert verify_package(archive).failure == "bag/A.txt: duplicate entry in the zip"


def test_unzip_refuses_a_zip_bomb(tmp_path: Path) -> None:
    archive = _zip_with(tmp_path, [("bag/zeros", b"\0" * (20 << 20))])  # ~1000:1
    report = verify_package(archive)
    assert report.failure is not None and "zip bomb" in report.failure


def test_unzip_refuses_other_compression_methods(tmp_path: Path) -> None:
    path = tmp_path / "bz.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_BZIP2) as zf:
        zf.writestr("bag/a", b"a" * 100)
    assert verify_package(path).failure == "bag/a: unsupported compression method 12"


def test_unzip_caps_the_total_size(tmp_path: Path) -> None:
    archive = _zip_with(tmp_path, [("bag/a", b"a" * 5000), ("bag/b", b"b" * 5000)])
    with pytest.raises(Failure, match="limit"):
        safe_unzip(archive, tmp_path / "out", Limits(max_total_bytes=8000))


def test_unzip_stops_at_the_real_size_when_the_directory_lies(tmp_path: Path) -> None:
    # Declare 10 bytes in the central directory and local header, store 100 000: extraction must
    # not write past what was declared (zipfile stops; our counter is the second line of defence).
    data = b"y" * 100_000
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("bag/big", data)
    raw = buf.getvalue().replace((100_000).to_bytes(4, "little"), (10).to_bytes(4, "little"))
    archive = tmp_path / "liar.zip"
    archive.write_bytes(raw)
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(Failure):
        safe_unzip(archive, out, Limits())
    big = out / "bag" / "big"
    assert not big.exists() or big.stat().st_size <= 10


# --- damaged packages ---------------------------------------------------------------------------

def _flipped(src: Path, dst: Path, rng: random.Random) -> int:
    data = bytearray(src.read_bytes())
    pos = rng.randrange(len(data))
    data[pos] ^= 1 << rng.randrange(8)
    dst.write_bytes(bytes(data))
    return pos


def test_random_bit_flips_in_the_zip_fail_by_name_never_crash(sample_zip: BuiltPackage, keys: Keys,
                                                              tmp_path: Path) -> None:
    def contents(path: Path) -> dict[str, bytes]:
        with zipfile.ZipFile(path) as zf:
            return {i.filename: zf.read(i) for i in zf.infolist()}

    original = contents(sample_zip.path)
    rng = random.Random(6)
    outcomes = []
    for _ in range(80):
        pos = _flipped(sample_zip.path, tmp_path / "x.zip", rng)
        report = verify_package(tmp_path / "x.zip", public_key_pem=keys.public_pem)  # must not raise
        outcomes.append(report.status)
        if report.status is not Status.FAILED:
            # Only container metadata the bag does not depend on (times, attributes in the zip's
            # directory) may change without failing: every name and byte of the bag is covered.
            assert contents(tmp_path / "x.zip") == original, pos
    assert outcomes.count(Status.FAILED) > 0.8 * len(outcomes)


def test_random_bit_flips_in_the_encrypted_package_always_fail(sample_age: BuiltPackage, keys: Keys,
                                                              tmp_path: Path) -> None:
    rng = random.Random(7)
    for _ in range(20):
        _flipped(sample_age.path, tmp_path / "x.zip.age", rng)
        report = verify_package(tmp_path / "x.zip.age", identity=keys.identity_file,
                                public_key_pem=keys.public_pem)
        assert report.failure is not None and report.failure.startswith("x.zip.age: "), report.failure


def test_random_bit_flips_in_any_file_of_the_bag_always_fail(bag_copy: Path, keys: Keys) -> None:
    # Every byte of every file is covered, the unsigned sha512 tag manifest included (its hex must
    # be lower case: a forgiving parser let 'a' -> 'A' through). An exhaustive run of all 34 128
    # single-bit flips of the tag files found no survivor; this samples all files.
    files = sorted(p for p in bag_copy.rglob("*") if p.is_file())
    rng = random.Random(8)
    for _ in range(150):
        path = rng.choice(files)
        original = path.read_bytes()
        _flipped(path, path, rng)
        report = verify_package(bag_copy, public_key_pem=keys.public_pem)
        path.write_bytes(original)
        assert report.failure is not None, path


def test_upper_case_hex_in_the_sha512_tag_manifest_fails(bag_copy: Path, keys: Keys) -> None:
    path = bag_copy / "tagmanifest-sha512.txt"
    text = path.read_text()
    i = next(i for i, c in enumerate(text) if c in "abcdef")
    path.write_text(text[:i] + text[i].upper() + text[i + 1:])
    report = verify_package(bag_copy, public_key_pem=keys.public_pem)
    line = text[:i].count("\n") + 1
    assert report.failure == f"tagmanifest-sha512.txt: malformed line {line}"
