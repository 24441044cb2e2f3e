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


# --- Services take an Origin, never the request (issue 14 item 5) ---------------------------

# The HTTP edge: the modules that are handed the HttpRequest by Django, django-ninja or
# django-allauth, and turn it into what the use cases take (an ``Origin``, the actor, the
# parsed form). Views (``views.py``, ``views_*.py``, ``*_views.py``) are the edge by their name.
HTTP_EDGE = {
    "core/origin.py": "builds the Origin from the request",
    "core/middleware.py": "middleware",
    "core/context_processors.py": "template context processor",
    "core/uploads.py": "Django upload handler (limits the body as it is read)",
    "core/views.py": "shared view decorators and pages",
    "accounts/middleware.py": "middleware",
    "accounts/http.py": "the typed request of signed-in views",
    "accounts/adapters.py": "django-allauth's adapter interface takes the request",
    "accounts/signals.py": "receivers of Django's and django-allauth's authentication signals, "
                           "which send the request",
    "api/app.py": "django-ninja's exception handlers",
    "api/auth.py": "django-ninja's authentication class",
    "api/rendering.py": "renders the API's answers",
    "api/pages.py": "the token page (a view)",
    "api/idempotency.py": "reads the API request's method, path and Origin once",
    "interop/identity.py": "reads the mutual-TLS proxy's headers",
}


def _is_edge(rel: str) -> bool:
    name = rel.rsplit("/", 1)[-1]
    return (rel in HTTP_EDGE or name == "views.py" or name.startswith("views_")
            or name.endswith("_views.py") or name == "forms.py" or name == "urls.py"
            or "/migrations/" in rel or rel.startswith("templatetags/") or "/templatetags/" in rel)


def request_uses(source: str) -> list[str]:
    """Where a module takes a web request: imports ``HttpRequest`` (or the typed
    ``AuthedRequest``), has a parameter named ``request`` or annotated with one of them."""
    found: list[str] = []
    request_types = {"HttpRequest", "AuthedRequest", "WSGIRequest", "ASGIRequest"}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and (
                node.module.startswith("django.http") or node.module.startswith("django.core.handlers")
                or node.module == "lawdesk.accounts.http"):
            found += [f"{node.lineno}: imports {a.name}" for a in node.names if a.name in request_types]
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            args = node.args
            for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs]:
                annotation = ast.unparse(arg.annotation) if getattr(arg, "annotation", None) else ""
                if arg.arg == "request" or any(t in annotation for t in request_types):
                    where = getattr(node, "name", "lambda")
                    found.append(f"{node.lineno}: {where}({arg.arg}: {annotation or '?'})")
    return found


def test_services_take_an_origin_not_the_request() -> None:
    offenders = [f"{rel}:{use}"
                 for path in sorted(SRC.rglob("*.py"))
                 if not _is_edge(rel := path.relative_to(SRC).as_posix())
                 for use in request_uses(path.read_text("utf-8"))]
    assert not offenders, ("outside views, forms, middleware and the other HTTP edges (HTTP_EDGE) "
                           "a module takes an Origin (lawdesk.core.origin), never the request: "
                           + ", ".join(offenders))


def test_the_edge_list_names_modules_that_exist() -> None:
    missing = [rel for rel in HTTP_EDGE if not (SRC / rel).exists()]
    assert not missing, missing


def test_the_request_check_sees_a_request_taking_service() -> None:
    assert request_uses("from django.http import HttpRequest\n") == ["1: imports HttpRequest"]
    assert request_uses("def f(*, case, request=None):\n    return request.META\n") == \
        ["1: f(request: ?)"]
    assert request_uses("def f(r: 'HttpRequest | None'):\n    pass\n") == ["1: f(r: 'HttpRequest | None')"]
    assert request_uses("from lawdesk.core.origin import Origin\n"
                        "def f(*, origin: Origin | None = None):\n    pass\n") == []
    assert _is_edge("cases/views_desk.py") and _is_edge("transparency/anchor_views.py")
    assert not _is_edge("cases/services.py") and not _is_edge("interop/services.py")
