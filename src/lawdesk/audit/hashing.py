"""Canonical encoding and hashing of audit events (shared by writing and verifying)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

GENESIS_HASH = "0" * 64


def canonical_time(at: datetime) -> str:
    """Render a timestamp in UTC with microseconds, the precision both databases keep."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


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
    document = {
        "seq": seq,
        "at": canonical_time(at),
        "actor_id": actor_id,
        "actor": actor,
        "action": action,
        "target_type": target_type,
        "target_id": target_id,
        "params": params,
        "ip": ip,
        "user_agent": user_agent,
        "prev_hash": prev_hash,
    }
    encoded = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()
