"""Writing to the audit trail: one call, inside the caller's transaction."""

from __future__ import annotations

import json
import math
from datetime import datetime
from typing import Any

from django.db import connection, models, transaction

from lawdesk.audit.actions import Action
from lawdesk.audit.hashing import event_hash
from lawdesk.audit.models import ChainHead, Event
from lawdesk.core.clock import utcnow
from lawdesk.core.origin import Origin
from lawdesk.core.permissions import roles_of


def _storable(value: Any) -> Any:
    """A JSON value both engines give back unchanged, so its hash still matches on verify.

    PostgreSQL cannot store the NUL character in text or jsonb (the append would fail, and with
    it the action being recorded): it becomes U+FFFD. jsonb keeps numbers as decimals and prints
    an integral float written with an exponent (``1e+16``) back as an integer
    (``10000000000000000``), and refuses NaN and infinities: such floats are recorded as their
    text. Other floats (``1e-07``, ``0.1``) come back as the same float.
    """
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, float) and (
        not math.isfinite(value) or (value.is_integer() and "e" in repr(value))
    ):
        return repr(value)
    if isinstance(value, dict):
        return {_storable(str(k)): _storable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_storable(v) for v in value]
    return value


def _jsonable(params: dict[str, Any]) -> dict[str, Any]:
    """Round-trip through JSON so what is hashed is exactly what the database gives back."""
    result: dict[str, Any] = _storable(json.loads(json.dumps(params, default=str, sort_keys=True)))
    return result


def actor_snapshot(user: Any) -> dict[str, Any]:
    """What the actor was when acting: name, e-mail, roles and agency."""
    if user is None or not getattr(user, "is_authenticated", False):
        return {"kind": "anonymous"} if user is not None else {"kind": "system"}

    snap: dict[str, Any] = {
        "kind": "user",
        "email": user.email,
        "name": user.full_name,
        "roles": sorted(roles_of(user)),
    }
    officer = getattr(user, "officer_or_none", None)
    if officer is not None:
        snap["agency_id"] = officer.agency_id
        snap["agency"] = officer.agency.name
    return snap


def record(
    action: Action,
    *,
    actor: Any = None,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str = "",
    params: dict[str, Any] | None = None,
    origin: Origin | None = None,
    now: datetime | None = None,
) -> Event:
    """Append one event to the chain, in the current transaction (or its own).

    ``action`` is one of the declared actions (lawdesk.audit.actions.Action); anything else
    raises ValueError before anything is written. The event stores its value, e.g.
    ``accounts:officer:approved``.
    """
    return append_unchecked(Action.of(action).value, actor=actor, target=target,
                            target_type=target_type, target_id=target_id, params=params,
                            origin=origin, now=now)


def append_unchecked(
    action: str,
    *,
    actor: Any = None,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str = "",
    params: dict[str, Any] | None = None,
    origin: Origin | None = None,
    now: datetime | None = None,
) -> Event:
    """The writer behind :func:`record`, for an action already checked. Only the test that
    replays the stored pre-issue-18 chain (whose actions were never declared) calls it
    directly, to show the writer still produces the stored hashes."""
    if target is not None:
        target_type = target._meta.label_lower
        target_id = str(target.pk)
    target_id = _storable(target_id)
    ip = origin.ip if origin is not None else None
    user_agent = _storable(origin.user_agent[:300]) if origin is not None else ""
    at = now or utcnow()
    actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    snapshot = _jsonable(actor_snapshot(actor))
    clean = _jsonable(params or {})
    with transaction.atomic():
        if connection.vendor == "postgresql":
            return _append_postgres({
                "at": at, "actor_id": actor_id, "actor": snapshot, "action": action,
                "target_type": target_type, "target_id": target_id, "params": clean, "ip": ip,
                "user_agent": user_agent,
            })
        # SQLite's IMMEDIATE transactions serialise writers (the row lock is a no-op there), and
        # its cost per event does not grow with the transaction (docs/benchmarks.md, audit).
        head = ChainHead.objects.select_for_update().get(id=1)
        fields: dict[str, Any] = {
            "seq": head.seq + 1, "at": at, "actor_id": actor_id, "actor": snapshot,
            "action": action, "target_type": target_type, "target_id": target_id,
            "params": clean, "ip": ip, "user_agent": user_agent, "prev_hash": head.hash,
        }
        digest = event_hash(**fields)
        event = Event.objects.create(**fields, hash=digest)
        head.seq, head.hash = fields["seq"], digest
        head.save(update_fields=["seq", "hash"])
    return event


def lock_chain_head() -> ChainHead:
    """The audit chain's head, row-locked until the transaction ends. Whoever must be serialised
    with every audited write (the anchor log, the transparency log) takes it, and takes it
    first: the audit head before any lock of their own, so that two writers never deadlock."""
    return ChainHead.objects.select_for_update().get(id=1)


# The chain head as this PostgreSQL transaction last wrote it: "ctid|seq|hash" of the head row's
# newest version, in a setting local to the transaction (so a rolled-back savepoint restores it).
_HEAD_SETTING = "lawdesk.audit_head"


def _append_postgres(fields: dict[str, Any]) -> Event:
    """Append on PostgreSQL at a cost per event that does not grow with the transaction.

    The head row's lock serialises writers, as before. But every UPDATE of a row leaves a new
    version of it, and in one transaction none of them can be cleaned up, so finding the row by
    its key walks all the versions this transaction made: appending 8,000 events in one
    transaction cost five times more per event at the end than at the start. The first append of a
    transaction locks the row by its key; the following ones read the head from the setting and
    update the newest version by its physical address (``ctid``), which is one lookup.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting(%s, true)", [_HEAD_SETTING])
        state = cursor.fetchone()[0]
        if state:
            ctid, seq_text, prev_hash = state.split("|")
            seq = int(seq_text)
        else:
            cursor.execute("SELECT ctid::text, seq, hash FROM audit_chain_head WHERE id = 1 FOR UPDATE")
            row = cursor.fetchone()
            if row is None:
                raise ChainHead.DoesNotExist("the audit chain head row is missing")
            ctid, seq, prev_hash = row
        full = {**fields, "seq": seq + 1, "prev_hash": prev_hash}
        digest = event_hash(**full)
        event = Event.objects.create(**full, hash=digest)
        cursor.execute(
            "UPDATE audit_chain_head SET seq = %s, hash = %s WHERE ctid = %s::tid AND id = 1 "
            "RETURNING set_config(%s, ctid::text || '|' || seq::text || '|' || hash, true)",
            [seq + 1, digest, ctid, _HEAD_SETTING],
        )
        if cursor.fetchone() is None:
            raise RuntimeError("the audit chain head moved during this transaction")
    return event
