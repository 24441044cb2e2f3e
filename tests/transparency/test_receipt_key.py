"""The officer's log receipt is signed with the receipt key, which verifiers find in the key list."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from lawdesk.evidence import keylist

pytestmark = pytest.mark.django_db


def test_receipt_is_signed_by_the_receipt_key_and_alterations_fail(now, tmp_path):
    from lawdesk.cli import app
    from lawdesk.core import keys
    from lawdesk.transparency import services

    services.append_leaf(case_ref="LD-RK-1", period="2026-Q4", country="FR", kind="production",
                         outcome="fulfilled", accounts_affected=2, now=now)
    services.publish_checkpoint(now=now)
    receipt = services.receipt_for("LD-RK-1")
    assert receipt["signing_key"]["fingerprint"] == keys.fingerprint("receipt") != keys.fingerprint("checkpoint")
    listed = keylist.parse(keys.published())
    assert keylist.check_receipt_signature(receipt, listed).purpose == "receipt"
    with pytest.raises(keylist.Failure, match="does not verify"):
        keylist.check_receipt_signature({**receipt, "case_ref": "LD-RK-2"}, listed)
    with pytest.raises(keylist.Failure, match="checkpoint key, not a receipt key"):
        wrong = {**receipt, "signing_key": {**receipt["signing_key"], "fingerprint": keys.fingerprint("checkpoint")}}
        keylist.check_receipt_signature(wrong, listed)

    (tmp_path / "receipt.json").write_text(json.dumps(receipt))
    (tmp_path / "keys.json").write_text(json.dumps(keys.published()))
    result = CliRunner().invoke(app, ["transparency", "verify-receipt", str(tmp_path / "receipt.json"),
                                      "--keys", str(tmp_path / "keys.json"), "--state-dir", str(tmp_path / "s"),
                                      "--key", services.verifier().encode()])
    assert result.exit_code == 0, result.output
    assert f"signed by the platform's receipt key {keys.fingerprint('receipt')}" in result.output
