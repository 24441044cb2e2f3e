"""The rule engine's decision is read through its type outside ``lawdesk.law`` (issue 14).

A stored decision is JSON inside ``Case.law_record``; everything else reads ``case.legal``, a
typed ``lawdesk.law.decision.Decision``. This walks the source and fails on a module that digs
into the JSON by key again.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "lawdesk"
# Keys only a decision's JSON has (``categories``, ``outcome`` … are also request fields).
DECISION_KEYS = {"decision", "duties", "deadline", "routing", "overrides", "law_outcome",
                 "policy_outcome", "policy_fields", "reasons"}
# Forms and requests that have a field called "decision" of their own (approve/suspend …).
FORM_FIELD_OWNERS = {"cleaned_data", "data", "POST"}


def _owner(node: ast.expr) -> str:
    return node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")


def _offences(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "decision" \
                and _owner(node.value) in {"case", "locked", "production", "other"}:
            found.append((node.lineno, "case.decision"))
        key, owner = None, None
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
            key, owner = node.slice.value, _owner(node.value)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr == "get" and node.args \
                and isinstance(node.args[0], ast.Constant):
            key, owner = node.args[0].value, _owner(node.func.value)
        if key in DECISION_KEYS and owner not in FORM_FIELD_OWNERS:
            found.append((node.lineno, f"{owner}[{key!r}]"))
    return found


def test_no_module_outside_the_rule_engine_indexes_a_decision_dict() -> None:
    offences = []
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC)
        if relative.parts[0] == "law" or "migrations" in relative.parts:
            continue
        for line, what in _offences(ast.parse(path.read_text(encoding="utf-8"))):
            offences.append(f"{relative}:{line}: {what}")
    assert offences == [], "read the typed decision (case.legal) instead:\n" + "\n".join(offences)


def test_the_check_finds_a_dict_lookup() -> None:
    code = "x = case.decision['categories']\ny = case.law_record.get('decision')\n"
    assert sorted(what for _, what in _offences(ast.parse(code))) == [
        "case.decision", "law_record['decision']"]
