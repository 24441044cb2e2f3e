"""The independent verifier against exports and the live endpoints: every way a log can lie."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.db import connection
from typer.testing import CliRunner

from lawdesk.transparency import note, selectors, services, triggers
from lawdesk.transparency.cli import app as cli_app
from lawdesk.transparency.export import export_log
from lawdesk.transparency.leaves import Leaf, decode_leaf
from lawdesk.transparency.models import (
    Checkpoint,
    DurationSample,
    LogHead,
    LogLeaf,
    PublishedFigures,
    QuarterCount,
    TreeNode,
)
from lawdesk.transparency.report import compute_counts, count_mismatches
from lawdesk.transparency.verify import (
    DirSource,
    HttpSource,
    State,
    VerifyError,
    receipt_in_log,
    verify_log,
    verify_receipt,
)
from tests.transparency.conftest import count_closed

KINDS = ("subscriber_data", "traffic_data", "content_data")
OUTCOMES = ("fulfilled", "partly_fulfilled", "refused", "withdrawn")


def close(now, n: int, *, start: int = 0, prefix: str = "LD", outcome_shift: int = 0) -> None:
    """``n`` cases of 2024 closing: counted in the tables and logged, as the receivers do."""
    for i in range(start, start + n):
        closed = datetime(2024, 3 * (i % 4) + 1, 3, tzinfo=UTC) + timedelta(minutes=i)
        kind, outcome, country = KINDS[i % 3], OUTCOMES[(i + outcome_shift) % 4], ("FR", "DE")[i % 2]
        count_closed(country=country, kind=kind, outcome=outcome, accounts=i % 7, closed=closed)
        services.append_leaf(case_ref=f"{prefix}-{i:05d}", period=f"2024-Q{i % 4 + 1}", country=country,
                             kind=kind, outcome=outcome, accounts_affected=i % 7, now=now + timedelta(minutes=i))


def export(tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    assert export_log(target) is not None
    return target


def wipe_log() -> None:
    """Start another log under the same key (what a platform forking its history would do)."""
    triggers.drop(connection)  # an attacker with the database can remove them
    LogLeaf.objects.all().delete()
    TreeNode.objects.all().delete()
    Checkpoint.objects.all().delete()
    LogHead.objects.update(size=0)
    for table in (QuarterCount, DurationSample, PublishedFigures):
        table.objects.all().delete()
    triggers.install(connection)


def edit_json(path: Path, change) -> None:
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


@pytest.fixture
def state(tmp_path: Path) -> State:
    return State(tmp_path / "state")


@pytest.fixture
def log_dir(db, now, tmp_path: Path) -> Path:
    close(now, 11)
    services.publish_checkpoint(now=now)
    return export(tmp_path, "v1")


def test_an_honest_log_verifies_then_stays_consistent(log_dir: Path, state: State, now, tmp_path) -> None:
    first = verify_log(DirSource(log_dir), state=state)
    assert first.size == 11
    assert any("first use: key pinned" in n for n in first.notes)
    assert any("no earlier checkpoint" in n for n in first.notes)
    assert sum("every count matches" in n for n in first.notes) == 3  # 2024: all, DE and FR
    close(now, 6, start=11)
    services.publish_checkpoint(now=now)
    second = verify_log(DirSource(export(tmp_path, "v2")), state=state)
    assert second.size == 17
    assert any("matches the pinned key" in n for n in second.notes)
    assert any("consistent with the checkpoint of size 11" in n for n in second.notes)


@pytest.mark.parametrize("lie", [
    lambda c: c.update(requests=c["requests"] - 1),
    lambda c: c.update(accounts_affected=c["accounts_affected"] - 1),
    lambda c: c["by_outcome"].update(refused=c["by_outcome"]["refused"] - 1),
    lambda c: c["by_kind"].pop("content_data"),  # a whole category left out
    lambda c: c["by_kind_and_outcome"]["traffic_data"].update(
        {k: v - 1 for k, v in list(c["by_kind_and_outcome"]["traffic_data"].items())[:1]}),
])
def test_a_report_that_understates_any_count_fails(log_dir: Path, state: State, lie) -> None:
    edit_json(log_dir / "reports" / "2024-FR.json", lambda doc: lie(doc["counts"]))
    with pytest.raises(VerifyError) as failure:
        verify_log(DirSource(log_dir), state=state)
    assert any("report 2024-FR" in p and "understated" in p for p in failure.value.problems)


def test_a_report_naming_another_checkpoint_fails(log_dir: Path, state: State) -> None:
    edit_json(log_dir / "reports" / "2024-DE.json",
              lambda doc: doc["checkpoint"].update(root_hash="A" * 43 + "="))
    with pytest.raises(VerifyError, match="names root"):
        verify_log(DirSource(log_dir), state=state)


def test_a_tampered_leaf_breaks_the_root(log_dir: Path, state: State) -> None:
    def lower(doc):
        leaf = json.loads(doc["leaves"][4])
        leaf["accounts_affected"] = 0
        doc["leaves"][4] = json.dumps(leaf, sort_keys=True, separators=(",", ":"))
    edit_json(log_dir / "leaves.json", lower)
    with pytest.raises(VerifyError, match="not to the signed root"):
        verify_log(DirSource(log_dir), state=state)


def test_a_dropped_leaf_is_detected(log_dir: Path, state: State) -> None:
    edit_json(log_dir / "leaves.json", lambda doc: doc["leaves"].pop())
    with pytest.raises(VerifyError, match="published 10 leaves"):
        verify_log(DirSource(log_dir), state=state)


def test_a_bad_signature_fails(log_dir: Path, state: State) -> None:
    path = log_dir / "checkpoint"
    text = path.read_text()
    path.write_text(text.replace("\n11\n", "\n12\n", 1))
    with pytest.raises(VerifyError, match=r"checkpoint: signature .* does not verify"):
        verify_log(DirSource(log_dir), state=state)


def test_another_key_than_the_pinned_one_fails(log_dir: Path, state: State) -> None:
    verify_log(DirSource(log_dir), state=state)
    # The same log name, re-signed by a key the platform does not hold.
    other = Ed25519PrivateKey.generate()
    raw = other.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    text = (log_dir / "checkpoint").read_text().split("\n\n")[0] + "\n"
    origin = text.split("\n")[0]
    (log_dir / "checkpoint").write_text(note.sign_note(text, origin, other.sign, raw))
    (log_dir / "key").write_text(note.verifier_key_string(origin, raw))
    with pytest.raises(VerifyError, match="not the key pinned earlier") as refused:
        verify_log(DirSource(log_dir), state=state)
    # The refusal says which folder to delete once the new key is trusted; then it is pinned.
    folder = Path(str(refused.value).split("delete ")[1].split(" and run again")[0])
    assert folder.is_dir() and folder.parent == state.directory
    shutil.rmtree(folder)
    verify_log(DirSource(log_dir), state=state)


def test_a_forked_log_of_the_same_size_is_detected(log_dir: Path, state: State, now, tmp_path) -> None:
    verify_log(DirSource(log_dir), state=state)
    wipe_log()
    close(now, 11, prefix="FORK", outcome_shift=1)  # same size, other history, same key
    services.publish_checkpoint(now=now)
    fork = export(tmp_path, "fork")
    verify_log(DirSource(fork), state=State(tmp_path / "fresh"))  # valid on its own
    with pytest.raises(VerifyError, match="forked"):
        verify_log(DirSource(fork), state=state)


def test_a_longer_log_that_rewrote_history_is_detected(log_dir: Path, state: State, now, tmp_path) -> None:
    verify_log(DirSource(log_dir), state=state)
    wipe_log()
    close(now, 9)
    close(now, 8, start=9, prefix="NEW")  # leaves 9 and 10 differ from the ones seen, then more
    services.publish_checkpoint(now=now)
    with pytest.raises(VerifyError, match="not consistent with the checkpoint of size 11"):
        verify_log(DirSource(export(tmp_path, "rewritten")), state=state)


def test_a_log_rolled_back_is_detected(db, now, state: State, tmp_path) -> None:
    close(now, 5)
    services.publish_checkpoint(now=now)
    early = export(tmp_path, "early")
    close(now, 3, start=5)
    services.publish_checkpoint(now=now)
    verify_log(DirSource(export(tmp_path, "late")), state=state)
    with pytest.raises(VerifyError, match="shrank from 8 leaves"):
        verify_log(DirSource(early), state=state)


def test_the_live_endpoints_verify_with_the_servers_consistency_proofs(db, client, now, state,
                                                                      monkeypatch) -> None:
    def fetch(url: str) -> bytes:
        parts = urlsplit(url)
        response = client.get(parts.path + (f"?{parts.query}" if parts.query else ""))
        assert response.status_code == 200, (url, response.content[:300])
        return response.content

    monkeypatch.setattr(selectors, "MAX_PAGE", 16)  # several pages without thousands of cases
    close(now, 120)
    services.publish_checkpoint(now=now)
    first = verify_log(HttpSource("http://testserver/transparency/", fetch), state=state)
    assert first.size == 120
    close(now, 37, start=120)
    services.publish_checkpoint(now=now)
    second = verify_log(HttpSource("http://testserver/transparency/", fetch), state=state)
    assert any("consistent with the checkpoint of size 120" in n for n in second.notes)
    one = verify_log(HttpSource("http://testserver/transparency/report.json?period=2024-Q2&country=DE",
                                fetch), state=state)
    assert sum("every count matches" in n for n in one.notes) == 1


def test_a_receipt_proves_inclusion_and_opens_the_commitment(db, now) -> None:
    close(now, 9)
    services.publish_checkpoint(now=now)
    receipt = services.receipt_for("LD-00006")
    verifier = services.verifier()
    leaf = verify_receipt(receipt, verifier)
    assert leaf == decode_leaf(LogLeaf.objects.get(case_ref="LD-00006").data)
    with pytest.raises(VerifyError, match="not to case LD-00007"):
        verify_receipt(receipt, verifier, case_ref="LD-00007")
    bad = {**receipt, "leaf_index": 5}
    with pytest.raises(VerifyError):
        verify_receipt(bad, verifier)


def test_the_cli_exits_non_zero_naming_the_mismatch(log_dir: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    state_dir = str(tmp_path / "cli-state")
    ok = runner.invoke(cli_app, ["verify", str(log_dir), "--state-dir", state_dir])
    assert ok.exit_code == 0, ok.output
    assert "VERIFIED" in ok.output
    edit_json(log_dir / "reports" / "2024-DE.json",
              lambda doc: doc["counts"].update(requests=doc["counts"]["requests"] - 2))
    bad = runner.invoke(cli_app, ["verify", str(log_dir), "--state-dir", state_dir])
    assert bad.exit_code == 1
    assert "requests: the report says" in bad.output and "understated" in bad.output
    missing = runner.invoke(cli_app, ["verify", str(tmp_path / "nowhere"), "--state-dir", state_dir])
    assert missing.exit_code == 2


def test_report_counting_is_shared_and_exact() -> None:
    leaves = [Leaf(period=p, country=c, kind=k, outcome=o, accounts_affected=a, commitment="0" * 64)
              for p, c, k, o, a in [("2024-Q1", "FR", "traffic_data", "refused", 0),
                                    ("2024-Q3", "FR", "traffic_data", "fulfilled", 3),
                                    ("2024-Q3", "DE", "content_data", "fulfilled", 1),
                                    ("2025-Q1", "FR", "traffic_data", "fulfilled", 9)]]
    counts = compute_counts(leaves, period="2024", country="FR")
    assert counts == {"requests": 2, "accounts_affected": 3,
                      "by_kind": {"traffic_data": 2},
                      "by_outcome": {"fulfilled": 1, "refused": 1},
                      "by_kind_and_outcome": {"traffic_data": {"fulfilled": 1, "refused": 1}},
                      "accounts_affected_by_outcome": {"fulfilled": 3, "refused": 0}}
    assert compute_counts(leaves, period="2024-Q3", country=None)["requests"] == 2
    assert count_mismatches(counts, counts) == []
    over = json.loads(json.dumps(counts))
    over["by_outcome"]["withdrawn"] = 1
    assert count_mismatches(over, counts) == [
        "by_outcome.withdrawn: the report says 1, the leaves give 0 (overstated)"]


def test_the_verifier_needs_no_django() -> None:
    code = ("import sys; import lawdesk.transparency.verify, lawdesk.transparency.cli; "
            "assert not [m for m in sys.modules if m.split('.')[0] == 'django'], 'django imported'")
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize(("given", "base"), [
    ("https://platform.example", "https://platform.example/transparency/"),
    ("https://platform.example/", "https://platform.example/transparency/"),
    ("https://platform.example/transparency", "https://platform.example/transparency/"),
    ("https://platform.example/legal/transparency/", "https://platform.example/legal/transparency/"),
    ("https://platform.example/transparency/report.json?period=2024&country=FR",
     "https://platform.example/transparency/"),
])
def test_urls_name_the_log(given: str, base: str) -> None:
    assert HttpSource(given).base == base


def test_a_leaf_that_is_not_even_text_fails_cleanly(log_dir: Path, state: State) -> None:
    edit_json(log_dir / "leaves.json", lambda doc: doc["leaves"].__setitem__(0, "\ud800"))
    with pytest.raises(VerifyError, match="not to the signed root"):
        verify_log(DirSource(log_dir), state=state)


def test_a_receipt_is_tied_to_the_public_log(db, now, tmp_path: Path) -> None:
    close(now, 9)
    services.publish_checkpoint(now=now)
    receipt = services.receipt_for("LD-00006")
    close(now, 4, start=9)
    services.publish_checkpoint(now=now)
    public_source = DirSource(export(tmp_path, "public"))
    public = verify_log(public_source, state=State(tmp_path / "s1"))
    verify_receipt(receipt, services.verifier())
    receipt_in_log(receipt, public, public_source)

    receipt_file = tmp_path / "receipt.json"
    receipt_file.write_text(json.dumps(receipt))
    result = CliRunner().invoke(cli_app, ["verify-receipt", str(receipt_file), "--log", str(tmp_path / "public"),
                                          "--state-dir", str(tmp_path / "s2")])
    assert result.exit_code == 0, result.output
    assert "the public log (13 leaves, verified) holds this leaf" in result.output

    # The platform shows the officer one log and the public another.
    wipe_log()
    close(now, 13, prefix="OTHER", outcome_shift=2)
    services.publish_checkpoint(now=now)
    other_source = DirSource(export(tmp_path, "other"))
    other = verify_log(other_source, state=State(tmp_path / "s3"))
    with pytest.raises(VerifyError, match="does not hold the receipt's leaf"):
        receipt_in_log(receipt, other, other_source)
