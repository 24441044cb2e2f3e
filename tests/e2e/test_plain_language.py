"""Every page of every demo role, and the PDFs, speak plain language.

The crawl signs in as each demo user, follows every link of the site it can reach (one page
per URL shape), and fails on what people should never read: Python reprs (``{'``, ``None``),
internal keys (``eu_eevidence:``, ``needs_further_process``), form-builder leftovers
("(explain)"). The same checks run on the text of the PDFs (pdftotext).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.e2e.conftest import SCREENSHOTS, LiveServer, Sessions, _serve, shot
from tests.support import fresh_database

pytestmark = pytest.mark.e2e

SEED = f"exec(open({str(Path(__file__).with_name('plain_seed.py'))!r}).read())"

ROLES = ["julien.moreau@justice-paris.example", "claire.dubois@police-nationale.example",
         "intake@platform.example", "reviewer@platform.example", "approver@platform.example",
         "admin@platform.example", "auditor@platform.example"]

# What a person must never read on a page or in a PDF, even in a code sample.
REPRS = [
    # (``None`` followed by a word is English: "None known".)
    (re.compile(r"\{'|'\}|\[\{'|\bNone\b(?!\s+[a-z])|\bTrue\b|\bFalse\b"), "a Python value"),
    (re.compile(r"\((?:explain|specify)\)", re.I), "a form-builder leftover"),
]
# ... and outside code samples: a snake_case key on its own (not a handle such as
# @night_owl, a file name or a URL), or a key with a colon (eu_eevidence:).
KEYS = [
    (re.compile(r"(?<![\w@./:#=-])[a-z]+(?:_[a-z0-9]+)+(?![\w.@/-])"), "an internal key"),
]
# Pages that are files or actions, not pages to read.
SKIP = re.compile(r"/logout|\.(json|csv|xlsx|pdf|sig|zip|age|pem|txt|ico)(\?|$)|/package/|/documents/"
                  r"|/admin/|/api/|/static/|/accounts/(email|password|2fa|reauthenticate)")


def problems(text: str, checks: list = REPRS + KEYS) -> list[str]:
    found = []
    for pattern, what in checks:
        for m in pattern.finditer(text):
            start = max(0, m.start() - 50)
            found.append(f"{what}: …{text[start:m.end() + 30]}…".replace("\n", " "))
    return found


def page_problems(page: Page) -> list[str]:
    """Python values anywhere on the page; internal keys outside code samples and form values."""
    everything = page.evaluate("() => document.body.innerText")
    prose = page.evaluate("""() => {
        const body = document.body.cloneNode(true);
        body.querySelectorAll('code, pre, kbd, samp, script, style, input, textarea, select, .mono')
            .forEach(e => e.remove());
        return body.innerText;
    }""")
    return problems(everything, REPRS) + problems(prose, KEYS)


VISITED: list[str] = []
# Pages this test's fixes changed: kept as screenshots for people to look at.
KEEP = re.compile(r"/desk/cases/\d+/$|/desk/audit/$|/portal/cases/\d+/$|/transparency/(report)?(\?|$)")
shots: set[str] = set()


def shape(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    query = "&".join(sorted(k for k, _ in urllib.parse.parse_qsl(parts.query)))
    return re.sub(r"\d+", "N", parts.path) + "?" + query


def crawl(page: Page, server: LiveServer, starts: list[str], name: str,
          limit: int = 80, per_shape: int = 4) -> dict[str, list[str]]:
    """Visit pages breadth-first from ``starts``: at most ``per_shape`` pages of one URL shape."""
    seen: dict[str, int] = {}
    done: set[str] = set()
    queue = [server.url + s for s in starts]
    report: dict[str, list[str]] = {}
    visited = 0
    while queue and visited < limit:
        url = queue.pop(0)
        if url in done or seen.get(shape(url), 0) >= per_shape:
            continue
        done.add(url)
        seen[shape(url)] = seen.get(shape(url), 0) + 1
        response = page.goto(url)
        visited += 1
        assert response is not None and response.status < 500, f"{url}: {response and response.status}"
        if "text/html" not in (response.headers.get("content-type") or ""):
            continue
        VISITED.append(url)
        if KEEP.search(url) and shape(url) not in shots:
            shots.add(shape(url))
            shot(page, f"plain-{name}-" + re.sub(r"\W+", "-", shape(url)).strip("-"))
        found = page_problems(page)
        if found:
            report[url] = found
            shot(page, f"plain-problem-{name}-{len(report)}")
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            href = href.split("#")[0]
            if (href.startswith(server.url) and not SKIP.search(href) and href not in done
                    and seen.get(shape(href), 0) < per_shape):
                queue.append(href)
    return report


def pdf_problems(pdf: bytes) -> list[str]:
    assert pdf.startswith(b"%PDF-")
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout
    return problems(text.decode())


@pytest.fixture(scope="module")
def own_server(tmp_path_factory: pytest.TempPathFactory, platform_data: Path):
    """A server of this module's own: its data (a closed 2026 refusal, the history) must not
    change what the other browser tests see."""
    home = tmp_path_factory.mktemp("lawdesk-plain")
    with fresh_database(home, "lawdesk_plain") as db_url:
        yield from _serve(home, db_url, platform_data)


@pytest.fixture(scope="module")
def seeded(own_server: LiveServer) -> tuple[LiveServer, list[int]]:
    """The demo with its history, a delivered case with an override, a refusal ("other")."""
    own_server.cli("demo", "seed", timeout=900)  # the open demo cases: minutes on a busy PostgreSQL
    out = own_server.cli("manage", "shell", "-c", SEED, timeout=900)
    ids = [int(x) for x in out.split("PLAIN-IDS", 1)[1].split()[:2]]
    return own_server, ids


@pytest.fixture(scope="module")
def own_sessions(browser, seeded) -> Sessions:
    return Sessions(browser, seeded[0])


def test_every_page_of_every_role_speaks_plain_language(seeded, own_sessions: Sessions,
                                                        page: Page) -> None:
    server, ids = seeded
    report: dict[str, list[str]] = {}
    for email in ROLES:
        side = "desk" if "@platform." in email else "portal"
        starts = ["/", *(f"/{side}/cases/{i}/" for i in ids)]
        report |= crawl(own_sessions.page(email), server, starts, email.split("@")[0])
    report |= crawl(page, server, ["/transparency/", "/transparency/report?period=2024"], "public")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / "plain-visited.txt").write_text("\n".join(VISITED) + "\n")
    assert len(VISITED) > 30, VISITED  # the crawl reached the pages, not only the home pages
    assert not report, "\n".join(f"{url}\n  " + "\n  ".join(found) for url, found in report.items())


def test_pdfs_speak_plain_language(seeded, own_sessions: Sessions) -> None:
    seeded, ids = seeded
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext not installed")
    with urllib.request.urlopen(seeded.url + "/transparency/report.pdf?period=2024", timeout=60) as r:
        found = {"public report": pdf_problems(r.read())}
    officer = own_sessions.page("julien.moreau@justice-paris.example")
    officer.goto(seeded.url + "/portal/")
    ack = officer.request.get(f"{seeded.url}/portal/cases/{ids[0]}/acknowledgement.pdf")
    found["acknowledgement"] = pdf_problems(ack.body())
    found = {k: v for k, v in found.items() if v}
    assert not found, found
