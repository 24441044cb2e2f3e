"""The audit trail is append-only and any tampering is named by `lawdesk audit verify`."""

from __future__ import annotations

import itertools

import pytest
from django.db import DatabaseError, connection, transaction
from typer.testing import CliRunner

from lawdesk.audit import triggers
from lawdesk.audit.actions import Action
from lawdesk.audit.models import Event
from lawdesk.audit.services import record
from lawdesk.audit.verify import verify_chain
from lawdesk.cli import app
from lawdesk.core.origin import Origin

pytestmark = pytest.mark.django_db


def _five_events(now):
    return [record(Action.TRAIL_VIEWED, params={"n": i, "text": "é ✓"}, now=now) for i in range(5)]


def _cli_verify():
    return CliRunner().invoke(app, ["audit", "verify"])


def test_intact_chain_reports_length_and_head(now):
    events = _five_events(now)
    report = verify_chain()
    assert report.intact
    assert report.length == events[-1].seq == 5
    assert report.head_hash == events[-1].hash
    result = _cli_verify()
    assert result.exit_code == 0, result.output
    assert "intact" in result.output and "5 events" in result.output


def test_the_report_follows_the_command_lines_language(now):
    events = _five_events(now)
    french = CliRunner().invoke(app, ["audit", "verify"], env={"LANG": "fr_FR.UTF-8", "LANGUAGE": "",
                                                                "LC_ALL": "", "LC_MESSAGES": ""})
    assert french.exit_code == 0, french.output
    assert f"Chaîne d'audit intacte : 5 événements, tête {events[-1].hash}" in french.output
    assert "intact:" not in french.output


def test_each_event_links_to_the_previous_hash(now):
    events = _five_events(now)
    for before, after in itertools.pairwise(events):
        assert after.prev_hash == before.hash
        assert after.seq == before.seq + 1


@pytest.mark.parametrize("statement", [
    "UPDATE audit_event SET action = 'test:thing:undone' WHERE seq = 2",
    "DELETE FROM audit_event WHERE seq = 2",
])
def test_triggers_refuse_update_and_delete(now, statement):
    _five_events(now)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), \
            connection.cursor() as cursor:
        cursor.execute(statement)
    assert Event.objects.get(seq=2).action == Action.TRAIL_VIEWED


def test_modified_row_with_triggers_dropped_is_named(now):
    _five_events(now)
    triggers.drop(connection)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_event SET params = %s WHERE seq = 3", ['{"n": 99}'])
    triggers.install(connection)
    report = verify_chain()
    assert report.broken_seq == 3
    assert "modified" in report.problem
    result = _cli_verify()
    assert result.exit_code == 1
    assert "BROKEN at sequence 3" in result.output


def test_deleted_row_is_named_as_missing(now):
    _five_events(now)
    triggers.drop(connection)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_event WHERE seq = 2")
    triggers.install(connection)
    report = verify_chain()
    assert report.broken_seq == 2
    assert "missing" in report.problem


def test_deleting_the_newest_rows_is_detected_by_the_head(now):
    _five_events(now)
    triggers.drop(connection)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_event WHERE seq >= 4")
    triggers.install(connection)
    report = verify_chain()
    assert not report.intact
    assert report.broken_seq == 4
    assert "removed from the end" in report.problem


def test_reordered_rows_are_detected(now):
    _five_events(now)
    triggers.drop(connection)
    with connection.cursor() as cursor:
        # Swap the contents of 2 and 3 by renumbering through a free value.
        cursor.execute("UPDATE audit_event SET seq = -2 WHERE seq = 2")
        cursor.execute("UPDATE audit_event SET seq = 2 WHERE seq = 3")
        cursor.execute("UPDATE audit_event SET seq = 3 WHERE seq = -2")
    triggers.install(connection)
    report = verify_chain()
    assert report.broken_seq == 2


def test_inserted_forged_row_is_detected(now):
    events = _five_events(now)
    triggers.drop(connection)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_event SET seq = seq + 100 WHERE seq >= 3")
        cursor.execute("UPDATE audit_event SET seq = seq - 99 WHERE seq >= 103")
    Event.objects.create(seq=3, at=now, actor={}, action="forged:row:inserted", params={},
                         prev_hash=events[1].hash, hash="f" * 64)
    triggers.install(connection)
    assert verify_chain().broken_seq == 3


def test_dropped_triggers_alone_fail_verification(now):
    _five_events(now)
    triggers.drop(connection)
    report = verify_chain()
    assert report.missing_triggers
    assert not report.intact
    result = _cli_verify()
    assert result.exit_code == 1
    assert "triggers missing" in result.output


def test_actor_snapshot_keeps_agency_and_roles(now, make_agency, make_officer):
    agency = make_agency(name="Brigade numérique")
    user = make_officer(agency)
    event = record(Action.TRAIL_VIEWED, actor=user, now=now)
    assert event.actor["agency"] == "Brigade numérique"
    assert event.actor["roles"] == ["officer"]
    assert event.actor["email"] == user.email


def test_awkward_params_are_stored_so_that_the_chain_still_verifies(now, rf):
    """PostgreSQL's jsonb rewrites 1e16 as 10000000000000000 and refuses NUL and NaN; stored as
    they came, such values failed the append or made an intact event look modified."""
    request = rf.get("/", HTTP_USER_AGENT="curl/8\x00injected")
    event = record(Action.TRAIL_VIEWED, origin=Origin.from_request(request), target_id="id\x00x", now=now, params={
        "big": 1e16, "tiny": 1.5e-7, "nan": float("nan"), "inf": float("-inf"), "plain": 0.1,
        "huge_int": 12345678901234567890, "text": "a\x00b", "nested": [{"k\x00": 2.5e300}],
    })
    stored = Event.objects.get(pk=event.pk)
    assert stored.params == {
        "big": "1e+16", "tiny": 1.5e-7, "nan": "nan", "inf": "-inf", "plain": 0.1,
        "huge_int": 12345678901234567890, "text": "a\ufffdb", "nested": [{"k\ufffd": "2.5e+300"}],
    }
    assert stored.user_agent == "curl/8\ufffdinjected" and stored.target_id == "id\ufffdx"
    report = verify_chain()
    assert report.intact, report


def test_rows_appended_outside_lawdesk_beyond_the_head_are_named(now):
    events = _five_events(now)
    Event.objects.create(seq=6, at=now, actor={}, action="forged:row:appended", params={},
                         prev_hash=events[-1].hash, hash="f" * 64)  # the head is not moved
    report = verify_chain()
    assert not report.intact
    assert report.broken_seq == 6
    assert "appended outside lawdesk" in report.problem


def test_a_chain_growing_while_it_is_verified_is_intact(now, monkeypatch):
    """On a live system events are appended during a long verification. Reading the head after
    the walk reported them as 'events were removed from the end'; the head is now read first and
    rows beyond it must be covered by the head when the walk ends. Here lawdesk's own writer
    appends three events after every batch the verifier reads (Django's cursor is wrapped, the
    verifier and the writer are the real ones)."""
    for i in range(40):
        record(Action.TRAIL_VIEWED, params={"n": i}, now=now)
    real = connection.chunked_cursor

    class Appending:
        def __init__(self) -> None:
            self.cursor = real()

        def __enter__(self):
            self.cursor.__enter__()
            return self

        def __exit__(self, *exc):
            return self.cursor.__exit__(*exc)

        def execute(self, *args):
            return self.cursor.execute(*args)

        def fetchmany(self, size):
            rows = self.cursor.fetchmany(size)
            for _ in range(3):
                record(Action.TRAIL_VIEWED, params={"live": True}, now=now)
            return rows

    monkeypatch.setattr(connection, "chunked_cursor", Appending)
    report = verify_chain(batch_size=7)
    monkeypatch.undo()
    assert Event.objects.count() > 40 + 3 * 6  # the writer really appended during the walk
    assert report.intact, report.problem
    assert report.length >= 40
    assert verify_chain().intact


def test_an_undeclared_action_is_refused_and_writes_nothing(now):
    before = Event.objects.count()
    for action in ("cases:case:recieved", "test:thing:done", "cases:case"):
        with pytest.raises(ValueError, match="unknown audit action"):
            record(action, now=now)
    assert Event.objects.count() == before
    # A declared action given by its stored value is the same action.
    assert record("cases:case:viewed", now=now).action == Action.CASE_VIEWED
