"""C2SP signed-note and tlog-checkpoint: the Go reference vector, the format's rules."""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from lawdesk.transparency import note
from lawdesk.transparency.note import NoteError

# golang.org/x/mod/sumdb/note's documented example: an independent implementation's output.
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_SKEY_DATA = "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"  # 0x01 || Ed25519 seed
GO_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
GO_NOTE = GO_TEXT + "\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"


def raw(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


@pytest.fixture
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def signed(text: str, key: Ed25519PrivateKey, name: str = "example.org/log") -> str:
    return note.sign_note(text, name, key.sign, raw(key))


def test_go_reference_note_is_reproduced_and_verified() -> None:
    seed = base64.b64decode(GO_SKEY_DATA)[1:]
    key = Ed25519PrivateKey.from_private_bytes(seed)
    assert note.verifier_key_string("PeterNeumann", raw(key)) == GO_VKEY
    assert note.sign_note(GO_TEXT, "PeterNeumann", key.sign, raw(key)) == GO_NOTE
    verifier = note.parse_verifier_key(GO_VKEY)
    assert note.open_note(GO_NOTE, [verifier]) == GO_TEXT
    assert note.open_note(GO_NOTE.encode(), [verifier]) == GO_TEXT
    with pytest.raises(NoteError, match="does not verify"):
        note.open_note(GO_NOTE.replace("cryptography", "cryptographY"), [verifier])


def test_key_id_is_the_spec_hash(key: Ed25519PrivateKey) -> None:
    expected = hashlib.sha256(b"example.org/log\n\x01" + raw(key)).digest()[:4]
    assert note.key_id("example.org/log", raw(key)) == expected
    vkey = note.verifier_key_string("example.org/log", raw(key))
    assert vkey.split("+")[1] == expected.hex()
    assert note.parse_verifier_key(vkey).public_key == raw(key)


@pytest.mark.parametrize("bad", [
    "",
    "PeterNeumann+c74f20a3",
    "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # wrong ID
    "PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # upper-case hex
    "Peter+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # other name
    "PeterNeumann+c74f20a3+AhpjcLcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # not type 0x01
    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10",  # truncated key
    "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
])
def test_malformed_verifier_keys_are_refused(bad: str) -> None:
    with pytest.raises(NoteError):
        note.parse_verifier_key(bad)


def test_unknown_signatures_are_ignored_but_a_known_key_must_sign(key: Ed25519PrivateKey) -> None:
    other = Ed25519PrivateKey.generate()
    text = "hello\n"
    mine = note.parse_verifier_key(note.verifier_key_string("example.org/log", raw(key)))
    theirs = signed(text, other, "witness.example")
    both = theirs + signed(text, key).split("\n\n", 1)[1]
    assert note.open_note(both, [mine]) == text
    with pytest.raises(NoteError, match="no signature from the trusted key"):
        note.open_note(theirs, [mine])
    # Same name, different key: an unknown key, ignored, so nothing verifies.
    impostor = signed(text, other, "example.org/log")
    with pytest.raises(NoteError, match="no signature from the trusted key"):
        note.open_note(impostor, [mine])


def test_a_known_key_with_a_bad_signature_rejects_the_note(key: Ed25519PrivateKey) -> None:
    mine = note.parse_verifier_key(note.verifier_key_string("example.org/log", raw(key)))
    good = signed("hello\n", key)
    blob = base64.b64decode(good.rsplit(" ", 1)[1])
    forged = bytes(blob[:4]) + bytes(64)
    bad = good.rsplit(" ", 1)[0] + " " + base64.b64encode(forged).decode() + "\n"
    with pytest.raises(NoteError, match="does not verify"):
        note.open_note(bad, [mine])


@pytest.mark.parametrize("mangle", [
    lambda n: n[:-1],  # no final newline
    lambda n: n.replace("\n\n", "\n"),  # no blank line
    lambda n: n.replace("— ", "- "),  # hyphen, not em dash
    lambda n: n.replace("— ", "—  "),  # two spaces
    lambda n: n.replace("hello", "hel\tlo"),  # control character
    lambda n: n.replace("hello", "hel\rlo"),
    lambda n: n + "trailing\n",  # not a signature line
    lambda n: n.replace("=\n", "\n") if n.endswith("=\n") else n[:-2] + "!\n",  # bad base64
    lambda n: n.split("\n\n")[0] + "\n\n",  # no signature lines
])
def test_malformed_notes_are_refused(key: Ed25519PrivateKey, mangle) -> None:
    mine = note.parse_verifier_key(note.verifier_key_string("example.org/log", raw(key)))
    good = signed("hello\nworld\n", key)
    with pytest.raises(NoteError):
        note.open_note(mangle(good), [mine])


def test_invalid_utf8_and_oversized_notes_are_refused(key: Ed25519PrivateKey) -> None:
    mine = note.parse_verifier_key(note.verifier_key_string("example.org/log", raw(key)))
    with pytest.raises(NoteError, match="UTF-8"):
        note.open_note(b"\xff\xfe\n\n\xe2\x80\x94 example.org/log AAAA\n", [mine])
    with pytest.raises(NoteError, match="too large"):
        note.open_note(signed("x" * 70_000 + "\n", key), [mine])


def test_text_may_contain_empty_lines_and_splits_at_the_last_one(key: Ed25519PrivateKey) -> None:
    mine = note.parse_verifier_key(note.verifier_key_string("example.org/log", raw(key)))
    text = "a\n\nb\n"
    assert note.open_note(signed(text, key), [mine]) == text


def test_checkpoint_round_trip_and_rules(key: Ed25519PrivateKey) -> None:
    root = hashlib.sha256(b"root").digest()
    text = note.format_checkpoint("example.org/log", 20852163, root)
    assert text == f"example.org/log\n20852163\n{base64.b64encode(root).decode()}\n"
    verifier = note.parse_verifier_key(note.verifier_key_string("example.org/log", raw(key)))
    cp = note.open_checkpoint(signed(text, key), verifier, origin="example.org/log")
    assert (cp.origin, cp.size, cp.root_hash, cp.extensions) == ("example.org/log", 20852163, root, ())
    with pytest.raises(NoteError, match="expected"):
        note.open_checkpoint(signed(text, key), verifier, origin="other.example/log")
    assert note.parse_checkpoint(f"o\n0\n{base64.b64encode(root).decode()}\n").size == 0
    assert note.parse_checkpoint(text + "ext\n", allow_extensions=True).extensions == ("ext",)


@pytest.mark.parametrize("body", [
    "o\n01\n{root}\n",  # leading zero
    "o\n+1\n{root}\n",
    "o\n 1\n{root}\n",
    "o\n1_0\n{root}\n",
    "o\n\u0661\n{root}\n",  # Arabic-Indic digit one: int() would take it
    "o\n-1\n{root}\n",
    "o\n1\n{root}",  # no final newline
    "o\n1\n",  # no root
    "\n1\n{root}\n",  # empty origin
    "o\n1\n{root}\n\n",  # empty extension line
    "o\n1\n{root}\nextension\n",  # extensions refused by default
    "o\n1\nAAAA\n",  # root too short
    "o\n1\n{root_unpadded}\n",
])
def test_malformed_checkpoints_are_refused(body: str) -> None:
    root = hashlib.sha256(b"root").digest()
    b64 = base64.b64encode(root).decode()
    with pytest.raises(NoteError):
        note.parse_checkpoint(body.format(root=b64, root_unpadded=b64.rstrip("=")))
