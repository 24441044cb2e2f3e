"""Imports say the structure: at the top of the module, where a reader (and import-linter's
layers contract, `make lint`) sees them. An import inside a function is allowed only with a
``# reason: …`` comment — start-up time (the command line, a heavy library, a verifier that
must run without Django), a real import cycle, the app registry, a migration — on its own line
or on the line above the run of imports it heads."""

from __future__ import annotations

import ast
from pathlib import Path

import lawdesk

SRC = Path(lawdesk.__file__).resolve().parent

# Modules whose bytes are part of a rule-set version (law/version.py hashes the engine's source;
# law/archive/ keeps released rule sets as they were): editing them, even a comment, changes the
# version every stored decision names, so they are left exactly as released.
RULESET_SOURCE = {f"law/{name}.py" for name in
                  ("vocabulary", "facts", "config", "deadlines", "rules", "basis", "policy", "engine")}


def _frozen(path: Path) -> bool:
    rel = path.relative_to(SRC).as_posix()
    return rel in RULESET_SOURCE or rel.startswith(("law/regimes/", "law/archive/"))


def unexplained_imports(source: str) -> list[int]:
    """Line numbers of imports inside a function with no ``# reason:`` comment."""
    lines = source.splitlines()

    def explained(run: list[ast.stmt]) -> bool:
        first = run[0].lineno
        above = lines[first - 2].strip() if first >= 2 else ""
        return above.startswith("# reason:") or all("# reason:" in lines[n.lineno - 1] for n in run)

    found: list[int] = []

    def walk(node: ast.AST, in_function: bool) -> None:
        for field in ("body", "orelse", "finalbody", "handlers"):
            block = getattr(node, field, None)
            if not isinstance(block, list):
                continue
            run: list[ast.stmt] = []
            for stmt in [*block, None]:
                if isinstance(stmt, ast.Import | ast.ImportFrom) and in_function:
                    run.append(stmt)
                    continue
                if run and not explained(run):
                    found.extend(n.lineno for n in run)
                run = []
                if stmt is not None:
                    walk(stmt, in_function or isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef))
        for handler in getattr(node, "cases", []) or []:
            walk(handler, in_function)

    walk(ast.parse(source), False)
    return found


def test_every_import_inside_a_function_says_why() -> None:
    offenders = [f"{path.relative_to(SRC.parent)}:{line}"
                 for path in sorted(SRC.rglob("*.py")) if not _frozen(path)
                 for line in unexplained_imports(path.read_text("utf-8"))]
    assert not offenders, "imports inside functions without '# reason:' (hoist them): " + ", ".join(offenders)


def test_the_check_sees_a_hidden_import() -> None:
    hidden = "def f():\n    x = 1\n    from os import path\n    return path\n"
    assert unexplained_imports(hidden) == [3]
    explained = "def f():\n    # reason: start-up time\n    from os import path\n    import sys\n    return path, sys\n"
    assert unexplained_imports(explained) == []
    inline = "def f():\n    import os  # reason: start-up time\n    return os\n"
    assert unexplained_imports(inline) == []
    nested = "class C:\n    def m(self):\n        if True:\n            import os\n        return os\n"
    assert unexplained_imports(nested) == [4]
    module_level = "import os\ntry:\n    import json\nexcept ImportError:\n    json = None\n"
    assert unexplained_imports(module_level) == []
