"""Hostile input (issue 8, part 3): uploads that are not what they claim, bodies too large to
read, extremely long and Unicode-tricky strings in every intake text field, markup in every
requester text field. The XML hardening tests (billion laughs, external entities, oversized,
deep nesting, foreign namespaces) live in ``tests/interop/test_hardened_parsing.py``.

The schemathesis run against ``/api/openapi.json`` lives in ``tests/api/test_schemathesis.py``
(Unicode strings included); the forged-request and authorization suites live beside this file.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from lawdesk.audit.models import Event
from lawdesk.cases.models import Case
from tests.factories import PDF_BYTES, login, payload

pytestmark = pytest.mark.django_db

SRC = Path(__file__).resolve().parents[2] / "src" / "lawdesk"


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _zip_bomb() -> bytes:
    """A 1 MB archive that inflates to 1 GB (nested twice); never decompressed by lawdesk."""
    inner = _zip({f"{i}.bin": b"\0" * 10_000_000 for i in range(10)})
    return _zip({f"{i}.zip": inner for i in range(10)})


BAD_UPLOADS: dict[str, tuple[str, bytes, str]] = {
    # name: (file name, bytes, expected words in the refusal)
    "zip named .pdf": ("order.pdf", _zip({"order.pdf": PDF_BYTES}), "not a PDF"),
    "zip bomb named .pdf": ("order.pdf", _zip_bomb(), "not a PDF"),
    "pdf+zip polyglot": ("order.pdf", PDF_BYTES + _zip({"evil.html": b"<script>1</script>"}),
                         "ZIP archive"),
    "pdf+zip polyglot with comment": (
        "order.pdf", PDF_BYTES + _zip({"x": b"x"})[:-2] + (5).to_bytes(2, "little") + b"%%EOF",
        "ZIP archive"),
    "html before %PDF-": ("order.pdf", b"<html><script>alert(1)</script>" + PDF_BYTES,
                          "not a PDF"),
    "script after %PDF-": ("order.pdf", PDF_BYTES[:9] + b"<script>alert(1)</script>\n"
                           + PDF_BYTES[9:], "HTML or script"),
    "truncated pdf": ("order.pdf", PDF_BYTES[:-7], "%%EOF"),
    "executable": ("order.pdf", b"MZ\x90\x00" + b"\0" * 200, "not a PDF"),
}


@pytest.mark.parametrize("case", sorted(BAD_UPLOADS))
def test_uploads_that_are_not_what_they_claim_are_refused_on_the_api(api, case):
    name, data, words = BAD_UPLOADS[case]
    response = api.submit(files=[(name, data)])
    assert response.status_code == 422, response.content[:300]
    messages = [e["message"] for e in response.json()["errors"] if e["field"] == "attachments"]
    assert any(words in m for m in messages), messages
    assert Case.objects.count() == 0


@pytest.mark.parametrize("case", ["pdf+zip polyglot", "html before %PDF-", "truncated pdf"])
def test_uploads_that_are_not_what_they_claim_are_refused_on_the_portal(client, officer, case):
    from django.core.files.uploadedfile import SimpleUploadedFile

    name, data, words = BAD_UPLOADS[case]
    login(client, officer)
    response = client.post("/portal/cases/new/", {
        **_form(), "attachments": SimpleUploadedFile(name, data, "application/pdf")})
    assert response.status_code == 400
    assert words.replace("%", "%") in response.content.decode()
    assert Case.objects.count() == 0


def test_a_real_pdf_with_zip_like_bytes_inside_is_accepted(api):
    """Only an end-of-central-directory record that really ends the file counts."""
    body = PDF_BYTES.replace(b"%%EOF", b"% PK\x05\x06 inside a comment\n%%EOF")
    assert api.submit(files=[("order.pdf", body)]).status_code == 201


# --- The whole file is checked, not its first kilobyte ---------------------------------------

MARKUP = b"<html><body><script>alert(document.domain)</script></body></html>"


def _weasyprint_pdf(*, noise_pixels: int = 0) -> bytes:
    """A real PDF as lawdesk's own documents are made (WeasyPrint), with an optional image of
    random noise (a large filtered stream of incompressible bytes, like a scanned order)."""
    import base64

    from weasyprint import HTML

    image = ""
    if noise_pixels:
        import random

        from PIL import Image

        rng = random.Random(15)
        picture = Image.frombytes("RGB", (noise_pixels, noise_pixels),
                                  rng.randbytes(noise_pixels * noise_pixels * 3))
        png = io.BytesIO()
        picture.save(png, format="PNG")
        image = f'<img src="data:image/png;base64,{base64.b64encode(png.getvalue()).decode()}">'
    html = ("<h1>Réquisition judiciaire</h1><p>Article 60-1 du code de procédure pénale. "
            "Les données d’identification du compte @night_owl.</p>" + image)
    pdf = HTML(string=html).write_pdf()
    assert pdf is not None
    return bytes(pdf)


@pytest.fixture(scope="module")
def small_pdf() -> bytes:
    return _weasyprint_pdf()


@pytest.fixture(scope="module")
def big_pdf() -> bytes:
    pdf = _weasyprint_pdf(noise_pixels=1600)
    assert len(pdf) > 7_000_000
    return pdf


def _markup_at(pdf: bytes, offset: int) -> bytes:
    """``pdf`` with a comment holding HTML inserted so that the markup starts at ``offset``."""
    first_line = pdf.index(b"\n") + 1
    padding = offset - first_line - 1
    assert padding >= 0
    return pdf[:first_line] + b"%" + b"x" * padding + MARKUP + b"\n" + pdf[first_line:]


def _markup_before_eof(pdf: bytes) -> bytes:
    at = pdf.rindex(b"%%EOF")
    return pdf[:at] + MARKUP + b"\n" + pdf[at:]


def test_html_at_byte_1100_of_a_real_pdf_is_refused(api, small_pdf):
    body = _markup_at(small_pdf, 1100)
    assert body.index(b"<html") == 1100
    response = api.submit(files=[("order.pdf", body)])
    assert response.status_code == 422, response.content[:300]
    assert "HTML or script" in response.json()["errors"][0]["message"]
    assert Case.objects.count() == 0


def test_html_at_the_end_of_a_big_real_pdf_is_refused(api, big_pdf):
    body = _markup_before_eof(big_pdf)
    assert len(body) - body.index(b"<html") < 200
    response = api.submit(files=[("order.pdf", body)])
    assert response.status_code == 422, response.content[:300]
    assert "HTML or script" in response.json()["errors"][0]["message"]
    assert Case.objects.count() == 0


def test_html_in_an_unfiltered_stream_is_refused(api, small_pdf):
    at = small_pdf.rindex(b"startxref")
    extra = (b"99 0 obj\n<< /Length %d >>\nstream\n" % len(MARKUP)) + MARKUP \
        + b"\nendstream\nendobj\n"
    response = api.submit(files=[("order.pdf", small_pdf[:at] + extra + small_pdf[at:])])
    assert response.status_code == 422, response.content[:300]
    assert "HTML or script" in response.json()["errors"][0]["message"]
    assert Case.objects.count() == 0


def test_real_pdfs_are_accepted_whole(api, client, small_pdf, big_pdf):
    """WeasyPrint's PDFs (lawdesk's own certificate and report are made with it): a one-page
    order, an 8 MB one with an image of noise, and the public transparency report."""
    report = client.get("/transparency/report.pdf")
    assert report.status_code == 200 and report.content.startswith(b"%PDF-")
    for name, body in [("order.pdf", small_pdf), ("scan.pdf", big_pdf),
                       ("report.pdf", report.content)]:
        response = api.submit(files=[(name, body)])
        assert response.status_code == 201, (name, response.content[:300])


def test_markup_bytes_inside_compressed_stream_data_are_not_refused(api, small_pdf):
    """Filtered stream data is binary: bytes that happen to read ``<svg`` there are no page."""
    import zlib

    stored = zlib.compress(b"random bytes <svg <SCRIPT <html " * 100, level=0)  # verbatim
    assert b"<svg" in stored
    at = small_pdf.rindex(b"startxref")
    extra = (b"99 0 obj\n<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stored)) \
        + stored + b"\nendstream\nendobj\n"
    response = api.submit(files=[("order.pdf", small_pdf[:at] + extra + small_pdf[at:])])
    assert response.status_code == 201, response.content[:300]


class _CountingFile(io.BytesIO):
    """A file that remembers the largest read asked of it."""

    largest = 0

    def read(self, size: int | None = -1) -> bytes:
        self.largest = max(self.largest, size if size is not None and size >= 0 else 10**12)
        return super().read(size)


def test_the_whole_file_check_reads_in_bounded_chunks(big_pdf):
    from lawdesk.core.uploads import pdf_problem

    good, bad = _CountingFile(big_pdf), _CountingFile(_markup_before_eof(big_pdf))
    assert pdf_problem(good) is None
    assert pdf_problem(bad) is not None and "HTML" in str(pdf_problem(bad))
    assert good.largest <= 70_000 and bad.largest <= 70_000  # never the whole 8 MB at once


@pytest.mark.parametrize("name", ["../../../../etc/passwd.pdf", "..\\..\\windows\\win.ini.pdf",
                                  "/abs/path/order.pdf", "C:\\Users\\x\\order.pdf",
                                  "....//....//order.pdf", "%2e%2e%2forder.pdf"])
def test_path_traversal_file_names_are_stripped(api, settings, name):
    response = api.submit(files=[(name, PDF_BYTES)])
    assert response.status_code == 201, response.content
    attachment = Case.objects.get().attachments.get()
    assert "/" not in attachment.original_name and "\\" not in attachment.original_name
    stored = Path(attachment.file.path).resolve()
    assert stored.is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    assert re.fullmatch(r"LD-\d{4}-\d{6}-[0-9a-f]{16}(_\w+)?\.pdf", stored.name)


class EndlessBody(io.RawIOBase):
    """A well-formed multipart body whose file part would be 1 GB; counts what is read and
    stops the test at 1 MB (without the guard, Django spools it into a temporary file)."""

    HEAD = (b'------lawdesk\r\nContent-Disposition: form-data; name="attachments"; '
            b'filename="big.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\n')

    def __init__(self) -> None:
        self.consumed = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        size = 65_536 if size is None or size < 0 else min(size, 65_536)
        start, self.consumed = self.consumed, self.consumed + size
        assert self.consumed <= 1_000_000, "the server is reading the 1 GB body"
        data = self.HEAD[start:start + size]
        return data + b"0" * (size - len(data))

    def readline(self, size: int | None = -1) -> bytes:  # type: ignore[override]
        return self.read(size)


GIGABYTE = 1_000_000_000
MULTIPART = "multipart/form-data; boundary=----lawdesk"


def _post_gigabyte(client: Client, path: str, headers: dict[str, str] | None = None):
    body = EndlessBody()
    response = client.generic("POST", path, b"", headers=headers, CONTENT_TYPE=MULTIPART,
                              CONTENT_LENGTH=str(GIGABYTE), **{"wsgi.input": body})
    return response, body


def test_a_1gb_upload_to_the_api_is_refused_unread(token):
    response, body = _post_gigabyte(Client(), "/api/v1/requests",
                                    {"Authorization": f"Bearer {token}"})
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    assert body.consumed == 0
    assert Case.objects.count() == 0


def test_a_1gb_upload_to_the_portal_form_is_refused_unread(client, officer):
    login(client, officer)
    strict = Client(enforce_csrf_checks=True)  # its CSRF check would read the body first
    strict.cookies = client.cookies
    response, body = _post_gigabyte(strict, "/portal/cases/new/")
    assert response.status_code == 413
    assert body.consumed == 0
    assert Case.objects.count() == 0


def test_the_upload_handler_refuses_an_oversized_body_before_parsing_it(rf):
    """Defence in depth: a view that parses the body without the middleware in front."""
    from lawdesk.core.uploads import RequestTooLarge

    body = EndlessBody()
    request = rf.generic("POST", "/anything", b"", CONTENT_TYPE=MULTIPART,
                         CONTENT_LENGTH=str(GIGABYTE), **{"wsgi.input": body})
    with pytest.raises(RequestTooLarge):
        request.POST
    assert body.consumed == 0


# --- Long and Unicode-tricky strings --------------------------------------------------------

API_TEXT_FIELDS = ["instrument_reference", "issuer_name", "validator_name",
                   "authority_file_number", "offence_description", "emergency_threat",
                   "content_locations", "supervisor_name", "supervisor_email"]
TRICKY = {
    "100k chars": "A" * 100_000,
    "RTL override": "Affaire \u202egnp.exe\u202c 2026",
    "zero-width joiners": "Ro\u200dus\u200bsel \u2060\ufeff 2026",
    "combining marks": "Z\u0351\u0300\u0301\u0302a\u0308\u0308\u0308lgo text " + "e\u0301" * 50,
    "emoji and astral": "Suspect \U0001F600\U0001F468\u200d\U0001F469\u200d\U0001F467 \U00010348",
    "NUL": "Anne\x00Roussel 2026",
    "lone surrogate": "Anne \ud800 Roussel",
    "bidi isolates": "\u2067\u2066abc\u2069\u2069 \u061c\u200f",
}


def _encode(body: dict[str, Any]) -> str:
    return json.dumps(body)  # \ud800 travels as a JSON escape, as a hostile client would send it


@pytest.mark.parametrize("value_name", sorted(TRICKY))
def test_every_api_text_field_takes_tricky_strings_without_a_500(api, value_name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    value = TRICKY[value_name]
    for field in [*API_TEXT_FIELDS, "targets"]:
        body = payload(**({"targets": [{"identifier": value}]} if field == "targets"
                          else {field: value}))
        response = api.client.post("/api/v1/requests", headers=api.headers, data={
            "request": _encode(body),
            "attachments": [SimpleUploadedFile("o.pdf", PDF_BYTES, "application/pdf")]})
        assert response.status_code in (201, 422), (field, response.status_code,
                                                    response.content[:300])
        if response.status_code == 201 and field != "targets":
            case = Case.objects.get(pk=response.json()["id"])
            assert getattr(case, field) == value, field  # stored intact
        if value_name in ("NUL", "100k chars", "lone surrogate"):
            assert response.status_code == 422, field
            assert any(e["field"].startswith(field) for e in response.json()["errors"]), field


PORTAL_TEXT_FIELDS = ["instrument_reference", "issuer_name", "validator_name",
                      "authority_file_number", "offence_description", "emergency_threat",
                      "content_locations", "targets"]


def _form(**overrides: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "production", "instrument_type": "epoc", "instrument_reference": "EPOC-77",
        "instrument_date": "2026-10-30", "issuer_name": "Anne Roussel",
        "issuer_role": "prosecutor", "authority_file_number": "J3-118",
        "offence_category": "fraud", "offence_description": "Phishing campaign against banks.",
        "max_sentence_years": "5", "categories": ["subscriber", "identification"],
        "targets": "+33 6 12 34 56 78\n@night_owl", "window_start": "2026-09-01T00:00",
        "window_end": "2026-10-01T00:00", "user_named_as_suspect": "on",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("value_name", sorted(set(TRICKY) - {"lone surrogate"}))
def test_every_portal_text_field_takes_tricky_strings_without_a_500(client, officer, value_name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    value = TRICKY[value_name]
    login(client, officer)
    for field in PORTAL_TEXT_FIELDS:
        response = client.post("/portal/cases/new/", {
            **_form(**{field: value}),
            "attachments": SimpleUploadedFile("o.pdf", PDF_BYTES, "application/pdf")})
        assert response.status_code in (302, 400), (field, response.status_code)
        if response.status_code == 302 and field != "targets":
            case = Case.objects.order_by("-pk").first()
            assert getattr(case, field) == value.strip(), field
        if value_name in ("NUL", "100k chars"):
            assert response.status_code == 400, field
        # live validation (htmx) sees the same strings
        check = client.post("/portal/cases/new/check/", _form(**{field: value}))
        assert check.status_code == 200, field


# --- Markup in requester input ---------------------------------------------------------------

XSS = ['<script>alert(1)</script>', '"><img src=x onerror=alert(2)>',
       "'><svg onload=alert(3)>", "javascript:alert(4)//<a href=x>"]


def _marked_up_case(api_client, officer) -> Case:
    officer.full_name = f"{XSS[1]} {XSS[0]}"  # the officer's own name is requester input too
    officer.save()
    body = payload(
        instrument_reference=XSS[0], issuer_name=XSS[1], validator_name=XSS[2],
        validator_role="judge", authority_file_number=XSS[3],
        offence_description=" ".join(XSS), supervisor_name=XSS[0],
        content_locations=XSS[1])
    response = api_client.submit(body=body)
    assert response.status_code == 201, response.content
    return Case.objects.get(pk=response.json()["id"])


def _assert_escaped(html: str, where: str) -> None:
    for attack in XSS:
        assert attack not in html, f"{where}: {attack!r} rendered raw"
    assert "<img src=x" not in html and "<svg onload" not in html, where


def test_requester_markup_is_escaped_on_every_page_and_notice(
        api, officer, reviewer, make_staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = _marked_up_case(api, officer)
    pages: dict[str, str] = {}
    client = Client()
    login(client, officer)
    pages["officer case page"] = client.get(f"/portal/cases/{case.pk}/").content.decode()
    pages["officer dashboard"] = client.get("/portal/").content.decode()
    client = Client()
    login(client, reviewer)
    pages["desk queue"] = client.get("/desk/").content.decode()
    pages["desk case page"] = client.get(f"/desk/cases/{case.pk}/").content.decode()
    auditor = make_staff("auditor", email="auditor@platform.example")
    client = Client()
    login(client, auditor)
    audit = client.get("/desk/audit/")
    assert audit.status_code == 200
    pages["audit page"] = audit.content.decode()
    for where, html in pages.items():
        _assert_escaped(html, where)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages["officer case page"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages["desk case page"]
    assert Event.objects.filter(action="cases:case:received").exists()
    notices = [m for m in mail.outbox if case.number in m.subject]
    assert notices, "no receipt notice"
    for message in notices:
        assert not getattr(message, "alternatives", None), "HTML alternative in a notice"
        assert message.content_subtype == "plain"


# --- The same pages in Chromium: no dialog fires ---------------------------------------------

def _visit_in_chromium(base_url: str, visits: list[tuple[str, list[str]]]) -> dict[str, Any]:
    """Open each page with its session cookie in headless Chromium; collect dialogs and errors.

    Runs in its own thread, so Playwright's event loop never shares a thread with the ORM.
    """
    from playwright.sync_api import sync_playwright

    from tests.support import CHROMIUM

    found: dict[str, Any] = {"dialogs": [], "pages": []}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM,
                                    args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
        try:
            for session, paths in visits:
                context = browser.new_context()
                context.add_cookies([{"name": "sessionid", "value": session, "url": base_url}])
                page = context.new_page()
                page.on("dialog", lambda d: (found["dialogs"].append(d.message), d.dismiss()))
                for path in paths:
                    response = page.goto(base_url + path, wait_until="load")
                    page.wait_for_timeout(200)  # let an injected onerror/onload handler run
                    found["pages"].append((path, response.status if response else None,
                                           page.url.removeprefix(base_url)))
                context.close()
        finally:
            browser.close()
    return found


SEED_MARKUP = r"""
import json
import django; django.setup()
from django.test import Client
from lawdesk.accounts.models import User
from lawdesk.cases.submission import submit_request
from lawdesk.core.clock import utcnow
from tests.factories import payload, pdf
from tests.security.test_hostile_input import XSS
officer = User.objects.get(email="julien.moreau@justice-paris.example")
officer.full_name = f"{XSS[1]} {XSS[0]}"
officer.save()
case = submit_request(actor=officer, now=utcnow(), uploads=[pdf()], payload=payload(
    instrument_reference=XSS[0], issuer_name=XSS[1], validator_name=XSS[2],
    validator_role="judge", authority_file_number=XSS[3],
    offence_description=" ".join(XSS), supervisor_name=XSS[0], content_locations=XSS[1]))
visits = []
for email, paths in [(officer.email, [f"/portal/cases/{case.pk}/", "/portal/"]),
                     ("reviewer@platform.example", ["/desk/", f"/desk/cases/{case.pk}/"]),
                     ("auditor@platform.example", ["/desk/audit/"])]:
    client = Client()
    client.force_login(User.objects.get(email=email))
    visits.append((client.cookies["sessionid"].value, paths))
print(json.dumps(visits))
"""


def _declare_a_gigabyte(port: int, path: str) -> str:
    """Send only the headers of a 1 GB multipart upload to a real server; its status line."""
    import socket

    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall((f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      f"Content-Type: {MULTIPART}\r\nContent-Length: {GIGABYTE}\r\n\r\n"
                      ).encode() + EndlessBody.HEAD)
        return sock.recv(4096).decode("latin-1").split("\r\n", 1)[0]


@pytest.mark.e2e
@pytest.mark.slow
def test_requester_markup_fires_no_dialog_in_chromium(tmp_path, platform_data):
    """A real server (gunicorn, its own database); the pages opened in headless Chromium.
    The same server answers 413 at once to the headers of a 1 GB upload."""
    import os
    import subprocess
    import sys
    import threading
    import time
    import urllib.request
    import uuid

    from tests.support import CHROMIUM, free_port, postgres_admin

    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is not installed: run `make test`, which installs it.")
    root = SRC.parents[1]
    base_url, pg_db = os.environ.get("DATABASE_URL", ""), None
    if base_url.startswith("postgres"):
        pg_db = f"lawdesk_xss_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        postgres_admin(base_url, f"CREATE DATABASE {pg_db}")
        db_url = base_url.rsplit("/", 1)[0] + "/" + pg_db
    else:
        db_url = f"sqlite:///{tmp_path / 'lawdesk.sqlite3'}"
    env = {**os.environ, "LAWDESK_HOME": str(tmp_path), "DATABASE_URL": db_url,
           "LAWDESK_MODE": "test", "LAWDESK_PLATFORM_DIR": str(platform_data),
           "LAWDESK_EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
           "PYTHONPATH": str(root), "DJANGO_SETTINGS_MODULE": "lawdesk.settings"}

    def cli(*args: str) -> str:
        out = subprocess.run([sys.executable, *args], env=env, cwd=root, capture_output=True,
                             text=True, timeout=180, check=False)
        assert out.returncode == 0, out.stdout + out.stderr
        return out.stdout

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = None
    try:
        cli("-m", "lawdesk", "migrate")
        cli("-m", "lawdesk", "demo", "seed", "--no-cases")
        visits = json.loads(cli("-c", SEED_MARKUP).splitlines()[-1])
        server = subprocess.Popen([sys.executable, "-m", "lawdesk", "serve", "--port", str(port),
                                   "--workers", "1"], env=env, cwd=root,
                                  stdout=(tmp_path / "server.log").open("w"),
                                  stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(url + "/accounts/login/", timeout=2)
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, \
                    (tmp_path / "server.log").read_text()
                time.sleep(0.3)
        result: dict[str, Any] = {}
        thread = threading.Thread(target=lambda: result.update(_visit_in_chromium(url, visits)))
        thread.start()
        thread.join(timeout=120)
        assert not thread.is_alive() and result, "the browser did not finish"
        for path in ("/api/v1/requests", "/portal/cases/new/"):
            assert " 413 " in _declare_a_gigabyte(port, path) + " ", path
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=20)
        if pg_db:
            postgres_admin(base_url, f"DROP DATABASE IF EXISTS {pg_db} WITH (FORCE)")
    assert result["pages"] == [(path, 200, path) for _, paths in visits for path in paths]
    assert result["dialogs"] == []
