"""The audit actions are one declared set (lawdesk.audit.actions.Action)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from lawdesk.audit.actions import Action

SRC = Path(__file__).resolve().parents[2] / "src" / "lawdesk"


def test_every_action_is_source_subject_action_and_unique():
    values = [a.value for a in Action]
    assert len(values) == len(set(values))
    for value in values:
        assert re.fullmatch(r"[a-z]+:[a-z0-9]+:[a-z_]+", value), value


def test_the_desks_refusals_are_the_refused_attempts():
    refusals = {a.value for a in Action.refusals()}
    # Each names a refusal or a failure of someone trying something, and nothing else does
    # (a failed collection job is the platform's own trouble, not an attempt).
    assert refusals == {
        "accounts:login:refused", "accounts:signup:rejected", "cases:intake:refused",
        "api:auth:failed", "api:auth:throttled", "cases:case:requester_refused",
        "cases:disclosure:four_eyes_refused", "cases:case:action_refused",
        "evidence:package:download_refused", "accounts:mfa:failed",
        "accounts:agency:anchor_refused"}


def test_no_module_writes_an_action_as_a_string():
    # Every call of the audit trail's record() names its action (Action.X or a variable
    # holding one), never a string literal or an f-string the declaration cannot see.
    offences = []
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and node.args and (
                    getattr(node.func, "id", None) == "record"
                    or getattr(node.func, "attr", None) == "record") \
                    and isinstance(node.args[0], ast.Constant | ast.JoinedStr):
                offences.append(f"{path.relative_to(SRC)}:{node.lineno}")
    assert offences == []

