"""A chain written by the code before issue 18 still verifies, with the same hashes.

``data/chain_before_issue18.json`` was made by ``tests/audit/make_chain_fixture.py`` with the
writer and verifier as they were before the faster verifier (commit order: the fixture first).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import RequestFactory

from lawdesk.audit import triggers
from lawdesk.audit.models import ChainHead, Event
from lawdesk.audit.services import append_unchecked
from lawdesk.audit.verify import verify_chain
from lawdesk.core.origin import Origin

pytestmark = pytest.mark.django_db

FIXTURE = json.loads((Path(__file__).parent / "data" / "chain_before_issue18.json").read_text("utf-8"))


def _load_stored_chain() -> None:
    Event.objects.bulk_create([
        Event(**{**row, "at": datetime.fromisoformat(row["at"])}) for row in FIXTURE["rows"]
    ])
    ChainHead.objects.filter(id=1).update(**FIXTURE["head"])


def test_stored_chain_verifies_with_its_recorded_head():
    _load_stored_chain()
    report = verify_chain()
    assert report.intact, report.problem
    assert report.length == FIXTURE["head"]["seq"] == len(FIXTURE["rows"])
    assert report.head_hash == FIXTURE["head"]["hash"]


def test_small_batches_give_the_same_result():
    _load_stored_chain()
    report = verify_chain(batch_size=3)
    assert report.intact and report.head_hash == FIXTURE["head"]["hash"]


def test_writer_still_produces_the_stored_hashes():
    factory = RequestFactory()
    replayed = []
    for spec in FIXTURE["inputs"]:
        origin, actor = None, None
        if spec["request"]:
            # The fixture's events made over the web were recorded with the request itself (and
            # its anonymous user) before services took an Origin: the same hashes prove the
            # Origin brings the address and user agent to the chain byte for byte.
            origin = Origin.from_request(factory.get("/x", REMOTE_ADDR=spec["request"]["ip"],
                                                     HTTP_USER_AGENT=spec["request"]["user_agent"]))
            actor = AnonymousUser()
        event = append_unchecked(spec["action"], actor=actor, origin=origin, params=spec["params"],
                       target_type=spec["target_type"], target_id=spec["target_id"],
                       now=datetime.fromisoformat(spec["now"]))
        replayed.append(event.hash)
    assert replayed == [row["hash"] for row in FIXTURE["rows"][: len(replayed)]]


@pytest.mark.parametrize(("column", "value"), [
    ("params", '{"n": 1, "text": "e ✓"}'),          # one character of a value
    ("actor", '{"kind": "system", "x": 1}'),
    ("user_agent", "Mozilla/5.0 (X11) e"),
    ("at", None),
])
def test_a_modified_stored_row_is_named(column, value):
    _load_stored_chain()
    target = 2 if column != "actor" else 26
    triggers.drop(connection)
    with connection.cursor() as cursor:
        if column == "at":
            event = Event.objects.get(seq=target)
            Event.objects.filter(seq=target).update(at=event.at.replace(microsecond=2))
        else:
            cursor.execute(f"UPDATE audit_event SET {column} = %s WHERE seq = %s", [value, target])
    triggers.install(connection)
    report = verify_chain()
    assert report.broken_seq == target
    assert "modified" in report.problem
