"""Each app writes only its own tables (docs/architecture.md, "The rules every change keeps"):
another app's rows change through that app's services. The check reads the code: a module of
app A that imports a model of app B (``from lawdesk.B.models import M``) must not write through
its manager — ``M.objects.create/update/delete/…``, also at the end of a queryset chain
(``M.objects.filter(…).update(…)``). Taking a row lock (``select_for_update``) to serialise
with B is reading, and allowed. What it cannot see: ``instance.save()`` or ``instance.delete()``
on another app's object held in a variable — reviewers keep that rule."""

from __future__ import annotations

import ast
from pathlib import Path

import lawdesk

SRC = Path(lawdesk.__file__).resolve().parent

WRITES = {"create", "bulk_create", "update", "delete", "get_or_create", "update_or_create",
          "bulk_update"}

# module → reason, for the few that write another app's tables on purpose.
ALLOWED = {
    "demo/history.py": "the demo seed imports a year of closed cases as they stood, below the "
                       "use cases (there is no use case for a case that is already history)",
}


def foreign_writes(source: str, app: str) -> list[str]:
    """``Model.objects…<write>()`` calls on models imported from another app's ``models``."""
    tree = ast.parse(source)
    foreign: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("lawdesk.") \
                and node.module.endswith(".models") and node.module.split(".")[1] != app:
            foreign.update({a.asname or a.name: node.module.split(".")[1] for a in node.names})
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in WRITES):
            continue
        value: ast.AST = node.func.value
        while isinstance(value, ast.Call | ast.Attribute):
            if isinstance(value, ast.Attribute) and value.attr == "objects":
                break
            value = value.func if isinstance(value, ast.Call) else value.value
        if isinstance(value, ast.Attribute) and isinstance(value.value, ast.Name) \
                and value.value.id in foreign:
            model = value.value.id
            found.append(f"{node.lineno}: {model} ({foreign[model]}).{node.func.attr}")
    return found


def test_each_app_writes_only_its_own_tables() -> None:
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        if "/" not in rel or "/migrations/" in rel or rel in ALLOWED:
            continue
        offenders += [f"{rel}:{w}" for w in foreign_writes(path.read_text("utf-8"), rel.split("/")[0])]
    assert not offenders, "write another app's rows through its services: " + ", ".join(offenders)


def test_the_allowed_modules_exist() -> None:
    assert all((SRC / rel).exists() for rel in ALLOWED)


def test_the_check_sees_a_foreign_write() -> None:
    source = ("from lawdesk.audit.models import AnchorEntry, ChainHead\n"
              "from lawdesk.transparency.models import LogHead\n"
              "AnchorEntry.objects.create(index=1)\n"
              "ChainHead.objects.filter(id=1).update(seq=2)\n"
              "ChainHead.objects.select_for_update().get(id=1)\n"
              "LogHead.objects.create(id=1)\n")
    assert foreign_writes(source, "transparency") == [
        "3: AnchorEntry (audit).create", "4: ChainHead (audit).update"]
    assert foreign_writes(source, "audit") == ["6: LogHead (transparency).create"]
