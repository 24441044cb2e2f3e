"""Witnesses as separate processes on loopback: they cosign a growing log and refuse a fork."""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.test import Client
from typer.testing import CliRunner

from lawdesk.transparency import merkle, note, witness

ROOT = Path(__file__).resolve().parents[2]


# --- The cosignature format, without processes --------------------------------------------------

def test_cosignature_round_trip_and_tampering():
    key = Ed25519PrivateKey.generate()
    sign_key = Ed25519PrivateKey.generate()
    raw = sign_key.public_key().public_bytes_raw()
    text = note.format_checkpoint("example.org/log", 3, b"\x01" * 32)
    signed = note.sign_note(text, "example.org/log", sign_key.sign, raw)
    line = witness.cosign(key, "witness.example/w1", text, 1_700_000_000)
    wkey = witness.WitnessKey("witness.example/w1", key.public_key().public_bytes_raw())
    assert witness.parse_witness_key(wkey.encode()) == wkey
    found = witness.verify_cosignatures(signed + line, [wkey])
    assert found == [witness.Cosignature("witness.example/w1", 1_700_000_000)]
    # The checkpoint signature still verifies with the cosignature appended (unknown keys are ignored).
    assert note.open_note(signed + line, [note.parse_verifier_key(note.verifier_key_string(
        "example.org/log", raw))]) == text
    forged = (signed + line).replace(base64.b64encode(b"\x01" * 32).decode(), base64.b64encode(b"\x02" * 32).decode())
    with pytest.raises(witness.WitnessError, match="does not verify"):
        witness.verify_cosignatures(forged, [wkey])
    with pytest.raises(witness.WitnessError, match="1 valid witness cosignature"):
        other = witness.WitnessKey("witness.example/w2", Ed25519PrivateKey.generate().public_key().public_bytes_raw())
        witness.require_quorum(signed + line, [wkey, other], 2)


def test_cosigned_message_is_the_c2sp_layout():
    text = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    assert witness.cosigned_message(text, 1679315147) == (
        b"cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\n"
        b"CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n")


# --- Two witness processes ----------------------------------------------------------------------

class WitnessProcess:
    def __init__(self, tmp: Path, name: str, logs: list[str]) -> None:
        self.name = name
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
        out = subprocess.run([sys.executable, "-m", "lawdesk", "witness", "keygen", "--name", name,
                              "--out", str(tmp / f"{name.replace('/', '_')}.pem")],
                             capture_output=True, text=True, env=env, check=True, cwd=ROOT)
        self.key = witness.parse_witness_key(out.stdout.strip())
        args = [sys.executable, "-m", "lawdesk", "witness", "serve", "--name", name, "--key",
                str(tmp / f"{name.replace('/', '_')}.pem"), "--state", str(tmp / f"state-{name.replace('/', '_')}"),
                "--port", "0"]
        for log in logs:
            args += ["--log", log]
        self.proc = subprocess.Popen(args, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
        line = self.proc.stderr.readline() if self.proc.stderr else ""
        m = re.search(r"listening on (http://127\.0\.0\.1:\d+)/", line)
        assert m, line
        self.url = m.group(1)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


@pytest.fixture
def witnesses(db, tmp_path, settings):
    from lawdesk.transparency import anchors, services

    logs = [services.verifier().encode(), anchors.verifier().encode()]
    procs = [WitnessProcess(tmp_path, f"witness{i}.example/w", logs) for i in (1, 2)]
    settings.LAWDESK_WITNESSES = " ".join(f"{p.url}={p.key.encode()}" for p in procs)
    try:
        yield procs
    finally:
        for p in procs:
            p.stop()


def _leaf(n: int, now):
    from lawdesk.transparency.services import append_leaf

    return append_leaf(case_ref=f"LD-W-{n}", period="2026-Q4", country="FR", kind="production",
                       outcome="fulfilled", accounts_affected=1, now=now)


def test_publication_collects_cosignatures_from_two_witness_processes(witnesses, now, tmp_path):
    from lawdesk.transparency import anchors, services
    from lawdesk.transparency.cosign import witness_latest

    keys = [w.key for w in witnesses]
    for size in (3, 5):  # the second round needs a consistency proof from the first
        while services.tree_size() < size:
            _leaf(services.tree_size(), now)
        services.publish_checkpoint(now=now)
        assert witness_latest(now=now) == {services.origin(): 2, anchors.origin(): 2}
        served = Client().get("/transparency/log/checkpoint").content
        assert {c.witness for c in witness.require_quorum(served, keys, 2)} == {w.name for w in witnesses}
        anchor_note = Client().get("/transparency/anchors/checkpoint").content
        assert len(witness.require_quorum(anchor_note, keys, 2)) == 2

    # The verifier requires the quorum: met here.
    from lawdesk.cli import app

    export = tmp_path / "export"
    result = CliRunner().invoke(app, ["transparency", "export", str(export)])
    assert result.exit_code == 0, result.output
    args = ["--state-dir", str(tmp_path / "state")]
    for w in witnesses:
        args += ["--witness", w.key.encode()]
    result = CliRunner().invoke(app, ["transparency", "verify", str(export), *args, "--quorum", "2"])
    assert result.exit_code == 0, result.output
    assert "cosigned by 2 of 2 witnesses" in result.output
    result = CliRunner().invoke(app, ["audit", "verify", "--anchors", str(export),
                                      "--state-dir", str(tmp_path / "astate"), *args[2:]])
    assert result.exit_code == 0, result.output


def test_a_forked_log_cannot_gather_a_quorum(witnesses, now, tmp_path):
    from lawdesk.core import keys
    from lawdesk.transparency import services
    from lawdesk.transparency.cosign import witness_latest

    for n in range(4):
        _leaf(n, now)
    services.publish_checkpoint(now=now)
    witness_latest(now=now)
    honest = services.latest_checkpoint()

    # The platform (it has the checkpoint key) signs a fork: the same origin, one leaf rewritten.
    leaves = [bytes.fromhex(h) for h in
              services.LogLeaf.objects.order_by("index").values_list("leaf_hash", flat=True)]
    leaves[1] = merkle.leaf_hash(b'{"rewritten":true}')
    fork = merkle.MerkleTree([*leaves, merkle.leaf_hash(b"extra")])
    sign, raw = keys.signer("checkpoint")
    origin = services.origin()
    results = []
    for size in (honest.size, honest.size + 1):  # same size, other root; and a longer fork
        text = note.format_checkpoint(origin, size, fork.root(size))
        signed = note.sign_note(text, origin, sign, raw)
        proof = fork.consistency_proof(honest.size, size) if size > honest.size else []
        body = witness.add_checkpoint_body(honest.size, proof, signed)
        answers = [witness.post_add_checkpoint(w.url, body) for w in witnesses]
        results.append([status for status, _ in answers])
        cosigned = signed + "".join(a for s, a in answers if s == 200)
        with pytest.raises(witness.WitnessError, match="0 valid witness cosignature"):
            witness.require_quorum(cosigned, [w.key for w in witnesses], 1)
    assert results == [[409, 409], [422, 422]]
    # A witness that never saw the log is told the size it must extend (tlog-witness 409).
    status, answer = witness.post_add_checkpoint(witnesses[0].url, witness.add_checkpoint_body(0, [], signed))
    assert (status, answer) == (409, f"{honest.size}\n")

    # The honest log keeps growing and keeps its witnesses.
    _leaf(10, now + timedelta(minutes=1))
    services.publish_checkpoint(now=now)
    assert witness_latest(now=now)[origin] == 2


def test_a_verifier_requiring_a_quorum_fails_without_cosignatures(db, now, tmp_path):
    from lawdesk.cli import app

    _leaf(0, now)
    from lawdesk.transparency import services

    services.publish_checkpoint(now=now)
    export = tmp_path / "export"
    assert CliRunner().invoke(app, ["transparency", "export", str(export)]).exit_code == 0
    w = witness.WitnessKey("witness.example/absent", Ed25519PrivateKey.generate().public_key().public_bytes_raw())
    result = CliRunner().invoke(app, ["transparency", "verify", str(export), "--state-dir", str(tmp_path / "s"),
                                      "--witness", w.encode()])
    assert result.exit_code == 1
    assert "0 valid witness cosignature(s)" in result.output and "witness.example/absent" in result.output


def test_witness_refuses_unknown_logs_and_bad_signatures(tmp_path):
    log_key = Ed25519PrivateKey.generate()
    raw = log_key.public_key().public_bytes_raw()
    verifier = note.parse_verifier_key(note.verifier_key_string("example.org/log", raw))
    w = witness.Witness("w.example/1", Ed25519PrivateKey.generate(), [verifier], witness.WitnessState(tmp_path))
    text = note.format_checkpoint("example.org/log", 1, merkle.leaf_hash(b"a"))
    good = note.sign_note(text, "example.org/log", log_key.sign, raw)
    assert w.add_checkpoint(witness.add_checkpoint_body(0, [], good)).status == 200
    other = note.format_checkpoint("example.org/other", 1, merkle.leaf_hash(b"a"))
    signed_other = note.sign_note(other, "example.org/other", log_key.sign, raw)
    assert w.add_checkpoint(witness.add_checkpoint_body(0, [], signed_other)).status == 404
    text2 = note.format_checkpoint("example.org/log", 2, merkle.leaf_hash(b"b"))
    bad = note.sign_note(text2, "example.org/log", Ed25519PrivateKey.generate().sign, raw)
    assert w.add_checkpoint(witness.add_checkpoint_body(1, [], bad)).status == 403
    assert w.add_checkpoint(b"garbage").status == 400
    assert json.loads((tmp_path / "state.json").read_text())["example.org/log"]["size"] == 1
