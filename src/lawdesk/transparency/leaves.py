"""What a log leaf holds, its canonical encoding, and the case commitment (no Django).

A leaf is canonical JSON — sorted keys, no spaces, ASCII only — of exactly the fields a
transparency report counts, plus a salted commitment to the case. Its bytes are what is hashed,
and the log publishes those exact bytes, so no verifier has to re-create a JSON encoding.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import asdict, dataclass
from typing import Any

# Final outcomes the server logs (``append_leaf`` refuses others). Verifiers accept any
# identifier here, so adding an outcome later needs no new verifier: it is simply counted.
# They follow ``lawdesk.cases.models.outcome_of`` (plus ``not_held``, kept for old leaves).
OUTCOMES = ("fulfilled", "partly_fulfilled", "refused", "withdrawn", "not_held", "preserved",
            "converted_to_production", "actioned")
FIELDS = ("accounts_affected", "commitment", "country", "kind", "outcome", "period")
SALT_BYTES = 32

_PERIOD = re.compile(r"[0-9]{4}-Q[1-4]")
_COUNTRY = re.compile(r"[A-Z]{2}")
_KIND = re.compile(r"[a-z][a-z0-9_]{0,49}")
_COMMITMENT = re.compile(r"[0-9a-f]{64}")
_MAX_ACCOUNTS = 10**9


class LeafError(ValueError):
    """A leaf's fields are outside the format, or its bytes are not the canonical encoding."""


def commitment(salt: bytes, case_ref: str) -> str:
    """Hex SHA-256 of the salt followed by the UTF-8 case reference."""
    if len(salt) != SALT_BYTES:
        raise LeafError(f"the salt is {SALT_BYTES} bytes")
    return hashlib.sha256(salt + case_ref.encode("utf-8")).hexdigest()


def opens_commitment(value: str, salt: bytes, case_ref: str) -> bool:
    """Whether ``value`` commits to ``case_ref`` under ``salt`` (what a requester checks)."""
    return hmac.compare_digest(value, commitment(salt, case_ref))


def quarter_of(year: int, month: int) -> str:
    """The period string of a month, e.g. ``2024-Q3``."""
    return f"{year:04d}-Q{(month - 1) // 3 + 1}"


@dataclass(frozen=True)
class Leaf:
    """The counted facts of one closed case."""

    period: str
    country: str
    kind: str
    outcome: str
    accounts_affected: int
    commitment: str

    def __post_init__(self) -> None:
        if not isinstance(self.period, str) or not _PERIOD.fullmatch(self.period):
            raise LeafError(f"period must look like 2024-Q3, not {self.period!r}")
        if not isinstance(self.country, str) or not _COUNTRY.fullmatch(self.country):
            raise LeafError(f"country must be an ISO 3166 alpha-2 code, not {self.country!r}")
        if not isinstance(self.kind, str) or not _KIND.fullmatch(self.kind):
            raise LeafError(f"kind must be a lower-case identifier, not {self.kind!r}")
        if not isinstance(self.outcome, str) or not _KIND.fullmatch(self.outcome):
            raise LeafError(f"outcome must be a lower-case identifier, not {self.outcome!r}")
        if (not isinstance(self.accounts_affected, int) or isinstance(self.accounts_affected, bool)
                or not 0 <= self.accounts_affected <= _MAX_ACCOUNTS):
            raise LeafError("accounts_affected must be a non-negative integer")
        if not isinstance(self.commitment, str) or not _COMMITMENT.fullmatch(self.commitment):
            raise LeafError("commitment must be 64 lower-case hex digits")

    def encode(self) -> str:
        """The canonical JSON text of this leaf (what is hashed and published)."""
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":"), ensure_ascii=True)


# The only byte strings ``decode_leaf`` accepts, as one pattern: canonical JSON of these fields
# needs no escapes (every value is a plain identifier, digits or hex) and has one key order.
_CANONICAL = re.compile(
    r'\{"accounts_affected":(0|[1-9][0-9]{0,9}),"commitment":"[0-9a-f]{64}","country":"([A-Z]{2})",'
    r'"kind":"([a-z][a-z0-9_]{0,49})","outcome":"([a-z][a-z0-9_]{0,49})","period":"([0-9]{4}-Q[1-4])"\}')

Fields = tuple[str, str, str, str, int]
"""What a report counts of a leaf: ``(period, country, kind, outcome, accounts_affected)``."""


def leaf_fields(data: str) -> Fields:
    """The counted fields of published leaf data, refusing exactly what ``decode_leaf`` refuses.

    The fast path of the verifier (10^5 leaves in a fraction of a second): one regular
    expression instead of a JSON parse, a dataclass and a re-encoding per leaf. Anything the
    pattern does not match goes through ``decode_leaf``, whose error names the problem.
    """
    match = _CANONICAL.fullmatch(data)
    if match is None or int(match[1]) > _MAX_ACCOUNTS:
        leaf = decode_leaf(data)  # raises LeafError with the reason (or the pattern is too strict)
        return (leaf.period, leaf.country, leaf.kind, leaf.outcome, leaf.accounts_affected)
    return (match[5], match[2], match[3], match[4], int(match[1]))


def decode_leaf(data: str) -> Leaf:
    """Parse published leaf data; refuse unknown fields and any non-canonical encoding."""
    try:
        obj: Any = json.loads(data)
    except json.JSONDecodeError as exc:
        raise LeafError(f"leaf is not JSON: {exc}") from exc
    if not isinstance(obj, dict) or tuple(sorted(obj)) != FIELDS:
        raise LeafError(f"leaf must have exactly the fields {', '.join(FIELDS)}")
    leaf = Leaf(**obj)
    # Same facts, different bytes (spacing, escapes, key order) would be a second valid
    # encoding of one leaf; refusing it keeps one hash per leaf.
    if leaf.encode() != data:
        raise LeafError("leaf is not in canonical form")
    return leaf
