"""docs/architecture.md's dependency diagram is the one the code draws today."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _script():
    spec = importlib.util.spec_from_file_location("import_graph", ROOT / "scripts" / "import_graph.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_diagram_is_the_one_the_code_draws() -> None:
    graph = _script()
    assert graph.committed() == graph.block(), \
        "docs/architecture.md: the import graph is stale; run python scripts/import_graph.py"


def test_the_diagram_follows_the_imports() -> None:
    graph = _script()
    edges = graph.edges()
    assert ("cases", "law") in edges and ("collection", "cases") in edges
    assert ("cases", "collection") not in edges  # the one-way house (issue 14)
    assert "  collection --> cases" in graph.mermaid()
    everyone = {app for layer in graph.layers() for app in layer}
    apps = {p.name for p in (ROOT / "src" / "lawdesk").iterdir()
            if p.is_dir() and (p / "__init__.py").exists()}
    assert apps <= everyone, f"apps missing from the layers contract: {sorted(apps - everyone)}"
