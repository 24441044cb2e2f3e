"""Leaf format: canonical bytes, strict decoding, the salted commitment."""

from __future__ import annotations

import hashlib
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lawdesk.transparency.leaves import (
    Leaf,
    LeafError,
    commitment,
    decode_leaf,
    leaf_fields,
    opens_commitment,
    quarter_of,
)

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


@settings(max_examples=300, deadline=None)
@given(st.builds(Leaf, period=st.from_regex(r"[0-9]{4}-Q[1-4]", fullmatch=True),
                 country=st.from_regex(r"[A-Z]{2}", fullmatch=True),
                 kind=st.from_regex(r"[a-z][a-z0-9_]{0,49}", fullmatch=True),
                 outcome=st.sampled_from(["fulfilled", "refused", "actioned"]),
                 accounts_affected=st.integers(0, 10**9), commitment=st.from_regex(r"[0-9a-f]{64}", fullmatch=True)),
       st.integers(0, 400), st.text(max_size=3))
def test_the_fast_reader_accepts_and_refuses_exactly_what_decode_leaf_does(leaf: Leaf, at: int, noise: str) -> None:
    data = leaf.encode()
    assert leaf_fields(data) == (leaf.period, leaf.country, leaf.kind, leaf.outcome, leaf.accounts_affected)
    changed = data[:at] + noise + data[at + len(noise) // 2:]
    try:
        expected = decode_leaf(changed)
    except LeafError:
        with pytest.raises(LeafError):
            leaf_fields(changed)
    else:
        assert leaf_fields(changed) == (expected.period, expected.country, expected.kind, expected.outcome,
                                        expected.accounts_affected)


@pytest.mark.parametrize("data", [
    json.dumps({**GOOD, "accounts_affected": 10**9 + 1}, sort_keys=True, separators=(",", ":")),
    json.dumps({**GOOD, "accounts_affected": True}, sort_keys=True, separators=(",", ":")),
    json.dumps(GOOD, sort_keys=True),  # spaces
    json.dumps(GOOD, separators=(",", ":")),  # key order
])
def test_the_fast_reader_refuses_non_canonical_leaves(data: str) -> None:
    with pytest.raises(LeafError):
        leaf_fields(data)


ORDER = dict(order="act", instrument="tco_removal_order", category="risk_for_public_security", items=2,
             actioned=2, preserved=2, ack_min=0, effect_min=None, not_removed="")


def test_a_v2_leaf_carries_the_order_facts_and_round_trips() -> None:
    from lawdesk.transparency.leaves import OrderFacts, order_row

    leaf = Leaf(**GOOD, order=OrderFacts(**ORDER))
    data = leaf.encode()
    assert data.endswith(',"preserved":2,"v":2}') and '"effect_min":null' in data
    assert decode_leaf(data) == leaf
    assert leaf_fields(data) == ("2024-Q3", "FR", "production", "fulfilled", 2)  # what v1 reports count
    assert order_row(data) == ("2024-Q3", "FR", "act", "tco_removal_order", "risk_for_public_security",
                               2, 2, 2, 0, None, "", "fulfilled")
    assert order_row(Leaf(**GOOD).encode()) is None  # a v1 leaf has no order facts


@pytest.mark.parametrize("change", [
    {"v": 3}, {"v": True}, {"order": "maybe"}, {"items": -1}, {"ack_min": 1.5}, {"not_removed": "Because"},
    {"category": ""}, {"effect_min": "12"},
])
def test_a_v2_leaf_outside_the_format_is_refused(change: dict) -> None:
    fields = {**GOOD, **ORDER, "v": 2, **change}
    with pytest.raises(LeafError):
        leaf_fields(json.dumps(fields, sort_keys=True, separators=(",", ":")))


def test_a_v2_leaf_missing_a_field_is_refused() -> None:
    fields = {**GOOD, **ORDER, "v": 2}
    del fields["items"]
    with pytest.raises(LeafError, match="exactly the fields"):
        decode_leaf(json.dumps(fields, sort_keys=True, separators=(",", ":")))
