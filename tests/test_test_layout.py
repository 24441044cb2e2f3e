"""The tests' own layout: shared builders in tests/factories.py, no borrowed conftest (issue 14)."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def test_no_test_module_imports_another_packages_conftest():
    offences = []
    for path in sorted(TESTS.rglob("*.py")):
        package = path.parent.relative_to(TESTS).parts
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            # tests.law.conftest (or .conftest) from tests/law is the package's own; anything
            # else borrows another package's fixtures module.
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 \
                    and node.module.split(".")[-1] == "conftest" \
                    and tuple(node.module.split(".")[1:-1]) != package:
                offences.append(f"{path.relative_to(TESTS)}:{node.lineno}: {node.module}")
    assert offences == [], "import shared builders from tests.factories:\n" + "\n".join(offences)
