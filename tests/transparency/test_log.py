"""The log in the database: appends, checkpoints, proofs, receipts, and the public endpoints."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.db import DatabaseError, connection, transaction

from lawdesk.audit.models import Event
from lawdesk.transparency import merkle, note, services, triggers
from lawdesk.transparency.leaves import LeafError, decode_leaf, opens_commitment
from lawdesk.transparency.models import Checkpoint, LogLeaf, TreeNode
from tests.transparency.conftest import count_closed

pytestmark = pytest.mark.django_db

KINDS = ("subscriber_data", "traffic_data", "content_data", "preservation")
OUTCOMES = ("fulfilled", "partly_fulfilled", "refused", "withdrawn")


def close_cases(now, n: int, *, start: int = 0, country: str = "FR", period: str = "2024-Q3") -> list[LogLeaf]:
    rows = []
    for i in range(start, start + n):
        closed = datetime(int(period[:4]), 3 * int(period[-1]) - 1, 10, tzinfo=UTC) + timedelta(minutes=i)
        count_closed(country=country, kind=KINDS[i % 4], outcome=OUTCOMES[i % 3], accounts=i % 5, closed=closed)
        rows.append(services.append_leaf(case_ref=f"LD-2024-{i:05d}", period=period, country=country,
                                         kind=KINDS[i % 4], outcome=OUTCOMES[i % 3], accounts_affected=i % 5,
                                         now=now + timedelta(minutes=i)))
    return rows


def test_appended_leaves_build_the_rfc6962_tree(now) -> None:
    rows = close_cases(now, 13)
    model = merkle.MerkleTree(merkle.leaf_hash(r.data.encode()) for r in rows)
    assert [r.index for r in rows] == list(range(13))
    assert services.tree_size() == 13
    for size in range(14):
        assert services.root_at(size) == model.root(size)
    for size in (1, 5, 8, 13):
        for i in range(size):
            assert services.inclusion_proof(i, size) == model.inclusion_proof(i, size)
        for old in range(size + 1):
            assert services.consistency_proof(old, size) == model.consistency_proof(old, size)
    # Perfect subtrees only: 13 leaves + 6 + 3 + 1 interior nodes.
    assert TreeNode.objects.count() == 13 + 6 + 3 + 1
    leaf = decode_leaf(rows[3].data)
    assert opens_commitment(leaf.commitment, bytes.fromhex(rows[3].salt), "LD-2024-00003")
    assert "LD-2024" not in rows[3].data


def test_a_case_is_counted_once_and_bad_fields_are_refused(now) -> None:
    close_cases(now, 1)
    with pytest.raises(services.AlreadyLogged):
        close_cases(now, 1)
    with pytest.raises(LeafError):
        services.append_leaf(case_ref="X-1", period="2024-09", country="FR", kind="subscriber_data",
                             outcome="fulfilled", accounts_affected=1, now=now)
    with pytest.raises(LeafError):
        services.append_leaf(case_ref="X-2", period="2024-Q3", country="FR", kind="subscriber_data",
                             outcome="lost", accounts_affected=1, now=now)
    assert services.tree_size() == 1


def test_publishing_signs_a_c2sp_checkpoint_and_audits_it(now) -> None:
    close_cases(now, 5)
    cp = services.publish_checkpoint(now=now)
    verifier = note.parse_verifier_key(services.verifier().encode())
    parsed = note.open_checkpoint(cp.note_text, verifier, origin=services.origin())
    assert (parsed.size, parsed.root_hash) == (5, services.root_at(5))
    assert services.publish_checkpoint(now=now) == cp  # nothing new: same checkpoint
    event = Event.objects.get(action="transparency:checkpoint:published")
    assert event.params["size"] == 5 and event.params["root_hash"] == cp.root_hash
    close_cases(now, 3, start=5)
    cp2 = services.publish_checkpoint(now=now)
    assert cp2.size == 8
    merkle.verify_consistency(5, 8, parsed.root_hash, services.root_at(8), services.consistency_proof(5, 8))


def test_publishing_refuses_to_sign_a_rewritten_tree(now) -> None:
    close_cases(now, 4)
    services.publish_checkpoint(now=now)
    close_cases(now, 1, start=4)
    triggers.drop(connection)  # an attacker with the database rewrites history in storage
    TreeNode.objects.filter(level=2, index=0).update(hash="00" * 32)
    triggers.install(connection)
    with pytest.raises(merkle.ProofError):
        services.publish_checkpoint(now=now)
    assert Checkpoint.objects.count() == 1


def test_receipt_proves_the_case_was_counted(now) -> None:
    close_cases(now, 6)
    assert services.receipt_for("LD-2024-00004") is None  # no checkpoint covers it yet
    services.publish_checkpoint(now=now)
    receipt = services.receipt_for("LD-2024-00004")
    assert receipt is not None
    verifier = note.parse_verifier_key(receipt["verifier_key"])
    cp = note.open_checkpoint(receipt["checkpoint"], verifier)
    proof = [base64.b64decode(p) for p in receipt["inclusion_proof"]]
    merkle.verify_inclusion(merkle.leaf_hash(receipt["leaf"].encode()), receipt["leaf_index"], cp.size,
                            proof, cp.root_hash)
    leaf = decode_leaf(receipt["leaf"])
    assert opens_commitment(leaf.commitment, bytes.fromhex(receipt["salt"]), "LD-2024-00004")


@pytest.mark.parametrize("rewrite", [
    lambda: LogLeaf.objects.filter(index=1).update(data="{}"),
    lambda: LogLeaf.objects.filter(index=1).update(leaf_hash="00" * 32),
    lambda: LogLeaf.objects.filter(index=1).update(period="2023-Q1"),
    lambda: LogLeaf.objects.filter(index=2).delete(),
    lambda: TreeNode.objects.filter(level=1, index=0).update(hash="00" * 32),
    lambda: TreeNode.objects.all().delete(),
    lambda: Checkpoint.objects.update(note_text="forged"),
    lambda: Checkpoint.objects.all().delete(),
])
def test_the_log_tables_are_append_only(now, rewrite) -> None:
    close_cases(now, 3)
    services.publish_checkpoint(now=now)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        rewrite()


def test_retention_may_erase_the_link_to_the_case_only(now) -> None:
    close_cases(now, 2)
    assert LogLeaf.objects.filter(index=0).update(case_ref=None, salt="") == 1
    assert services.root_at(2) == merkle.MerkleTree(
        merkle.leaf_hash(d.encode()) for d in LogLeaf.objects.values_list("data", flat=True)).root()


# --- Public endpoints, as an anonymous visitor -----------------------------------------------

def test_endpoints_before_any_checkpoint(client) -> None:
    assert client.get("/transparency/log/checkpoint").status_code == 404
    assert client.get("/transparency/log/leaves").json()["leaves"] == []
    assert client.get("/transparency/report.json?period=2024&country=FR").status_code == 404


def test_anonymous_endpoints_serve_the_log_and_nothing_private(client, now) -> None:
    rows = close_cases(now, 7)
    cp = services.publish_checkpoint(now=now)
    close_cases(now, 2, start=7)  # appended but not yet signed: not public

    r = client.get("/transparency/log/checkpoint")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/plain")
    assert r.content.decode() == cp.note_text

    key = client.get("/transparency/log/key").json()
    verifier = note.parse_verifier_key(key["verifier_key"])
    assert "BEGIN PUBLIC KEY" in key["public_key_pem"]
    parsed = note.open_checkpoint(r.content, verifier, origin=key["origin"])

    page = client.get("/transparency/log/leaves?start=2&end=100").json()
    assert (page["tree_size"], page["start"], page["end"]) == (7, 2, 7)
    assert page["leaves"] == [row.data for row in rows[2:7]]

    proof = client.get("/transparency/log/proof/inclusion?index=3").json()
    merkle.verify_inclusion(bytes.fromhex(rows[3].leaf_hash), 3, 7,
                            [base64.b64decode(p) for p in proof["proof"]], parsed.root_hash)
    cons = client.get("/transparency/log/proof/consistency?old=3&new=7").json()
    merkle.verify_consistency(3, 7, services.root_at(3), parsed.root_hash,
                              [base64.b64decode(p) for p in cons["proof"]])

    report = client.get("/transparency/report.json?period=2024&country=FR").json()
    assert report["checkpoint"] == {"origin": services.origin(), "size": 7,
                                    "root_hash": base64.b64encode(parsed.root_hash).decode()}
    assert report["counts"]["requests"] == 7
    index = client.get("/transparency/reports.json").json()
    assert [(x["period"], x["country"]) for x in index["reports"]] == [("2024", None), ("2024", "FR")]

    bodies = b"".join(client.get(url).content for url in (
        "/transparency/log/checkpoint", "/transparency/log/leaves?start=0&end=9",
        "/transparency/log/key", "/transparency/report.json?period=2024",
        "/transparency/reports.json", "/transparency/log/proof/inclusion?index=1"))
    for row in LogLeaf.objects.all():
        assert row.case_ref.encode() not in bodies
        assert row.salt.encode() not in bodies
    assert b"LD-2024" not in bodies


@pytest.mark.parametrize("url", [
    "/transparency/log/leaves?start=x",
    "/transparency/log/leaves?start=-1",
    "/transparency/log/leaves?start=99",
    "/transparency/log/proof/inclusion",
    "/transparency/log/proof/inclusion?index=3&size=2",
    "/transparency/log/proof/inclusion?index=0&size=9",  # beyond the signed checkpoint
    "/transparency/log/proof/consistency?old=5&new=3",
    "/transparency/report.json?period=24",
    "/transparency/report.json?period=2024&country=fr",
])
def test_bad_parameters_answer_400(client, now, url: str) -> None:
    close_cases(now, 3)
    services.publish_checkpoint(now=now)
    response = client.get(url)
    assert response.status_code == 400
    assert "error" in json.loads(response.content)


def test_public_pages_need_no_login_and_are_read_only(client, now) -> None:
    close_cases(now, 2)
    services.publish_checkpoint(now=now)
    for url in ("/transparency/log/checkpoint", "/transparency/log/key", "/transparency/log/leaves",
                "/transparency/report.json?period=2024-Q3", "/transparency/reports.json"):
        assert client.get(url).status_code == 200, url
    assert client.post("/transparency/log/checkpoint").status_code == 405


def test_the_publish_job_signs_what_was_appended(now) -> None:
    from lawdesk.transparency.tasks import publish_checkpoint_task

    close_cases(now, 3)
    assert publish_checkpoint_task.call() == 3
    assert publish_checkpoint_task.call() == 3
    assert Checkpoint.objects.count() == 1


def test_an_older_checkpoint_stays_available_by_size(client, now) -> None:
    close_cases(now, 3)
    first = services.publish_checkpoint(now=now)
    close_cases(now, 2, start=3)
    services.publish_checkpoint(now=now)
    assert client.get("/transparency/log/checkpoint?size=3").content.decode() == first.note_text
    assert client.get("/transparency/log/checkpoint?size=4").status_code == 404


def test_public_pages_show_the_reports_without_private_data(client, now) -> None:
    rows = close_cases(now, 9)
    services.publish_checkpoint(now=now)
    home = client.get("/transparency/")
    assert home.status_code == 200
    page = home.content.decode()
    assert services.verifier().encode() in page
    assert "lawdesk transparency verify http://testserver/transparency/" in page
    assert "/transparency/report?period=2024&amp;country=FR" in page
    report = client.get("/transparency/report?period=2024&country=FR")
    assert report.status_code == 200
    body = report.content.decode()
    assert "<svg" in body and "style=" not in body  # the CSP forbids inline styles
    assert "fulfilled" in body
    csv_text = client.get("/transparency/report.csv?period=2024&country=FR").content.decode()
    lines = csv_text.splitlines()
    assert lines[0] == "measure,category,value"
    assert "requests,,9" in lines
    assert "by_kind_and_outcome,subscriber_data/fulfilled,1" in lines
    assert any(line.startswith("checkpoint_root_hash,,") for line in lines)
    everything = page + body + csv_text
    for row in rows:
        assert row.case_ref not in everything and row.salt not in everything


def test_status_reports_unsigned_leaves_and_missing_triggers(now) -> None:
    close_cases(now, 4)
    services.publish_checkpoint(now=now)
    close_cases(now, 2, start=4)
    info = services.status()
    assert (info["leaves"], info["checkpoint_size"], info["unsigned_leaves"]) == (6, 4, 2)
    assert info["missing_triggers"] == []
    triggers.drop(connection)
    try:
        assert "transparency_leaf_no_update" in services.status()["missing_triggers"]
    finally:
        triggers.install(connection)


def test_production_needs_an_explicit_log_name(settings, monkeypatch) -> None:
    from django.core.exceptions import ImproperlyConfigured

    settings.PRODUCTION = True
    monkeypatch.delenv("LAWDESK_BASE_URL", raising=False)
    monkeypatch.delenv("LAWDESK_TRANSPARENCY_ORIGIN", raising=False)
    with pytest.raises(ImproperlyConfigured):
        services.origin()
    monkeypatch.setenv("LAWDESK_TRANSPARENCY_ORIGIN", "platform.example/transparency")
    assert services.origin() == "platform.example/transparency"
