"""The verifier as a monitor: every report is checked against the newest log, from saved state.

Issue 12's first attack: a report naming an older checkpoint (477 leaves), with the counts of
those leaves, while the log holds 953 for that scope. It must fail, over HTTP from a real
server (through a proxy that serves the stale report) and from a directory.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from typer.testing import CliRunner

from lawdesk.transparency import selectors, services
from lawdesk.transparency.cli import app as cli_app
from lawdesk.transparency.models import Checkpoint
from lawdesk.transparency.verify import DirSource, HttpSource, State, VerifyError, verify_log
from tests.support import fresh_database
from tests.transparency.test_verify import close, export

Rewrite = Callable[[str, bytes], bytes]


SEED = textwrap.dedent("""
    import json, sys
    from datetime import UTC, datetime, timedelta
    import django
    django.setup()
    from lawdesk.transparency import counts, selectors, services

    def close_fr(start, n):
        # What the receivers do when a French 2024 case closes: count it, log it.
        for i in range(start, start + n):
            closed = datetime(2024, 3 * (i % 4) + 1, 5, tzinfo=UTC) + timedelta(minutes=i)
            facts = counts.Facts(country="FR", kind="production", instrument="prosecutor_requisition",
                                 categories=("subscriber",), received_at=closed - timedelta(days=2),
                                 acknowledged_at=None, decided_at=None, delivered_at=closed,
                                 closed_at=closed, emergency=False, nondisclosure=False,
                                 outcome="fulfilled", refusal_ground="", accounts_affected=1)
            counts._apply(counts.received_deltas(facts) + counts.closed_deltas(facts))
            services.append_leaf(case_ref=f"FR-{i:05d}", period=f"2024-Q{i % 4 + 1}", country="FR",
                                 kind="production", outcome="fulfilled", accounts_affected=1, now=closed)

    now = datetime(2026, 11, 2, tzinfo=UTC)
    close_fr(0, 477)
    old = services.publish_checkpoint(now=now)
    with open(sys.argv[1], "w") as out:  # the report as it was, honestly, at size 477
        json.dump(selectors.report_for("2024", "FR", old), out)
    close_fr(477, 953 - 477)
    services.publish_checkpoint(now=now)
""")


@dataclass
class Served:
    url: str
    stale_report: bytes


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A real lawdesk server (gunicorn, its own database) holding 953 closed French cases of 2024."""
    home = tmp_path_factory.mktemp("served-log")
    with fresh_database(home, "lawdesk_monitor") as db_url:
        env = {**os.environ, "LAWDESK_HOME": str(home), "DATABASE_URL": db_url, "LAWDESK_MODE": "test",
               "DJANGO_SETTINGS_MODULE": "lawdesk.settings"}
        subprocess.run([sys.executable, "-m", "lawdesk", "migrate"], env=env, check=True,
                       capture_output=True, timeout=300)
        stale = home / "stale-report.json"
        subprocess.run([sys.executable, "-c", SEED, str(stale)], env=env, check=True, timeout=600)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        log = (home / "server.log").open("w")
        server = subprocess.Popen([sys.executable, "-m", "lawdesk", "serve", "--port", str(port),
                                   "--workers", "1"], env=env, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    urllib.request.urlopen(url + "/transparency/log/key", timeout=2)
                    break
                except OSError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError((home / "server.log").read_text()) from None
                    time.sleep(0.3)
            yield Served(url=url, stale_report=stale.read_bytes())
        finally:
            server.terminate()
            server.wait(timeout=15)
            log.close()


@contextmanager
def proxy(upstream: str, rewrite: Rewrite) -> Iterator[str]:
    """A real HTTP server on loopback relaying to ``upstream``, changing answers with ``rewrite``."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            with urllib.request.urlopen(upstream + self.path, timeout=60) as answer:
                body, kind = answer.read(), answer.headers.get("Content-Type", "")
            body = rewrite(self.path, body)
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_report_from_an_older_checkpoint_fails_over_http(served: Served, tmp_path: Path) -> None:
    def serve_stale(path: str, body: bytes) -> bytes:
        return served.stale_report if path.startswith("/transparency/report.json") else body

    state = State(tmp_path / "state")
    honest = verify_log(HttpSource(served.url + "/transparency/"), state=state)
    assert honest.size == 953
    with proxy(served.url, serve_stale) as url, pytest.raises(VerifyError) as failure:
        verify_log(HttpSource(url + "/transparency/"), state=state)
    problems = failure.value.problems
    assert "report 2024 FR: requests: the report says 477, the latest log (953 leaves) gives 953 " \
           "(understated)" in problems
    assert "report 2024 FR: accounts_affected: the report says 477, the latest log (953 leaves) gives " \
           "953 (understated)" in problems
    assert any("computed from an older checkpoint (477 leaves) than the latest log (953 leaves)" in p
               for p in problems)
    # A machine that never saw the log before is not fooled either, and the command says so.
    with proxy(served.url, serve_stale) as url:
        result = CliRunner().invoke(cli_app, ["verify", url + "/transparency/", "--state", str(tmp_path / "new")])
    assert result.exit_code == 1
    assert "FAIL: report 2024 FR: requests: the report says 477, the latest log (953 leaves) gives 953 " \
           "(understated)" in result.output


def test_a_report_from_an_older_checkpoint_fails_from_a_directory(db, now, tmp_path: Path) -> None:
    close(now, 40)
    old = services.publish_checkpoint(now=now)
    stale = selectors.report_for("2024", "FR", old)
    close(now, 40, start=40)
    services.publish_checkpoint(now=now)
    served = export(tmp_path, "served")
    (served / "reports" / "2024-FR.json").write_text(json.dumps(stale))
    with pytest.raises(VerifyError) as failure:
        verify_log(DirSource(served), state=State(tmp_path / "state"))
    assert "report 2024-FR: requests: the report says 20, the latest log (80 leaves) gives 40 (understated)" \
        in failure.value.problems


def test_a_report_naming_a_root_that_was_never_a_checkpoint_fails(db, now, tmp_path: Path) -> None:
    close(now, 12)
    services.publish_checkpoint(now=now)
    close(now, 4, start=12)
    services.publish_checkpoint(now=now)
    served = export(tmp_path, "served")
    doc = json.loads((served / "reports" / "2024-DE.json").read_text())
    doc["checkpoint"].update(size=12, root_hash="B" * 43 + "=")
    (served / "reports" / "2024-DE.json").write_text(json.dumps(doc))
    with pytest.raises(VerifyError, match="not a checkpoint of the verified log of 16 leaves"):
        verify_log(DirSource(served), state=State(tmp_path / "state"))


def test_the_second_run_checks_only_the_new_leaves(db, client, now, tmp_path: Path, monkeypatch) -> None:
    def fetch(url: str) -> bytes:
        response = client.get(url.removeprefix("http://testserver"))
        assert response.status_code == 200, (url, response.content[:300])
        return bytes(response.content)

    monkeypatch.setattr(selectors, "MAX_BUNDLE", 64)  # several pages of the leaf bundle
    close(now, 300)
    services.publish_checkpoint(now=now)
    state = State(tmp_path / "state")
    first = verify_log(HttpSource("http://testserver/transparency/", fetch), state=state, check_documents=False)
    assert first.leaves_checked == 300
    close(now, 7, start=300)
    services.publish_checkpoint(now=now)
    second = verify_log(HttpSource("http://testserver/transparency/", fetch), state=state, check_documents=False)
    assert (second.size, second.leaves_checked) == (307, 7)
    assert second.bytes_read < first.bytes_read / 5
    # The counts carried over equal a count of every leaf from scratch.
    fresh = verify_log(HttpSource("http://testserver/transparency/", fetch), state=State(tmp_path / "fresh"),
                       check_documents=False)
    assert fresh.tally.rows() == second.tally.rows()
    assert any("consistent with the checkpoint of size 300" in n for n in second.notes)


def test_every_checkpoint_seen_is_checked_even_without_the_saved_counts(db, now, tmp_path: Path) -> None:
    from tests.transparency.test_verify import wipe_log

    close(now, 9)
    services.publish_checkpoint(now=now)
    state = State(tmp_path / "state")
    verify_log(DirSource(export(tmp_path, "v1")), state=state)
    for snapshot in (tmp_path / "state").glob("*/snapshot.json"):
        snapshot.unlink()  # only the checkpoints seen remain
    wipe_log()
    close(now, 9, prefix="FORK", outcome_shift=1)
    close(now, 3, start=9)
    services.publish_checkpoint(now=now)
    with pytest.raises(VerifyError, match="the first 9 leaves do not hash to the checkpoint of size 9"):
        verify_log(DirSource(export(tmp_path, "fork")), state=state)


def test_the_bundle_serves_exact_leaf_bytes_in_pages(db, client, now) -> None:
    close(now, 5)
    assert client.get("/transparency/log/bundle").content == b""  # nothing signed yet
    services.publish_checkpoint(now=now)
    close(now, 2, start=5)  # not under a checkpoint: not public
    body = client.get("/transparency/log/bundle?start=1&end=99").content
    assert body.decode().split("\n")[:-1] == selectors.leaf_data(1, 5)
    assert client.get("/transparency/log/bundle?start=9").status_code == 400


def test_report_scopes_read_one_row_per_scope(db, now) -> None:
    close(now, 64)
    checkpoint = services.publish_checkpoint(now=now)
    with CaptureQueriesContext(connection) as queries:
        scopes = selectors.report_scopes(checkpoint)
    assert scopes == [("2024", "DE"), ("2024", "FR")]
    (query,) = [q["sql"] for q in queries.captured_queries if "transparency_leaf" in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute(query)
        assert len(cursor.fetchall()) == 4  # four (quarter, country) pairs, not 64 leaf rows
    assert Checkpoint.objects.count() == 1


def test_a_proxy_serving_lower_statistics_fails(served: Served, tmp_path: Path) -> None:
    def lower(path: str, body: bytes) -> bytes:
        if path.startswith("/transparency/statistics.json"):
            doc = json.loads(body)
            doc["statistics"]["requests_fulfilled"] -= 100
            doc["statistics"]["headline"]["fulfilled"] -= 100
            return json.dumps(doc).encode()
        return body

    with proxy(served.url, lower) as url, pytest.raises(VerifyError) as failure:
        verify_log(HttpSource(url + "/transparency/"), state=State(tmp_path / "state"))
    problems = failure.value.problems
    for scope in ("2024 FR", "2024 all countries"):
        assert (f"statistics.json {scope}: requests_fulfilled: the document says 853, the latest log "
                "(953 leaves) gives 953 (understated)") in problems
        assert (f"statistics.json {scope}: headline.fulfilled: the document says 853, the latest log "
                "(953 leaves) gives 953 (understated)") in problems
    assert not [p for p in problems if p.startswith(("report ", "statistics.csv", "report.pdf"))]


def _lowered_pdf(period: str, country: str | None) -> bytes:
    from django.template.loader import render_to_string
    from weasyprint import HTML

    from lawdesk.transparency import publication
    from lawdesk.transparency.views import page_context

    periods, countries = publication.published_scopes()
    context = page_context(period, country, periods=periods, countries=countries, base_url="http://x/")
    context["figures"]["requests_fulfilled"] -= 3
    context["figures"]["quarterly"][0]["quarters"][0]["users_affected"] -= 1
    return HTML(string=render_to_string("transparency/report_print.html", context)).write_pdf()


def test_every_published_document_is_recounted(db, now, tmp_path: Path) -> None:
    close(now, 40)
    services.publish_checkpoint(now=now)
    honest = export(tmp_path, "honest")
    outcome = verify_log(DirSource(honest), state=State(tmp_path / "s0"))
    assert any(n.startswith("report.pdf 2024 FR: every figure") for n in outcome.notes)
    assert any(n.startswith("statistics.csv 2024 all countries: every figure") for n in outcome.notes)

    lying_csv = export(tmp_path, "csv")
    path = lying_csv / "statistics" / "2024-FR.csv"
    text = path.read_text()
    assert "quarterly,FR 2024-Q1,requests_fulfilled,10" in text
    path.write_text(text.replace("quarterly,FR 2024-Q1,requests_fulfilled,10",
                                 "quarterly,FR 2024-Q1,requests_fulfilled,9"))
    with pytest.raises(VerifyError) as failure:
        verify_log(DirSource(lying_csv), state=State(tmp_path / "s1"))
    assert failure.value.problems == [
        "statistics.csv 2024 FR: quarterly.FR.2024-Q1.requests_fulfilled: the document says 9, the latest "
        "log (40 leaves) gives 10 (understated)"]

    lying_pdf = export(tmp_path, "pdf")
    (lying_pdf / "statistics" / "2024-FR.pdf").write_bytes(_lowered_pdf("2024", "FR"))
    with pytest.raises(VerifyError) as failure:
        verify_log(DirSource(lying_pdf), state=State(tmp_path / "s2"))
    assert failure.value.problems == [
        "report.pdf 2024 FR: quarterly.FR.2024-Q1.users_affected: the document says 25, the latest log "
        "(40 leaves) gives 26 (understated)",
        "report.pdf 2024 FR: requests_fulfilled: the document says 7, the latest log (40 leaves) gives 10 "
        "(understated)"]


def test_a_french_pdf_is_recounted_like_an_english_one(db, now, tmp_path: Path) -> None:
    """The PDF is in its reader's language: the verifier reads the figures of a French one (and
    catches a French one that lowers them) as it does an English one."""
    from django.utils import translation

    from tests.transparency.test_publication import pdf_text

    close(now, 40)
    services.publish_checkpoint(now=now)
    with translation.override("fr"):
        french = export(tmp_path, "fr")
        lowered = _lowered_pdf("2024", "FR")
    assert "Issue des demandes" in pdf_text((french / "statistics" / "2024-FR.pdf").read_bytes())
    outcome = verify_log(DirSource(french), state=State(tmp_path / "s0"))
    assert any(n.startswith("report.pdf 2024 FR: every figure") for n in outcome.notes)
    assert any(n.startswith("report.pdf 2024 all countries: every figure") for n in outcome.notes)
    (french / "statistics" / "2024-FR.pdf").write_bytes(lowered)
    with pytest.raises(VerifyError) as failure:
        verify_log(DirSource(french), state=State(tmp_path / "s1"))
    assert failure.value.problems == [
        "report.pdf 2024 FR: quarterly.FR.2024-Q1.users_affected: the document says 25, the latest log "
        "(40 leaves) gives 26 (understated)",
        "report.pdf 2024 FR: requests_fulfilled: the document says 7, the latest log (40 leaves) gives 10 "
        "(understated)"]


def _close_many_accounts(now, n: int) -> None:
    """``n`` French cases fulfilled in 2024-Q1, each affecting a hundred accounts or more: the
    users affected run into thousands, which the PDF prints grouped."""
    from tests.transparency.conftest import count_closed

    for i in range(n):
        closed = datetime(2024, 2, 3, tzinfo=UTC) + timedelta(minutes=i)
        count_closed(country="FR", kind="subscriber_data", outcome="fulfilled", accounts=100 + i, closed=closed)
        services.append_leaf(case_ref=f"LD-{i:05d}", period="2024-Q1", country="FR", kind="subscriber_data",
                             outcome="fulfilled", accounts_affected=100 + i, now=now + timedelta(minutes=i))


@contextmanager
def _french_grouped_with_commas() -> Iterator[None]:
    """French as lawdesk printed it before it grouped counts the French way: 1,266."""
    from django.test import override_settings
    from django.utils.formats import reset_format_cache

    with override_settings(FORMAT_MODULE_PATH=["tests.transparency.formats_before"]):
        reset_format_cache()
        try:
            yield
        finally:
            reset_format_cache()


def _text(pdf: bytes) -> str:
    """The PDF's text as pypdf gives it, spaces as printed (no-break ones kept)."""
    import io

    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


def test_a_french_pdf_with_grouped_figures_is_recounted(db, now, tmp_path: Path) -> None:
    """A French PDF groups thousands with a narrow no-break space (1 266), also where the one
    printed before was cached; the verifier reads it, reads the French PDFs published before
    (1,266), and refuses one that lowers a grouped figure."""
    from django.utils import translation

    from lawdesk.transparency.documents import pdf_figures

    _close_many_accounts(now, 12)  # 12 requests fulfilled, 1,266 users affected
    services.publish_checkpoint(now=now)
    with translation.override("fr"):
        with _french_grouped_with_commas():  # printed (and cached) before the upgrade
            before = export(tmp_path, "before")
        french = export(tmp_path, "fr")
        lowered = _lowered_pdf("2024", "FR")
    pdf = (french / "statistics" / "2024-FR.pdf").read_bytes()
    assert "UTILISATEURS CONCERNÉS\n1\u202f266" in _text(pdf) and "1,266" not in _text(pdf)
    assert "FR 2024-Q1 12 1\u202f266" in _text(pdf)
    assert pdf_figures(pdf)["headline.accounts_affected"] == 1266
    assert "UTILISATEURS CONCERNÉS\n1,266" in _text((before / "statistics" / "2024-FR.pdf").read_bytes())
    for published in (french, before):
        outcome = verify_log(DirSource(published), state=State(tmp_path / published.name))
        assert any(n.startswith("report.pdf 2024 FR: every figure") for n in outcome.notes)
    assert "FR 2024-Q1 12 1\u202f265" in _text(lowered)
    (french / "statistics" / "2024-FR.pdf").write_bytes(lowered)
    with pytest.raises(VerifyError) as failure:
        verify_log(DirSource(french), state=State(tmp_path / "lowered"))
    assert failure.value.problems == [
        "report.pdf 2024 FR: quarterly.FR.2024-Q1.users_affected: the document says 1,265, the latest log "
        "(12 leaves) gives 1,266 (understated)",
        "report.pdf 2024 FR: requests_fulfilled: the document says 9, the latest log (12 leaves) gives 12 "
        "(understated)"]


def test_a_band_must_hold_the_exact_count(db, now, tmp_path: Path) -> None:
    close(now, 12)
    services.publish_checkpoint(now=now)
    served = export(tmp_path, "served")
    path = served / "statistics" / "2024-FR.json"
    doc = json.loads(path.read_text())
    assert doc["statistics"]["headline"]["fulfilled"] == {"from": 1, "to": 9}  # 3 requests: a band
    doc["statistics"]["headline"]["accounts_affected"] = {"from": 1, "to": 9}
    path.write_text(json.dumps(doc))
    with pytest.raises(VerifyError) as failure:
        verify_log(DirSource(served), state=State(tmp_path / "state"))
    assert failure.value.problems == [
        "statistics.json 2024 FR: headline.accounts_affected: the band 1\u20139 does not hold the exact count, "
        "the latest log (12 leaves) gives 16 (understated)"]
