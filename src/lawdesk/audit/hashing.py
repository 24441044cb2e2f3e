"""Canonical encoding and hashing of audit events (shared by writing and verifying).

The canonical form of an event is ``json.dumps(document, sort_keys=True, separators=(",", ":"),
ensure_ascii=False)`` encoded as UTF-8, where ``document`` holds every field of the event.
``canonical_bytes`` produces exactly those bytes faster: the top-level keys are fixed, so their
sorted order is written out once here, and only the two JSON objects (actor and parameters) go
through the encoder — one reused ``JSONEncoder`` with the same options, not a new one per call.
``tests/audit/test_canonical.py`` checks the two give the same bytes for arbitrary values.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

GENESIS_HASH = "0" * 64

# The options json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False) builds.
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
_encode = _ENCODER.encode
_encode_str = json.encoder.encode_basestring  # what the encoder above uses for every string


def _field(value: Any) -> str:
    """A top-level string, integer or null exactly as the encoder writes it, minus its overhead."""
    kind = type(value)
    if kind is str:
        return _encode_str(value)
    if kind is int:
        return int.__repr__(value)
    if value is None:
        return "null"
    return _encode(value)


# For values that come from json.loads (no cycles, nothing the encoder cannot write): the C
# encoder json.dumps would build, with the same options, built once instead of per call.
_c_make_encoder = getattr(json.encoder, "c_make_encoder", None)
_decoded_encoder = (
    None if _c_make_encoder is None
    else _c_make_encoder(None, _ENCODER.default, _encode_str, None, ":", ",", True, False, True)
)


def canonical_json_of_decoded(value: Any) -> str:
    """Canonical JSON of a value json.loads returned (so acyclic and of JSON types only)."""
    if type(value) is str:
        return _encode_str(value)
    if _decoded_encoder is None:  # pragma: no cover (CPython has the C encoder)
        return _encode(value)
    return "".join(_decoded_encoder(value, 0))


def canonical_time(at: datetime) -> str:
    """Render a timestamp in UTC with microseconds, the precision both databases keep."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_bytes(
    action: str, actor_json: str, actor_id: int | None, at: str, ip: str | None, params_json: str,
    prev_hash: str, seq: int, target_id: str, target_type: str, user_agent: str, /,
) -> bytes:
    """The canonical JSON of an event, its fields given in the sorted order of their keys.

    ``at`` is already canonical (``canonical_time``); ``actor_json`` and ``params_json`` are
    already canonical JSON (``canonical_json``).
    """
    return (
        f'{{"action":{_field(action)},"actor":{actor_json},"actor_id":{_field(actor_id)},'
        f'"at":{_field(at)},"ip":{_field(ip)},"params":{params_json},'
        f'"prev_hash":{_field(prev_hash)},"seq":{_field(seq)},"target_id":{_field(target_id)},'
        f'"target_type":{_field(target_type)},"user_agent":{_field(user_agent)}}}'
    ).encode()


def canonical_json(value: Any) -> str:
    """One value in the canonical JSON encoding (sorted keys, no spaces, UTF-8 as is)."""
    return _encode(value)


def canonical_sha256(value: Any) -> str:
    """SHA-256 (hex) of the canonical JSON of ``value``, UTF-8: the one definition behind the
    case receipt's hash, the API's idempotency fingerprint and the audit chain."""
    return hashlib.sha256(_encode(value).encode()).hexdigest()


def event_hash(
    *,
    seq: int,
    at: datetime,
    actor_id: int | None,
    actor: dict[str, Any],
    action: str,
    target_type: str,
    target_id: str,
    params: dict[str, Any],
    ip: str | None,
    user_agent: str,
    prev_hash: str,
) -> str:
    """SHA-256 over the canonical JSON of every field of the event, the previous hash included."""
    encoded = canonical_bytes(action, _encode(actor), actor_id, canonical_time(at), ip, _encode(params),
                              prev_hash, seq, target_id, target_type, user_agent)
    return hashlib.sha256(encoded).hexdigest()
