"""Verify an evidence package on the recipient's machine: no Django, no database.

Checks, stopping at the first failure and naming it: decryption (age), a safe unzip, the
Ed25519 signature over ``tagmanifest-sha256.txt``, both tag manifests, both payload manifests
(every file present, none extra, every checksum), and ``Payload-Oxum``.

Trust rule: the signature proves who made the package only against a key obtained elsewhere —
``public_key_pem`` (the platform's published PEM) or ``trusted_fingerprint``. Without either,
the embedded key is used to check consistency and its fingerprint is reported, but the result
is ``UNTRUSTED_KEY``, never ``VERIFIED``: anyone who can alter a package can re-sign it with a
key of their own and embed that.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import tempfile
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from lawdesk.evidence import bag, keylist
from lawdesk.evidence.bag import Failure
from lawdesk.evidence.catalogue import Catalogue, Message, gettext_noop
from lawdesk.evidence.unzip import Limits, safe_unzip

__all__ = ["Failure", "Limits", "Report", "Status", "safe_unzip", "verify_bag", "verify_package"]

AGE_MAGIC = b"age-encryption.org/v1\n"
AGE_ARMOR = b"-----BEGIN AGE ENCRYPTED FILE-----"
ZIP_MAGIC = b"PK\x03\x04"
_MANIFEST_LINE = re.compile(r"([0-9a-f]+)[ \t]+([^ \t\r].*)")
_HEX = {"sha256": re.compile(r"[0-9a-f]{64}"), "sha512": re.compile(r"[0-9a-f]{128}")}


class Status(StrEnum):
    """Overall outcome of a verification."""

    VERIFIED = "verified"  # intact, and signed by the key the user trusts
    UNTRUSTED_KEY = "untrusted_key"  # intact and consistently signed, but by a key nobody vouched for
    FAILED = "failed"


@dataclass
class Report:
    """What was verified, or the first failure."""

    package: str
    encrypted: bool = False
    bag_name: str = ""
    bagit_version: str = ""
    bag_info: dict[str, list[str]] = field(default_factory=dict)
    payload_files: int = 0
    payload_bytes: int = 0
    manifests: list[str] = field(default_factory=list)
    tag_files: int = 0
    tag_manifests: list[str] = field(default_factory=list)
    signature_valid: bool = False
    key_source: str = ""  # "public key file", "fingerprint", "published key list", "embedded, not trusted"
    key_validity: str = ""  # with a key list: the key's period, and that it covered the signing time
    key_fingerprint: str = ""
    embedded_fingerprint: str = ""
    files: list[tuple[str, int, str]] = field(default_factory=list)  # payload: path, size, sha256
    failure: str | None = None  # in English (--json); failure_said() in the command line's language
    failed: Failure | None = field(default=None, repr=False, compare=False)

    def failure_said(self, cat: Catalogue) -> str | None:
        """The failure in the language of ``cat`` (the details, not only the verdict)."""
        return self.failed.said(cat) if self.failed is not None else self.failure

    @property
    def status(self) -> Status:
        """VERIFIED, UNTRUSTED_KEY or FAILED."""
        if self.failure is not None or not self.signature_valid:
            return Status.FAILED
        trusted = self.key_source in ("public key file", "fingerprint", "published key list")
        return Status.VERIFIED if trusted else Status.UNTRUSTED_KEY

    def first(self, label: str) -> str:
        """The first value of a bag-info label, or ''."""
        return (self.bag_info.get(label) or [""])[0]

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data, with its status."""
        data = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "failed"}
        data["files"] = [{"path": p, "size": n, "sha256": h} for p, n, h in self.files]
        return {"status": self.status.value, **data}


def load_identities(path: Path) -> list[Any]:
    """The age X25519 identities in a file as written by ``age-keygen`` (comments ignored)."""
    # reason: start-up time: pyrage loads only when this runs
    import pyrage

    identities = []
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise Failure(str(path), gettext_noop(
            "cannot read the identity file (%(error)s)"),
            {"error": exc}) from exc
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("AGE-SECRET-KEY-"):
            try:
                identities.append(pyrage.x25519.Identity.from_str(line))
            except pyrage.IdentityError as exc:
                raise Failure(str(path), gettext_noop("malformed AGE-SECRET-KEY line")) from exc
    if not identities:
        raise Failure(str(path), gettext_noop("no age identity (AGE-SECRET-KEY-1…) in the file"))
    return identities


def _load_public_key(pem: bytes, where: str) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(pem)
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise Failure(where, gettext_noop("not a PEM public key")) from exc
    if not isinstance(key, Ed25519PublicKey):
        raise Failure(where, gettext_noop("not an Ed25519 public key"))
    return key


def fingerprint(key: Ed25519PublicKey) -> str:
    """``SHA256:<base64>`` of the raw key, as the platform publishes it."""
    return bag.fingerprint_raw(key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))


def _find_bag(root: Path) -> Path:
    if (root / "bagit.txt").is_file():
        return root
    entries = sorted(root.iterdir())
    bags = [p for p in entries if p.is_dir() and (p / "bagit.txt").is_file()]
    if len(bags) == 1:
        for extra in entries:
            if extra != bags[0]:
                raise Failure(extra.name, gettext_noop("outside the bag (extra file)"))
        return bags[0]
    raise Failure("bagit.txt", gettext_noop("missing: the package holds no BagIt bag") if not bags
                  else gettext_noop("the package holds more than one bag"))


def _read_tags(path: Path, rel: str) -> dict[str, list[str]]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise Failure(rel, gettext_noop("not UTF-8")) from exc
    tags: dict[str, list[str]] = {}
    label = None
    for line in text.splitlines():
        if not line.strip():
            continue
        if line[0] in " \t" and label is not None:  # folded continuation line
            tags[label][-1] += " " + line.strip()
            continue
        if ":" not in line:
            raise Failure(rel, gettext_noop("malformed line %(line)r"), {"line": line[:40]})
        label, value = line.split(":", 1)
        label = label.strip()
        tags.setdefault(label, []).append(value.strip())
    return tags


def _read_manifest(bag_dir: Path, rel: str, alg: str) -> dict[str, str]:
    path = bag_dir / rel
    if not path.is_file():
        raise Failure(rel, gettext_noop("missing"))
    entries: dict[str, str] = {}
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise Failure(rel, gettext_noop("not UTF-8")) from exc
    if text and not text.endswith("\n"):
        raise Failure(rel, gettext_noop("does not end with a newline"))
    # Strict on purpose: these bags are ours, and a parser that forgives case, stray blank lines
    # or other line breaks would let an unsigned manifest change without failing.
    for n, line in enumerate(text[:-1].split("\n") if text else [], 1):
        m = _MANIFEST_LINE.fullmatch(line)
        if m is None or not _HEX[alg].fullmatch(m.group(1)):
            raise Failure(rel, gettext_noop("malformed line %(n)s"), {"n": n})
        name = bag.decode_manifest_path(m.group(2))
        if name.startswith("/") or "\\" in name or any(x in ("", ".", "..") for x in name.split("/")):
            raise Failure(rel, gettext_noop("unsafe path on line %(n)s: %(name)r"), {"n": n, "name": name})
        if name in entries:
            raise Failure(rel, gettext_noop("%(name)s listed twice"), {"name": name})
        entries[name] = m.group(1)
    return entries


def _digests(path: Path) -> dict[str, str]:
    hashes = {alg: hashlib.new(alg) for alg in bag.ALGORITHMS}
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            for h in hashes.values():
                h.update(chunk)
    return {alg: h.hexdigest() for alg, h in hashes.items()}


def _walk(bag_dir: Path) -> list[str]:
    """Every regular file in the bag, relative, POSIX; links and special files are failures."""
    out = []
    for dirpath, dirnames, filenames in os.walk(bag_dir, followlinks=False):
        for name in dirnames + filenames:
            full = Path(dirpath) / name
            rel = full.relative_to(bag_dir).as_posix()
            st = full.lstat()
            if stat.S_ISLNK(st.st_mode):
                raise Failure(rel, gettext_noop("symbolic link in the bag"))
            if name in filenames:
                if not stat.S_ISREG(st.st_mode):
                    raise Failure(rel, gettext_noop("not a regular file"))
                out.append(rel)
    return sorted(out)


def _check_signature(bag_dir: Path, report: Report, public_key_pem: bytes | None,
                     trusted_fingerprint: str | None,
                     key_list: list[keylist.ListedKey] | None = None) -> keylist.ListedKey | None:
    sig_path = bag_dir / bag.SIGNATURE_FILE
    if not sig_path.is_file():
        raise Failure(bag.SIGNATURE_FILE, gettext_noop("missing: the package is not signed"))
    if not (bag_dir / bag.SIGNED_FILE).is_file():
        raise Failure(bag.SIGNED_FILE, gettext_noop("missing"))
    embedded: Ed25519PublicKey | None = None
    if (bag_dir / bag.PUBLIC_KEY_FILE).is_file():
        try:
            embedded = _load_public_key((bag_dir / bag.PUBLIC_KEY_FILE).read_bytes(), bag.PUBLIC_KEY_FILE)
            report.embedded_fingerprint = fingerprint(embedded)
        except Failure:
            if public_key_pem is None:
                raise
            # With a trusted key the embedded one is only informative; the tag manifest check
            # below names the altered file.
    listed = None
    if public_key_pem is not None:
        key = _load_public_key(public_key_pem, "--public-key")
        report.key_source = "public key file"
    elif key_list is not None:
        if embedded is None:
            raise Failure(bag.PUBLIC_KEY_FILE, gettext_noop(
                "missing: cannot look the key up in the key list"))
        listed = keylist.find(key_list, report.embedded_fingerprint, "package")
        key = Ed25519PublicKey.from_public_bytes(listed.raw)
        report.key_source = "published key list"
    elif trusted_fingerprint is not None:
        if embedded is None:
            raise Failure(bag.PUBLIC_KEY_FILE, gettext_noop(
                "missing: cannot compare with the given fingerprint"))
        if report.embedded_fingerprint != trusted_fingerprint.strip():
            raise Failure(bag.PUBLIC_KEY_FILE, gettext_noop(
                "key %(embedded_fingerprint)s is not the trusted key %(trusted)s"),
                {"embedded_fingerprint": report.embedded_fingerprint, "trusted": trusted_fingerprint.strip()})
        key = embedded
        report.key_source = "fingerprint"
    else:
        if embedded is None:
            raise Failure(bag.PUBLIC_KEY_FILE, gettext_noop("missing, and no --public-key given"))
        key = embedded
        report.key_source = "embedded, not trusted"
    report.key_fingerprint = fingerprint(key)
    signature = sig_path.read_bytes()
    try:
        key.verify(signature, (bag_dir / bag.SIGNED_FILE).read_bytes())
    except InvalidSignature:
        params = {"signed_file": bag.SIGNED_FILE, "key": report.key_fingerprint,
                  "embedded": report.embedded_fingerprint}
        if report.embedded_fingerprint and report.embedded_fingerprint != report.key_fingerprint:
            raise Failure(bag.SIGNATURE_FILE, gettext_noop(
                "Ed25519 signature over %(signed_file)s does not verify with key %(key)s (the package "
                "carries key %(embedded)s)"), params) from None
        raise Failure(bag.SIGNATURE_FILE, gettext_noop(
            "Ed25519 signature over %(signed_file)s does not verify with key %(key)s"), params) from None
    report.signature_valid = True
    return listed


def _produced_at(report: Report) -> datetime:
    text = report.first("Lawdesk-Produced-At")
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise Failure("bag-info.txt", gettext_noop(
            "Lawdesk-Produced-At %(text)r is not a time"),
            {"text": text}) from None
    if when.tzinfo is None:
        raise Failure("bag-info.txt", gettext_noop("Lawdesk-Produced-At has no time zone"))
    return when


def _check_name(report: Report) -> None:
    """The bag's folder must be the one the signed case number and production time give."""
    case = report.first("Lawdesk-Case-Number")
    if not case:
        raise Failure("bag-info.txt", gettext_noop("no Lawdesk-Case-Number"))
    expected = f"evidence-{bag.safe_segment(case)}-{_produced_at(report).astimezone(UTC):%Y%m%dT%H%M%SZ}"
    if report.bag_name != expected:
        raise Failure(report.bag_name, gettext_noop(
            "the bag's folder name does not match the signed case number %(case)s: expected %(expected)s"),
            {"case": case, "expected": expected})


def verify_bag(bag_dir: Path, report: Report, *, public_key_pem: bytes | None = None,
               trusted_fingerprint: str | None = None,
               key_list: list[keylist.ListedKey] | None = None) -> None:
    """Verify an unpacked bag in place, filling ``report``; raise :class:`Failure` at the first problem."""
    report.bag_name = bag_dir.name
    all_files = _walk(bag_dir)
    bagit_tags = _read_tags(bag_dir / "bagit.txt", "bagit.txt")
    report.bagit_version = (bagit_tags.get("BagIt-Version") or [""])[0]
    if report.bagit_version not in ("1.0", "0.97"):
        raise Failure("bagit.txt", gettext_noop(
            "unsupported BagIt-Version %(bagit_version)r"),
            {"bagit_version": report.bagit_version})
    if (bagit_tags.get("Tag-File-Character-Encoding") or [""])[0].upper() != "UTF-8":
        raise Failure("bagit.txt", gettext_noop("Tag-File-Character-Encoding is not UTF-8"))

    # The signature first: it anchors everything else, so a tampered tag manifest is reported
    # as such rather than as whichever file its altered lines happen to mention.
    listed = _check_signature(bag_dir, report, public_key_pem, trusted_fingerprint, key_list)

    tag_entries = {alg: _read_manifest(bag_dir, f"tagmanifest-{alg}.txt", alg) for alg in bag.ALGORITHMS}
    listed_tags = set(tag_entries["sha256"])
    # tagmanifest-sha256.txt is the signed one: where the two disagree, blame the other.
    for rel in sorted(listed_tags ^ set(tag_entries["sha512"])):
        raise Failure("tagmanifest-sha512.txt", gettext_noop(
            "%(rel)s not listed, unlike the signed tagmanifest-sha256.txt") if rel in listed_tags
            else gettext_noop("%(rel)s listed, unlike the signed tagmanifest-sha256.txt"), {"rel": rel})
    required = {"bagit.txt", "bag-info.txt", *(f"manifest-{a}.txt" for a in bag.ALGORITHMS)}
    for rel in sorted(required - listed_tags):
        raise Failure(rel, gettext_noop("not covered by the tag manifests"))
    for rel in sorted(listed_tags):
        if rel.startswith("data/"):
            raise Failure(rel, gettext_noop("payload file listed in a tag manifest"))
        if not (bag_dir / rel).is_file():
            raise Failure(rel, gettext_noop("listed in tagmanifest-sha256.txt but missing"))
        got = _digests(bag_dir / rel)
        if got["sha256"] != tag_entries["sha256"][rel]:
            raise Failure(rel, gettext_noop("sha256 mismatch (tagmanifest-sha256.txt)"))
        if got["sha512"] != tag_entries["sha512"][rel]:
            raise Failure("tagmanifest-sha512.txt", gettext_noop(
                "wrong sha512 for %(rel)s, whose sha256 matches the signed tagmanifest-sha256.txt"),
                {"rel": rel})
    report.tag_files = len(listed_tags)
    report.tag_manifests = list(bag.ALGORITHMS)
    # Authenticated now (its hash is in the signed tag manifest): worth showing even if a
    # payload check fails below.
    report.bag_info = _read_tags(bag_dir / "bag-info.txt", "bag-info.txt")
    _check_name(report)
    if listed is not None:
        signed_at = _produced_at(report)
        problem = listed.problem_at(signed_at)
        if problem is not None:
            raise Failure(bag.SIGNATURE_FILE, gettext_noop(
                "package key %(fingerprint)s was not valid when the package was signed: %(problem)s"),
                {"fingerprint": listed.fingerprint, "problem": problem})
        report.key_validity = Message(gettext_noop("package key %(period)s; valid when the package was "
                                                   "signed (%(at)s)"), period=listed.period(),
                                      at=report.first("Lawdesk-Produced-At"))

    unlisted_ok = {bag.SIGNATURE_FILE, *(f"tagmanifest-{a}.txt" for a in bag.ALGORITHMS)}
    for rel in all_files:
        if not rel.startswith("data/") and rel not in listed_tags and rel not in unlisted_ok:
            raise Failure(rel, gettext_noop("not listed in the tag manifests (extra file)"))

    manifests = {alg: _read_manifest(bag_dir, f"manifest-{alg}.txt", alg) for alg in bag.ALGORITHMS}
    payload = [rel for rel in all_files if rel.startswith("data/")]
    present = set(payload)
    for alg, entries in manifests.items():
        for rel in sorted(entries):
            if not rel.startswith("data/"):
                raise Failure(rel, gettext_noop("outside data/ in manifest-%(alg)s.txt"), {"alg": alg})
            if rel not in present:
                raise Failure(rel, gettext_noop("listed in manifest-%(alg)s.txt but missing"), {"alg": alg})
    for rel in payload:
        for alg, entries in manifests.items():
            if rel not in entries:
                raise Failure(rel, gettext_noop(
                    "not listed in manifest-%(alg)s.txt (extra file)"),
                    {"alg": alg})
    total = 0
    checked = []
    for rel in payload:
        got = _digests(bag_dir / rel)
        for alg in bag.ALGORITHMS:  # sha256 first, the checksum people compare by hand
            if got[alg] != manifests[alg][rel]:
                raise Failure(rel, gettext_noop("%(alg)s mismatch"), {"alg": alg})
        size = (bag_dir / rel).stat().st_size
        total += size
        checked.append((rel, size, got["sha256"]))
    report.payload_files, report.payload_bytes = len(payload), total
    report.manifests = list(bag.ALGORITHMS)
    report.files = checked

    oxum = report.first("Payload-Oxum")
    if not oxum:
        raise Failure("bag-info.txt", gettext_noop("no Payload-Oxum"))
    if oxum != f"{total}.{len(payload)}":
        raise Failure("bag-info.txt", gettext_noop(
            "Payload-Oxum %(oxum)s but the payload is %(total)s.%(count)s"),
            {"oxum": oxum, "total": total, "count": len(payload)})


def verify_package(package: Path, *, identity: Path | None = None, public_key_pem: bytes | None = None,
                   trusted_fingerprint: str | None = None, limits: Limits | None = None,
                   workdir: Path | None = None,
                   key_list: list[keylist.ListedKey] | None = None) -> Report:
    """Verify a package file (``.zip.age``, ``.zip``) or an unpacked bag directory; never raises Failure."""
    report = Report(package=str(package))
    limits = limits or Limits()
    try:
        if package.is_dir():
            verify_bag(_find_bag(package), report, public_key_pem=public_key_pem,
                       trusted_fingerprint=trusted_fingerprint, key_list=key_list)
            return report
        if not package.is_file():
            raise Failure(package.name, gettext_noop("no such file"))
        with tempfile.TemporaryDirectory(prefix="lawdesk-verify-", dir=workdir) as tmp:
            archive = package
            with open(package, "rb") as fh:
                head = fh.read(len(AGE_ARMOR))
            if head.startswith(AGE_MAGIC) or head.startswith(AGE_ARMOR):
                report.encrypted = True
                if identity is None:
                    raise Failure(package.name, gettext_noop(
                        "age-encrypted: pass the recipient's identity file (--identity)"))
                archive = Path(tmp) / "package.zip"
                _decrypt(package, archive, load_identities(identity))
            elif not head.startswith(ZIP_MAGIC):
                raise Failure(package.name, gettext_noop("neither an age-encrypted file nor a zip"))
            unpacked = Path(tmp) / "bag"
            unpacked.mkdir()
            safe_unzip(archive, unpacked, limits)
            if archive != package:
                archive.unlink()  # plaintext no longer needed; keep the disk use to one copy
            verify_bag(_find_bag(unpacked), report, public_key_pem=public_key_pem,
                       trusted_fingerprint=trusted_fingerprint, key_list=key_list)
    except Failure as exc:
        report.failure, report.failed = str(exc), exc
    except OSError as exc:  # disk full, unreadable file: still one line, not a traceback
        report.failure = f"{package.name}: {exc.strerror or exc}"
    return report


def _decrypt(src: Path, dst: Path, identities: list[Any]) -> None:
    # reason: start-up time: pyrage loads only when this runs
    import pyrage

    try:
        pyrage.decrypt_file(str(src), str(dst), identities)
    except pyrage.DecryptError as exc:
        raise Failure(src.name, gettext_noop(
            "cannot decrypt with the given identity (%(error)s)"),
            {"error": exc}) from exc
    except OSError as exc:
        # age authenticates every 64 KiB chunk: a changed byte past the header surfaces here.
        if exc.errno is None:
            raise Failure(src.name, gettext_noop(
                "damaged or altered: age decryption failed (%(error)s)"),
                {"error": exc}) from exc
        raise
