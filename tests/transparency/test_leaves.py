"""Leaf format: canonical bytes, strict decoding, the salted commitment."""

from __future__ import annotations

import hashlib
import json

import pytest

from lawdesk.transparency.leaves import Leaf, LeafError, commitment, decode_leaf, opens_commitment, quarter_of

SALT = bytes(range(32))
GOOD = dict(period="2024-Q3", country="FR", kind="production", outcome="fulfilled", accounts_affected=2,
            commitment=commitment(SALT, "LD-2024-00042"))


def test_encoding_is_canonical_and_round_trips() -> None:
    data = Leaf(**GOOD).encode()
    assert data == json.dumps(GOOD, sort_keys=True, separators=(",", ":"))
    assert data.startswith('{"accounts_affected":2,"commitment":"')
    assert decode_leaf(data) == Leaf(**GOOD)


def test_commitment_is_sha256_of_salt_and_case_ref() -> None:
    assert GOOD["commitment"] == hashlib.sha256(SALT + b"LD-2024-00042").hexdigest()
    assert opens_commitment(GOOD["commitment"], SALT, "LD-2024-00042")
    assert not opens_commitment(GOOD["commitment"], SALT, "LD-2024-00043")
    with pytest.raises(LeafError):
        commitment(b"short", "LD-1")


@pytest.mark.parametrize("data", [
    json.dumps(GOOD, sort_keys=True),  # spaces
    json.dumps(GOOD, separators=(",", ":")),  # key order
    json.dumps({**GOOD, "case": "LD-2024-00042"}, sort_keys=True, separators=(",", ":")),
    json.dumps({k: v for k, v in GOOD.items() if k != "kind"}, sort_keys=True, separators=(",", ":")),
    json.dumps({**GOOD, "accounts_affected": True}, sort_keys=True, separators=(",", ":")),
    json.dumps({**GOOD, "accounts_affected": -1}, sort_keys=True, separators=(",", ":")),
    json.dumps({**GOOD, "accounts_affected": 2.0}, sort_keys=True, separators=(",", ":")),
    json.dumps({**GOOD, "period": "2024-09"}, sort_keys=True, separators=(",", ":")),
    json.dumps({**GOOD, "country": "fr"}, sort_keys=True, separators=(",", ":")),
    json.dumps({**GOOD, "outcome": "Fulfilled"}, sort_keys=True, separators=(",", ":")),
    json.dumps({**GOOD, "commitment": "LD-2024-00042"}, sort_keys=True, separators=(",", ":")),
    '{"accounts_affected":2,"accounts_affected":3}',
    "[]",
    "not json",
])
def test_anything_but_the_canonical_encoding_of_valid_fields_is_refused(data: str) -> None:
    with pytest.raises(LeafError):
        decode_leaf(data)


def test_a_new_outcome_is_counted_by_old_verifiers() -> None:
    data = Leaf(**{**GOOD, "outcome": "expired"}).encode()
    assert decode_leaf(data).outcome == "expired"


def test_quarters() -> None:
    assert [quarter_of(2024, m) for m in (1, 3, 4, 9, 10, 12)] == [
        "2024-Q1", "2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4", "2024-Q4"]
