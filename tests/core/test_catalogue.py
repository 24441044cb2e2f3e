"""CI guards for the translations (decision 0020).

1. ``makemessages`` for French over the whole package leaves no untranslated and no fuzzy
   string: a new English string without its French fails here, listed.
2. No user-visible text in a template outside ``{% translate %}``/``{% blocktranslate %}``,
   except in the templates listed as still English (the staff desk, the PDFs, the public
   transparency page) — a list that may only shrink.
3. No string literal given to a form or validation error, a flash message, a service refusal
   or an API problem without ``gettext``, in the officer-facing modules.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "lawdesk"


def _entries(po: Path, *flags: str) -> list[str]:
    out = subprocess.run(["msgattrib", "--no-wrap", *flags, str(po)], capture_output=True,
                         text=True, check=True).stdout
    return [m for m in re.findall(r'^msgid "(.+)"$', out, re.M)]


def test_the_french_catalogue_translates_every_string(tmp_path, monkeypatch):
    copy = tmp_path / "lawdesk"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns(
        "__pycache__", "*.mo", "archive", "static"))
    monkeypatch.chdir(copy)
    with override_settings(LOCALE_PATHS=[copy / "locale"]):
        call_command("makemessages", locale=["fr"], no_location=True, no_obsolete=True,
                     verbosity=0)
    po = copy / "locale" / "fr" / "LC_MESSAGES" / "django.po"
    untranslated = _entries(po, "--untranslated")
    fuzzy = _entries(po, "--only-fuzzy")
    assert not untranslated and not fuzzy, (
        "Translate these strings in src/lawdesk/locale/fr/LC_MESSAGES/django.po "
        "(run makemessages -l fr, then fill msgstr and drop '#, fuzzy'):\n"
        + "\n".join([f"untranslated: {m}" for m in untranslated] + [f"fuzzy: {m}" for m in fuzzy]))
    check = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(po)],
                           capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stderr
    # The committed catalogue is the one makemessages would write (nothing left out of it).
    committed = set(_entries(PACKAGE / "locale" / "fr" / "LC_MESSAGES" / "django.po"))
    assert set(_entries(po)) <= committed


# --- Templates ---------------------------------------------------------------------------

# Templates still English (none left: the transparency report PDF was the last). Remove a
# template once it is wrapped.
STILL_ENGLISH: set[str] = set()
# Words that are not language: names, codes, units, commands.
NOT_WORDS = {"lawdesk", "SHA-256", "JSON", "CSV", "PDF", "UTC", "HI-1", "ETSI", "EN", "FR", "OpenAPI",
             "age", "sha256sum", "Ed25519", "openssl", "IP", "TS", "—", "·", "→", "⚖", "%", "(JSON)"}


class _Text(HTMLParser):
    """Collect the text of a template outside tags, <code>, <pre>, <script> and <style>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.skip = 0
        self.words: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"code", "pre", "script", "style"}:
            self.skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in {"code", "pre", "script", "style"} and self.skip:
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip:
            data = re.sub(r"\S*/\S*", " ", data)  # paths and addresses are not words
            self.words += [w for w in re.findall(r"[A-Za-z][A-Za-z0-9'’-]+", data)
                           if w not in NOT_WORDS]


def _bare_text(source: str) -> list[str]:
    source = re.sub(r"(?s)\{%\s*blocktranslate.*?\{%\s*endblocktranslate\s*%\}", " ", source)
    source = re.sub(r"(?s)\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}", " ", source)
    source = re.sub(r"(?s)\{#.*?#\}", " ", source)
    # CSS classes of the page, not text.
    source = re.sub(r"(?s)\{%\s*block main_class\s*%\}.*?\{%\s*endblock\s*%\}", " ", source)
    # Blocks whose content is a title are text too: only the tags themselves are dropped.
    source = re.sub(r"(?s)\{%.*?%\}|\{\{.*?\}\}", " ", source)
    parser = _Text()
    parser.feed(source)
    return parser.words


def _templates() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("templates/**/*.html"):
        name = str(path.relative_to(path.as_posix().split("/templates/")[0] + "/templates"))
        found[name] = path
    return found


def test_templates_have_no_text_outside_translate_tags():
    bare = {name: words for name, path in sorted(_templates().items())
            if name not in STILL_ENGLISH and (words := _bare_text(path.read_text()))}
    assert bare == {}, "Wrap this text in {% translate %} or {% blocktranslate %}:\n" + "\n".join(
        f"{name}: {' '.join(words[:12])}" for name, words in bare.items())


def test_the_list_of_english_templates_only_shrinks():
    templates = _templates()
    gone = sorted(name for name in STILL_ENGLISH if name not in templates)
    done = sorted(name for name in STILL_ENGLISH
                  if name in templates and not _bare_text(templates[name].read_text()))
    assert not gone and not done, f"remove from STILL_ENGLISH: {gone + done}"


def test_the_lint_finds_bare_text():
    assert _bare_text('<p>{% translate "Hello" %} <code>lawdesk verify</code></p>') == []
    assert _bare_text("<h1>Not found</h1>{{ case.number }}") == ["Not", "found"]
    assert _bare_text("{% blocktranslate %}Hi {{ x }}{% endblocktranslate %}<b>Bye</b>") == ["Bye"]


# --- Python ------------------------------------------------------------------------------

# The modules an officer's page, form or API answer speaks through.
OFFICER_MODULES = [
    "accounts/forms.py", "accounts/views.py", "api/app.py", "api/views.py", "api/urls.py",
    "api/idempotency.py", "cases/intake.py", "cases/views_portal.py", "cases/flows.py",
    "core/problems.py", "platform/identifiers.py", "core/views.py", "core/uploads.py",
    "accounts/services.py", "accounts/validators.py", "api/tokens.py",
    # the use cases: their refusals reach the officer's pages (and the desk's, translatable)
    "cases/submission.py", "cases/attachments.py", "cases/analysis.py", "cases/conversation.py",
    "cases/disclosure.py", "cases/preservation.py", "cases/services.py", "cases/views_desk.py",
    "cases/lifecycle.py",
    # lawdesk verify (no Django): its failures are catalogue messages, values apart
    "evidence/verify.py", "evidence/keylist.py", "evidence/unzip.py",
    "collection/services.py", "collection/notices.py", "collection/views.py",
]
# Calls whose text reaches the user: the argument that carries it (by position).
MESSAGE_CALLS = {"ValidationError": 0, "add_error": 1, "DomainError": 0, "PermissionDenied": 0,
                 "InvalidTransition": 0, "IdentifierError": 0, "ApiProblem": 1,
                 "problem_response": 1, "_problem": 2, "success": 1, "error": 1, "warning": 1,
                 "info": 1, "PydanticCustomError": 1, "_WindowProblem": 1,
                 "require": 1, "Failure": 1}  # lifecycle.require(condition, message, …): a use case's refusal


def _call_name(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def untranslated_literals(source: str) -> list[tuple[int, str]]:
    """(line, text) of string literals given as a user-facing message without gettext."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or _call_name(node) not in MESSAGE_CALLS:
            continue
        index = MESSAGE_CALLS[_call_name(node)]
        if index < len(node.args):
            arg = node.args[index]
            if isinstance(arg, ast.BinOp):  # gettext("…%(x)s") % {...}
                arg = arg.left
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and arg.value.strip():
                found.append((node.lineno, arg.value))
            elif isinstance(arg, ast.JoinedStr):
                found.append((node.lineno, ast.unparse(arg)))
    # Lists of (field, message) pairs: errors.append(("field", "message")).
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.Call) and _call_name(node) == "append" and node.args
                and isinstance(node.args[0], ast.Tuple) and len(node.args[0].elts) == 2):
            message = node.args[0].elts[1]
            if isinstance(message, ast.Constant | ast.JoinedStr):
                found.append((node.lineno, ast.unparse(message)))
    return found


@pytest.mark.parametrize("module", OFFICER_MODULES)
def test_officer_facing_messages_go_through_gettext(module):
    assert untranslated_literals((PACKAGE / module).read_text()) == []


def test_the_python_lint_finds_bare_messages():
    source = '''
form.add_error("email", "Bad address.")
form.add_error("email", gettext("Bad address."))
raise DomainError(f"{x} is wrong", field="x")
raise DomainError(gettext("%(x)s is wrong") % {"x": x})
errors.append(("window_end", "The window must end after it starts."))
messages.success(request, _("Saved."))
'''
    assert [line for line, _text in untranslated_literals(source)] == [2, 4, 6]


def test_the_built_package_carries_the_catalogues():
    """pyproject's package-data ships every catalogue, .po and compiled .mo (a wheel built after
    ``make messages`` has French; without the .mo the certificate and ``lawdesk verify`` fall back
    to English). Checked on the patterns: building a wheel here would take half a minute."""
    import fnmatch
    import tomllib

    patterns = tomllib.loads((PACKAGE.parents[1] / "pyproject.toml").read_text())[
        "tool"]["setuptools"]["package-data"]["*"]
    catalogues = [path.relative_to(PACKAGE).as_posix() for path in (PACKAGE / "locale").rglob("django.po")]
    assert catalogues
    for po in catalogues:
        for name in (po, po[:-3] + ".mo"):
            assert any(fnmatch.fnmatch(name, p) for p in patterns), f"{name} is not in package-data"
