"""What a log leaf holds, its canonical encoding, and the case commitment (no Django).

A leaf is canonical JSON — sorted keys, no spaces, ASCII only — of exactly the fields a
transparency report counts, plus a salted commitment to the case. Its bytes are what is hashed,
and the log publishes those exact bytes, so no verifier has to re-create a JSON encoding.

Two formats, told apart by their fields (docs/decisions/0029-eu-reporting-templates.md):

- **v1** — ``accounts_affected, commitment, country, kind, outcome, period``: every leaf written
  before the EU reporting templates; still valid, counted by every report, never rewritten.
- **v2** — v1 plus ``"v":2`` and the facts the EU templates count (:class:`OrderFacts`): the
  order type under DSA Art. 15(1)(a) (``act``, ``info`` or ``none``), the instrument, the
  category of illegal content, the items named and given effect and preserved, the minutes from
  receipt to informing the authority of the receipt and to giving effect (``null`` when not
  recorded), and the Annex III reason a TCO order was not given effect for (``""`` if none).
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
ORDER_FIELDS = ("ack_min", "actioned", "category", "effect_min", "instrument", "items", "not_removed",
                "order", "preserved", "v")
FIELDS_V2 = tuple(sorted(FIELDS + ORDER_FIELDS))
ORDER_TYPES = ("act", "info", "none")
SALT_BYTES = 32

_PERIOD = re.compile(r"[0-9]{4}-Q[1-4]")
_COUNTRY = re.compile(r"[A-Z]{2}")
_KIND = re.compile(r"[a-z][a-z0-9_]{0,49}")
_COMMITMENT = re.compile(r"[0-9a-f]{64}")
_MAX_ACCOUNTS = 10**9
_MAX_MINUTES = 10**8


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


def _count(value: Any, name: str, top: int = _MAX_ACCOUNTS) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= top:
        raise LeafError(f"{name} must be a non-negative integer")


@dataclass(frozen=True)
class OrderFacts:
    """What the EU reporting templates count of one closed case (leaf format v2)."""

    order: str  # act | info | none (DSA Art. 15(1)(a): orders under Art. 9 and Art. 10)
    instrument: str
    category: str  # of illegal content: the DSA statement category, lower case, no prefix
    items: int  # items (URLs) named by an order to act; identifiers by an order to provide information
    actioned: int  # items given effect (removed or access disabled)
    preserved: int  # items whose content is preserved (TCO Art. 6)
    ack_min: int | None  # minutes from receipt to informing the authority of the receipt
    effect_min: int | None  # minutes from receipt to giving effect
    not_removed: str  # the Annex III reason a TCO order was not given effect for, "" if none

    def __post_init__(self) -> None:
        if self.order not in ORDER_TYPES:
            raise LeafError(f"order must be one of {', '.join(ORDER_TYPES)}, not {self.order!r}")
        for name in ("instrument", "category"):
            value = getattr(self, name)
            if not isinstance(value, str) or not _KIND.fullmatch(value):
                raise LeafError(f"{name} must be a lower-case identifier, not {value!r}")
        reason = self.not_removed
        if not isinstance(reason, str) or (reason and not _KIND.fullmatch(reason)):
            raise LeafError(f"not_removed must be empty or a lower-case identifier, not {self.not_removed!r}")
        for name in ("items", "actioned", "preserved"):
            _count(getattr(self, name), name)
        for name in ("ack_min", "effect_min"):
            if getattr(self, name) is not None:
                _count(getattr(self, name), name, _MAX_MINUTES)


@dataclass(frozen=True)
class Leaf:
    """The counted facts of one closed case (``order`` None: a v1 leaf)."""

    period: str
    country: str
    kind: str
    outcome: str
    accounts_affected: int
    commitment: str
    order: OrderFacts | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.period, str) or not _PERIOD.fullmatch(self.period):
            raise LeafError(f"period must look like 2024-Q3, not {self.period!r}")
        if not isinstance(self.country, str) or not _COUNTRY.fullmatch(self.country):
            raise LeafError(f"country must be an ISO 3166 alpha-2 code, not {self.country!r}")
        if not isinstance(self.kind, str) or not _KIND.fullmatch(self.kind):
            raise LeafError(f"kind must be a lower-case identifier, not {self.kind!r}")
        if not isinstance(self.outcome, str) or not _KIND.fullmatch(self.outcome):
            raise LeafError(f"outcome must be a lower-case identifier, not {self.outcome!r}")
        _count(self.accounts_affected, "accounts_affected")
        if not isinstance(self.commitment, str) or not _COMMITMENT.fullmatch(self.commitment):
            raise LeafError("commitment must be 64 lower-case hex digits")
        if self.order is not None and not isinstance(self.order, OrderFacts):
            raise LeafError("order must be OrderFacts")

    def fields(self) -> dict[str, Any]:
        """The leaf's fields as published: v1's six, or v2's (v1's, ``v`` and the order facts)."""
        out = {k: v for k, v in asdict(self).items() if k != "order"}
        if self.order is not None:
            out.update(asdict(self.order), v=2)
        return out

    def encode(self) -> str:
        """The canonical JSON text of this leaf (what is hashed and published)."""
        return json.dumps(self.fields(), sort_keys=True, separators=(",", ":"), ensure_ascii=True)


# The only byte strings ``decode_leaf`` accepts, as one pattern: canonical JSON of these fields
# needs no escapes (every value is a plain identifier, digits or hex) and has one key order.
_CANONICAL = re.compile(
    r'\{"accounts_affected":(0|[1-9][0-9]{0,9}),"commitment":"[0-9a-f]{64}","country":"([A-Z]{2})",'
    r'"kind":"([a-z][a-z0-9_]{0,49})","outcome":"([a-z][a-z0-9_]{0,49})","period":"([0-9]{4}-Q[1-4])"\}')

# v2: the same six fields among the order facts, in sorted key order.
_MIN = r"(?:null|0|[1-9][0-9]{0,7})"  # below _MAX_MINUTES: others go the slow way
_N = r"(?:0|[1-9][0-9]{0,8})"  # below _MAX_ACCOUNTS
_ID = r"[a-z][a-z0-9_]{0,49}"
_CANONICAL_V2 = re.compile(
    r'\{"accounts_affected":(0|[1-9][0-9]{0,9}),"ack_min":' + _MIN + r',"actioned":' + _N + r','
    r'"category":"' + _ID + r'","commitment":"[0-9a-f]{64}","country":"([A-Z]{2})","effect_min":' + _MIN
    + r',"instrument":"' + _ID + r'","items":' + _N + r',"kind":"(' + _ID + r')","not_removed":"(?:' + _ID
    + r')?","order":"(?:act|info|none)","outcome":"(' + _ID + r')","period":"([0-9]{4}-Q[1-4])",'
    r'"preserved":' + _N + r',"v":2\}')

Fields = tuple[str, str, str, str, int]
"""What a report counts of a leaf: ``(period, country, kind, outcome, accounts_affected)``."""


def leaf_fields(data: str) -> Fields:
    """The counted fields of published leaf data, refusing exactly what ``decode_leaf`` refuses.

    The fast path of the verifier (10^5 leaves in a fraction of a second): one regular
    expression instead of a JSON parse, a dataclass and a re-encoding per leaf. Anything the
    pattern does not match goes through ``decode_leaf``, whose error names the problem.
    """
    match = _CANONICAL.fullmatch(data) or _CANONICAL_V2.fullmatch(data)
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
    if not isinstance(obj, dict) or tuple(sorted(obj)) not in (FIELDS, FIELDS_V2):
        raise LeafError(f"leaf must have exactly the fields {', '.join(FIELDS)} (v1) or those and "
                        f"{', '.join(ORDER_FIELDS)} (v2)")
    order = None
    if "v" in obj:
        if obj["v"] != 2 or isinstance(obj["v"], bool):
            raise LeafError(f"leaf format v{obj['v']!r} is not known (v1 has no v field, v2 has v=2)")
        order = OrderFacts(**{k: obj.pop(k) for k in ORDER_FIELDS if k != "v"})
        del obj["v"]
    leaf = Leaf(**obj, order=order)
    # Same facts, different bytes (spacing, escapes, key order) would be a second valid
    # encoding of one leaf; refusing it keeps one hash per leaf.
    if leaf.encode() != data:
        raise LeafError("leaf is not in canonical form")
    return leaf


OrderRow = tuple[str, str, str, str, str, int, int, int, int | None, int | None, str, str]
"""What the EU templates count of a v2 leaf: ``(period, country, order, instrument, category,
items, actioned, preserved, ack_min, effect_min, not_removed, outcome)``."""


def order_row(data: str) -> OrderRow | None:
    """The EU templates' facts of published leaf data; None for a v1 leaf, or one that is neither
    an order under DSA Art. 15(1)(a) nor a TCO order. Call after ``leaf_fields`` accepted it."""
    if not data.endswith(',"v":2}') or ('"order":"none"' in data and '"instrument":"tco_' not in data):
        return None
    leaf = decode_leaf(data)
    o = leaf.order
    assert o is not None
    return (leaf.period, leaf.country, o.order, o.instrument, o.category, o.items, o.actioned,
            o.preserved, o.ack_min, o.effect_min, o.not_removed, leaf.outcome)
