"""The faster canonical encoder writes exactly the bytes of the original json.dumps encoding."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lawdesk.audit.actions import Action
from lawdesk.audit.hashing import canonical_bytes, canonical_json, canonical_json_of_decoded, event_hash


def _legacy_bytes(document: dict) -> bytes:
    """The encoding every stored hash was computed over (before issue 18)."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)  # no lone surrogates
scalars = st.none() | st.booleans() | st.integers(-(2**80), 2**80) | st.floats(allow_nan=True) | text
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(text, inner, max_size=5), max_leaves=20)
objects = st.dictionaries(text, values, max_size=6)


@settings(max_examples=400, deadline=None)
@given(actor=objects, params=objects, action=text, target_type=text, target_id=text, user_agent=text,
       ip=st.none() | text, actor_id=st.none() | st.integers(-(2**63), 2**63), seq=st.integers(1, 2**62),
       prev=st.text("0123456789abcdef", min_size=64, max_size=64))
def test_event_bytes_equal_the_original_encoding(actor, params, action, target_type, target_id,
                                                 user_agent, ip, actor_id, seq, prev):
    at = "2026-11-02T09:30:00.000001Z"
    legacy = _legacy_bytes({"seq": seq, "at": at, "actor_id": actor_id, "actor": actor, "action": action,
                            "target_type": target_type, "target_id": target_id, "params": params,
                            "ip": ip, "user_agent": user_agent, "prev_hash": prev})
    fast = canonical_bytes(action, canonical_json(actor), actor_id, at, ip, canonical_json(params), prev,
                           seq, target_id, target_type, user_agent)
    assert fast == legacy


@settings(max_examples=400, deadline=None)
@given(value=values)
def test_decoded_values_encode_as_the_original(value):
    stored = json.dumps(value)  # how JSONField writes it (ASCII escapes, spaces)
    decoded = json.loads(stored)
    assert canonical_json_of_decoded(decoded) == json.dumps(decoded, sort_keys=True, separators=(",", ":"),
                                                            ensure_ascii=False)


def test_event_hash_is_unchanged_for_a_known_event():
    # Computed by the code before issue 18 for this exact event.
    digest = event_hash(seq=7, at=datetime(2026, 11, 2, 9, 30, tzinfo=UTC), actor_id=None,
                        actor={"kind": "system"}, action="test:thing:done", target_type="", target_id="",
                        params={"n": 1, "text": "é ✓"}, ip=None, user_agent="", prev_hash="0" * 64)
    assert digest == KNOWN


KNOWN = "43b1cb80e2b84e2b8118043d6aa1e0ab3fb2b09cb1295c46603aa6a32065ab4c"


@pytest.mark.django_db
def test_sqlite_timestamps_in_another_spelling_verify_as_the_orm_read_them(now):
    from django.db import connection

    from lawdesk.audit.models import ChainHead, Event
    from lawdesk.audit.services import record
    from lawdesk.audit.verify import verify_chain

    if connection.vendor != "sqlite":
        pytest.skip("the stored spelling of a timestamp is SQLite's")
    record(Action.TRAIL_VIEWED, now=now)
    event = record(Action.TRAIL_VIEWED, now=now.replace(microsecond=250))
    # Another program wrote the time with a "T" and an offset: the ORM reads it as the same instant.
    from lawdesk.audit import triggers

    triggers.drop(connection)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_event SET at = %s WHERE seq = %s",
                       ["2026-11-02T11:30:00.000250+02:00", event.seq])
    triggers.install(connection)
    assert Event.objects.get(seq=event.seq).at == event.at
    report = verify_chain()
    assert report.intact, report.problem
    assert report.head_hash == ChainHead.objects.get().hash


@pytest.mark.django_db
def test_postgresql_renders_the_canonical_time_itself():
    """The verifier asks PostgreSQL for the canonical text of ``at``: it must equal canonical_time."""
    from django.db import connection

    from lawdesk.audit.hashing import canonical_time
    from lawdesk.audit.verify import _PG_TIME

    if connection.vendor != "postgresql":
        pytest.skip("the rendering is PostgreSQL's to_char")
    moments = [
        datetime(2026, 11, 2, 9, 30, tzinfo=UTC),  # no microseconds: still six digits
        datetime(2026, 11, 2, 9, 30, 0, 1, tzinfo=UTC),
        datetime(2026, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
        datetime(2027, 3, 28, 1, 0, 0, 500000, tzinfo=UTC),  # the Paris clock change
        datetime(1000, 1, 1, tzinfo=UTC),
        datetime(999, 12, 31, 23, 0, tzinfo=UTC),  # strftime does not pad the year: neither may we
        datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    ]
    with connection.cursor() as cursor:
        cursor.execute("SET TIME ZONE 'Europe/Paris'")  # the session's zone must not matter
        try:
            for moment in moments:
                cursor.execute(f"SELECT {_PG_TIME} FROM (SELECT %s::timestamptz AS at) t", [moment])
                assert cursor.fetchone()[0] == canonical_time(moment), moment
        finally:
            cursor.execute("SET TIME ZONE 'UTC'")
