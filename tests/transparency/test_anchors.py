"""Attack 2 of issue 12: an insider with the database rewrites or truncates the audit trail.

Without anchors the rewritten chain verifies (it is recomputed end to end); with the anchor
log — exported before the attack, or served by the platform — `lawdesk audit verify --anchors`
names the anchored sequence that no longer matches.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client
from typer.testing import CliRunner

from lawdesk.audit import triggers
from lawdesk.audit.actions import Action
from lawdesk.audit.hashing import event_hash
from lawdesk.audit.models import AnchorCheckpoint, AnchorEntry, ChainHead, Event
from lawdesk.audit.services import record
from lawdesk.audit.verify import verify_chain
from lawdesk.cli import app
from lawdesk.transparency import anchors
from lawdesk.transparency.anchor_verify import AnchorError, HttpAnchors, open_anchors, verify_anchors

pytestmark = pytest.mark.django_db


def _events(now, n, start=0):
    return [record(Action.TRAIL_VIEWED, params={"n": start + i}, now=now) for i in range(n)]


def _rewrite_from(seq: int, params: dict) -> None:
    """The insider's rewrite: change one event, recompute every later hash and the head row."""
    triggers.drop(connection)
    try:
        prev = Event.objects.get(seq=seq - 1).hash if seq > 1 else "0" * 64
        for event in Event.objects.filter(seq__gte=seq).order_by("seq"):
            if event.seq == seq:
                event.params = params
            digest = event_hash(seq=event.seq, at=event.at, actor_id=event.actor_id, actor=event.actor,
                                action=event.action, target_type=event.target_type, target_id=event.target_id,
                                params=event.params, ip=event.ip, user_agent=event.user_agent, prev_hash=prev)
            Event.objects.filter(seq=event.seq).update(params=event.params, prev_hash=prev, hash=digest)
            prev = digest
        last = Event.objects.order_by("-seq").first()
        ChainHead.objects.filter(id=1).update(seq=last.seq, hash=last.hash)
    finally:
        triggers.install(connection)
        _as_if_committed()


def _as_if_committed() -> None:
    """The insider's change is committed; the platform's next transaction starts afresh.

    (These tests run in one transaction; on PostgreSQL ``record()`` remembers the head row for
    the rest of its transaction, which a real, separate transaction would not.)
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('lawdesk.audit_head', '', true)")


def _truncate_after(seq: int) -> None:
    """The insider's truncation: remove the newest events and rewind the head to match."""
    triggers.drop(connection)
    try:
        Event.objects.filter(seq__gt=seq).delete()
        kept = Event.objects.get(seq=seq)
        ChainHead.objects.filter(id=1).update(seq=kept.seq, hash=kept.hash)
    finally:
        triggers.install(connection)
        _as_if_committed()


class _Result:
    def __init__(self, result):
        self.exit_code = result.exit_code
        self.output = " ".join(result.output.split())  # the console wraps long lines


def _cli(*args, env=None):
    return _Result(CliRunner().invoke(app, ["audit", "verify", *args], env=env))


FRENCH = {"LANG": "fr_FR.UTF-8", "LANGUAGE": None, "LC_ALL": None, "LC_MESSAGES": None}


@pytest.fixture
def anchored(now, tmp_path):
    """Ten events, an anchor, five more events, a second anchor, exported to a directory."""
    _events(now, 10)
    first = anchors.anchor(now=now)
    _events(now + timedelta(minutes=5), 5, start=10)
    second = anchors.anchor(now=now + timedelta(hours=1))
    export = tmp_path / "export"
    anchors.export(export / "anchors")
    return {"first": first, "second": second, "export": export, "state": tmp_path / "state"}


def test_anchor_commits_the_chain_head_to_a_signed_checkpoint(now, anchored):
    heads = [json.loads(d) for d in AnchorEntry.objects.filter(kind="audit_head").values_list("data", flat=True)]
    assert [h["seq"] for h in heads] == [10, 16]  # 16: the first anchor's own event counts too
    assert heads[0]["hash"] == Event.objects.get(seq=10).hash
    log = verify_anchors(open_anchors(str(anchored["export"])), state_dir=anchored["state"])
    assert [(h.seq, h.hash) for h in log.heads] == [(h["seq"], h["hash"]) for h in heads]
    assert {k["purpose"] for k in log.keys} == {"package", "checkpoint", "receipt"}
    result = _cli("--anchors", str(anchored["export"]), "--state-dir", str(anchored["state"]))
    assert result.exit_code == 0, result.output
    assert "anchored heads match the trail" in result.output and "intact" in result.output


def test_rewrite_with_recomputed_hashes_passes_the_chain_but_not_the_anchors(now, anchored):
    _rewrite_from(4, {"n": 999, "note": "nothing happened"})
    assert verify_chain().intact  # the attack of the issue: the chain alone cannot tell
    result = _cli("--anchors", str(anchored["export"]), "--state-dir", str(anchored["state"]))
    assert result.exit_code == 1, result.output
    assert "REWRITTEN" in result.output
    assert "anchored sequence 10" in result.output  # the first anchor after the edited event


def test_rewrite_after_the_first_anchor_names_the_second_and_the_last_good_one(now, anchored):
    _rewrite_from(13, {"n": -1})
    result = _cli("--anchors", str(anchored["export"]), "--state-dir", str(anchored["state"]))
    assert result.exit_code == 1
    assert "anchored sequence 16" in result.output
    assert "still matches the anchor of sequence 10" in result.output


def test_truncation_and_rewound_head_is_caught(now, anchored):
    _truncate_after(12)
    assert verify_chain().intact
    result = _cli("--anchors", str(anchored["export"]), "--state-dir", str(anchored["state"]))
    assert result.exit_code == 1, result.output
    assert "TRUNCATED" in result.output
    assert "sequence 16 was anchored" in result.output and "ends at sequence 12" in result.output


def test_the_platforms_own_anchor_endpoints_catch_the_rewrite(now, anchored, tmp_path):
    client = Client()

    def fetch(url: str) -> bytes:
        response = client.get(url.replace("http://testserver", ""))
        assert response.status_code == 200, url
        return response.content

    source = HttpAnchors("http://testserver/transparency/", fetch)
    log = verify_anchors(source, state_dir=tmp_path / "s")
    assert log.size == AnchorEntry.objects.count()
    _rewrite_from(2, {"n": 7})
    problems, _ = anchors.check_trail([anchors.Anchor(h.index, h.seq, h.hash, h.at) for h in log.heads],
                                      verify_chain().length)
    assert problems and "anchored sequence 10" in problems[0]


def test_a_rewritten_anchor_log_is_caught_by_a_verifier_that_saw_the_old_one(now, anchored, tmp_path):
    verify_anchors(open_anchors(str(anchored["export"])), state_dir=anchored["state"])
    # The insider also has the checkpoint key: rewrite the trail, then rebuild the anchor log.
    _rewrite_from(4, {"n": 999})
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AnchorEntry.objects.filter(index=0).update(data="{}")
    triggers.drop_anchor_triggers(connection)
    AnchorCheckpoint.objects.all().delete()
    AnchorEntry.objects.all().delete()
    triggers.install_anchor_triggers(connection)
    anchors.anchor(now=now + timedelta(hours=2))
    forged = tmp_path / "forged"
    anchors.export(forged / "anchors")
    with pytest.raises(AnchorError, match="rolled back or forked"):
        verify_anchors(open_anchors(str(forged)), state_dir=anchored["state"])


def test_altered_anchor_entries_do_not_hash_to_the_signed_root(anchored, tmp_path):
    leaves = anchored["export"] / "anchors" / "leaves.json"
    data = json.loads(leaves.read_text())
    entry = json.loads(data["leaves"][0])
    entry["hash"] = "0" * 64
    data["leaves"][0] = json.dumps(entry, sort_keys=True, separators=(",", ":"))
    leaves.write_text(json.dumps(data))
    with pytest.raises(AnchorError, match="do not hash to the signed root"):
        verify_anchors(open_anchors(str(anchored["export"])), state_dir=tmp_path / "fresh")


def test_publication_anchors_the_trail(now, tmp_path):
    from lawdesk.transparency.services import append_leaf, publish_checkpoint

    append_leaf(case_ref="LD-ANCHOR-1", period="2026-Q4", country="FR", kind="production",
                outcome="fulfilled", accounts_affected=1, now=now)
    publish_checkpoint(now=now)
    published = Event.objects.get(action="transparency:checkpoint:published")
    head = json.loads(AnchorEntry.objects.filter(kind="audit_head").latest("index").data)
    assert head["seq"] == published.seq and head["hash"] == published.hash
    assert Event.objects.filter(action="audit:anchor:published").count() == 1


def test_anchor_if_due_runs_hourly_and_not_for_its_own_event(now):
    _events(now, 3)
    assert anchors.anchor_if_due(now=now) is not None  # the first anchor
    assert anchors.anchor_if_due(now=now + timedelta(minutes=30)) is None  # not due yet
    assert anchors.anchor_if_due(now=now + timedelta(hours=2)) is None  # only its own event since
    _events(now + timedelta(hours=2), 1)
    assert anchors.anchor_if_due(now=now + timedelta(minutes=59, hours=2)) is not None


def test_unreadable_anchor_source_exits_2(tmp_path):
    result = _cli("--anchors", str(tmp_path / "nowhere"), "--state-dir", str(tmp_path / "s"))
    assert result.exit_code == 2
    assert "Cannot read the anchor log" in result.output


def test_a_french_command_line_reads_the_audit_verdict_in_french(now, anchored, tmp_path):
    from tests.support import english_phrases

    args = ("--anchors", str(anchored["export"]), "--state-dir", str(anchored["state"]))
    done = _cli(*args, env=FRENCH)
    assert done.exit_code == 0, done.output
    assert "signature valide (première utilisation : clé épinglée)" in done.output
    assert "ok : 2 têtes ancrées concordent avec la piste, la dernière à la séquence 16" in done.output
    assert "Chaîne d'audit intacte :" in done.output
    assert english_phrases(done.output) == [], done.output

    _rewrite_from(13, {"n": -1})  # the insider's rewrite, every later hash recomputed
    rewritten = _cli(*args, env=FRENCH)
    assert rewritten.exit_code == 1, rewritten.output
    assert "Piste d'audit RÉÉCRITE : la piste d'audit a été réécrite : l'événement de la séquence ancrée 16" \
        in rewritten.output
    assert "elle concorde encore avec l'ancre de la séquence 10" in rewritten.output
    assert english_phrases(rewritten.output) == [], rewritten.output
    assert "REWRITTEN" in _cli(*args).output  # English as before

    unreadable = _cli("--anchors", str(tmp_path / "nowhere"), "--state-dir", str(tmp_path / "s"), env=FRENCH)
    assert unreadable.exit_code == 2
    assert "Journal d'ancrage illisible : " in unreadable.output
    assert english_phrases(unreadable.output) == [], unreadable.output

    # A row changed without recomputing the chain: the chain walk itself names it, in French.
    triggers.drop(connection)
    try:
        Event.objects.filter(seq=3).update(params={"n": 0, "note": "edited"})
    finally:
        triggers.install(connection)
        _as_if_committed()
    broken = _cli(env=FRENCH)
    assert broken.exit_code == 1, broken.output
    assert ("Chaîne d'audit ROMPUE à la séquence 3 : son contenu ne correspond pas à son empreinte "
            "(la ligne a été modifiée)") in broken.output
    assert english_phrases(broken.output) == [], broken.output


def test_export_writes_the_anchor_log(anchored):
    folder: Path = anchored["export"] / "anchors"
    assert sorted(p.name for p in folder.iterdir()) == ["checkpoint", "key", "leaves.json"]


def test_a_new_anchor_key_is_refused_until_its_pin_is_deleted(anchored):
    import shutil

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    from lawdesk.transparency import note

    verify_anchors(open_anchors(str(anchored["export"])), state_dir=anchored["state"])
    # The same anchor log name signed by another key (a demo set up again from scratch, or a
    # key the platform does not hold): refused, and the refusal says how to start over.
    directory = anchored["export"] / "anchors"
    other = Ed25519PrivateKey.generate()
    raw = other.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    text = (directory / "checkpoint").read_text().split("\n\n")[0] + "\n"
    origin = text.split("\n")[0]
    (directory / "checkpoint").write_text(note.sign_note(text, origin, other.sign, raw))
    (directory / "key").write_text(note.verifier_key_string(origin, raw) + "\n")
    with pytest.raises(AnchorError, match="not the key pinned earlier") as refused:
        verify_anchors(open_anchors(str(anchored["export"])), state_dir=anchored["state"])
    folder = Path(str(refused.value).split("delete ")[1].split(" and run again")[0])
    assert folder.is_dir() and anchored["state"] in folder.parents
    shutil.rmtree(folder)
    log = verify_anchors(open_anchors(str(anchored["export"])), state_dir=anchored["state"])
    assert [h.seq for h in log.heads] == [10, 16]
