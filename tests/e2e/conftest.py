"""Browser journeys: a real lawdesk server process, driven in Debian's headless Chromium.

The server runs as in production — gunicorn, its own database (a fresh SQLite file, or a fresh
PostgreSQL database when the suite runs on PostgreSQL), mail written to files — so these tests
see exactly what an officer or reviewer sees.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.support import CHROMIUM, free_port, fresh_database, fresh_totp_code

SCREENSHOTS = Path(os.environ.get("LAWDESK_SCREENSHOTS", "var/screenshots"))

# An assertion on a page waits up to 15 s for it to come true (Playwright's default is 5 s):
# the CI machines run the suite at half this box's speed, and a page that renders a PDF or
# waits for the worker can take seconds there. Only a failing assertion waits that long.
expect.set_options(timeout=15_000)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is not installed: run `make test`, which installs it.")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    }


@dataclass
class LiveServer:
    url: str
    env: dict[str, str]
    home: Path
    used_codes: set[tuple[str, str]] = field(default_factory=set)

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run ``lawdesk ARGS`` with this server's settings; the caller checks the result."""
        return subprocess.run([sys.executable, "-m", "lawdesk", *args], env=self.env,
                              capture_output=True, text=True, timeout=120, check=False)

    def cli(self, *args: str, timeout: float = 120) -> str:
        """Run ``lawdesk ARGS`` against this server's database and return its output."""
        result = subprocess.run([sys.executable, "-m", "lawdesk", *args], env=self.env,
                                capture_output=True, text=True, timeout=timeout, check=False)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def demo_users(self) -> dict[str, dict]:
        return {row["email"]: row for row in json.loads(self.cli("demo", "codes", "--json"))}

    def code(self, secret: str) -> str:
        """A TOTP code not used before in this session (a code is accepted only once), with
        time left in its window for a loaded browser and server to send and check it."""
        return fresh_totp_code(secret, margin=10, used=self.used_codes)

    def mails_to(self, address: str) -> list[str]:
        mail_dir = self.home / "mail"
        if not mail_dir.exists():
            return []
        found = []
        for path in sorted(mail_dir.iterdir(), key=lambda p: p.stat().st_mtime):
            text = path.read_text(errors="replace")
            if f"To: {address}" in text:
                found.append(text)
        return found


@pytest.fixture(scope="session")
def live_server_process(tmp_path_factory: pytest.TempPathFactory,
                        platform_data: Path) -> Iterator[LiveServer]:
    home = tmp_path_factory.mktemp("lawdesk-e2e")
    with fresh_database(home, "lawdesk_e2e") as db_url:
        yield from _serve(home, db_url, platform_data)


def _serve(home: Path, db_url: str, platform_data: Path) -> Iterator[LiveServer]:
    env = {**os.environ, "LAWDESK_HOME": str(home), "DATABASE_URL": db_url, "LAWDESK_MODE": "test",
           "LAWDESK_EMAIL_DIR": str(home / "mail"), "DJANGO_SETTINGS_MODULE": "lawdesk.settings",
           "LAWDESK_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
           "LAWDESK_PLATFORM_DIR": str(platform_data)}
    port = free_port()
    server = LiveServer(url=f"http://127.0.0.1:{port}", env=env, home=home)
    server.cli("migrate")
    server.cli("demo", "seed", "--no-cases")
    log = (home / "server.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "lawdesk", "serve", "--port", str(port),
                             "--workers", "2"], env=env, stdout=log, stderr=subprocess.STDOUT)
    # The background worker too: approved cases are collected and delivered as in production.
    worker = subprocess.Popen([sys.executable, "-m", "lawdesk", "worker", "--clock-interval", "5"],
                              env=env, stdout=(home / "worker.log").open("w"),
                              stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(server.url + "/accounts/login/", timeout=2)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError((home / "server.log").read_text()) from None
                time.sleep(0.3)
        yield server
    finally:
        for process in (proc, worker):
            process.terminate()
            process.wait(timeout=15)
        log.close()


@pytest.fixture
def server(live_server_process: LiveServer) -> LiveServer:
    return live_server_process


def shot(page, name: str) -> None:
    """Keep a screenshot of the page for people to look at (var/screenshots/)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def enter_code(page: Any, server: LiveServer, secret: str) -> None:
    """Type a fresh TOTP code into the page's code field and send it.

    The code is read only once the field is on screen: read before the password step has
    answered, on a loaded machine, it could expire on the way (a sign-in that failed in CI)."""
    page.locator("input[name=code]").wait_for()
    page.fill("input[name=code]", server.code(secret))
    page.click("button[type=submit]")


class Sessions:
    """One signed-in browser context per user for the whole run: TOTP codes are single-use,
    so signing the same person in again within 30 seconds would have to wait for a new code."""

    def __init__(self, browser: Any, server: LiveServer) -> None:
        self.browser, self.server = browser, server
        self.pages: dict[str, Any] = {}

    def page(self, email: str, password: str = "demo-password-2026") -> Any:
        if email not in self.pages:
            context = self.browser.new_context()
            page = context.new_page()
            secret = self.server.demo_users()[email]["secret"]
            page.goto(self.server.url + "/accounts/login/")
            page.fill("input[name=login]", email)
            page.fill("input[name=password]", password)
            page.click("button[type=submit]")
            enter_code(page, self.server, secret)
            page.wait_for_url(lambda url: "/accounts/" not in url)
            self.pages[email] = page
        return self.pages[email]


@pytest.fixture(scope="session")
def sessions(browser: Any, live_server_process: LiveServer) -> Sessions:
    return Sessions(browser, live_server_process)


def fill_removal_order(page: Any, server: LiveServer, pdf: Path, *, instrument: str, reference: str,
                       file_number: str, offence: str, description: str, link: str,
                       scope: str | None = None) -> None:
    """Fill the portal's removal-order form as the Paris prosecutor's office would, and send it.

    The caller asserts what follows (the receipt, or a field's error)."""
    page.goto(server.url + "/portal/cases/new/?kind=removal")
    page.select_option("select[name=instrument_type]", instrument)
    page.fill("input[name=instrument_reference]", reference)
    page.fill("input[name=instrument_date]", "2026-11-30")
    page.fill("input[name=issuer_name]", "Anne Roussel")
    page.select_option("select[name=issuer_role]", "prosecutor")
    page.fill("input[name=authority_file_number]", file_number)
    page.select_option("select[name=offence_category]", offence)
    page.fill("textarea[name=offence_description]", description)
    page.fill("textarea[name=targets]", "https://msgr.example/demo_channel")
    page.fill("textarea[name=content_locations]", link)
    if scope is not None:
        page.fill("input[name=territorial_scope]", scope)
    page.set_input_files("input[name=attachments]", str(pdf))
    page.click("button:has-text('Send the request')")
