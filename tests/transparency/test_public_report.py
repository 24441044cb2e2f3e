"""The public report: the demo's 2024 figures, downloads, the PDF, and the officer's log receipt."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from typer.testing import CliRunner

from lawdesk.transparency import counts, services
from lawdesk.transparency.cli import app as cli_app
from lawdesk.transparency.verify import HttpSource, State, VerifyError, verify_log, verify_receipt
from tests.factories import login

pytestmark = pytest.mark.django_db

FR_2024 = [("2024-Q1", 4, 17), ("2024-Q2", 6, 37), ("2024-Q3", 210, 632), ("2024-Q4", 673, 1386)]
BAND = {"from": 1, "to": 9}  # counts from 1 to 9 are published as a band (decision 0018)


@pytest.fixture
def demo(now):
    from lawdesk.demo.seed import seed

    seed(now)


def _fetcher(client):
    def fetch(url: str) -> bytes:
        parts = urlsplit(url)
        response = client.get(parts.path + (f"?{parts.query}" if parts.query else ""))
        assert response.status_code == 200, (url, response.content[:300])
        return response.content
    return fetch


def test_the_demo_reproduces_the_published_france_2024_figures(demo, client, tmp_path,
                                                               now) -> None:
    doc = client.get("/transparency/statistics.json?period=2024&country=FR").json()
    quarters = doc["statistics"]["quarterly"][0]["quarters"]
    assert [(q["quarter"], q["requests_fulfilled"], q["users_affected"]) for q in quarters] == [
        (q, BAND if n < 10 else n, users) for q, n, users in FR_2024]
    assert doc["statistics"]["requests_fulfilled"] == 893
    assert doc["statistics"]["headline"]["accounts_affected"] == 2072
    assert doc["agrees_with_log"] is True and doc["checkpoint"]["size"] <= services.tree_size()
    # The exact counts stay in the log: the verifiable report from its leaves.
    report = client.get("/transparency/report.json?period=2024-Q1&country=FR").json()
    assert report["counts"]["by_outcome"]["fulfilled"] == 4
    # The page a journalist opens: 2024 by default (the latest year with closed requests).
    page = client.get("/transparency/").content.decode()
    assert "the year 2024" in page and 'data-testid="chart-quarterly"' in page
    for _, fulfilled, users in FR_2024:
        shown = "1\u20139" if fulfilled < 10 else f"{fulfilled:,}"
        assert f">{shown}<" in page and f">{users:,}<" in page  # 1,386: grouped digits
    assert 'data-testid="users">2,072<' in page
    assert "style=" not in page  # the CSP forbids inline styles
    _charts_draw_in_french(client)
    _french_groups_thousands_the_french_way(client)
    # Half-years are sums of quarters.
    h2 = client.get("/transparency/statistics.json?period=2024-H2&country=FR").json()
    assert h2["statistics"]["requests_fulfilled"] == 883 and h2["agrees_with_log"] is True
    # The counts agree with a rebuild from the cases.
    assert counts.rebuild(write=False) == []
    # And the log the report is computed from verifies: honest report accepted ...
    fetch = _fetcher(client)
    outcome = verify_log(HttpSource("http://testserver/transparency/", fetch), state=State(tmp_path / "s"))
    assert outcome.size == services.tree_size()
    # ... a report understating the fulfilled requests is rejected.

    def lying(url: str) -> bytes:
        body = fetch(url)
        if "/report.json" in url:
            doc = json.loads(body)
            doc["counts"]["by_outcome"]["fulfilled"] -= 100
            body = json.dumps(doc).encode()
        return body

    with pytest.raises(VerifyError, match="understated"):
        verify_log(HttpSource("http://testserver/transparency/report.json?period=2024&country=FR", lying),
                   state=State(tmp_path / "s"))
    # Seeding the history (953 cases, ~1 min on PostgreSQL) once serves both checks, and a
    # second seed adds nothing.
    _downloads_and_pdf_carry_no_case_details(client)
    size = services.tree_size()
    from lawdesk.demo.seed import seed

    seed(now)
    assert services.tree_size() == size


def _charts_draw_in_french(client) -> None:
    """The charts' coordinates stay numbers in French, on the page and in the PDF's HTML: a
    localised "248,0" is no SVG number, and the French chart drew its bars nowhere."""
    from django.template.loader import render_to_string
    from django.utils import translation

    from lawdesk.transparency.views import page_context

    french = client.get("/transparency/?period=2024&country=FR",
                        headers={"Accept-Language": "fr"}).content.decode()
    assert "Demandes exécutées" in french
    with translation.override("fr"):
        printed = render_to_string("transparency/report_print.html", page_context(
            "2024", "FR", periods=["2024"], countries=["FR"], base_url="http://testserver/transparency/"))
    for html, charts in ((french, 2), (printed, 1)):
        svgs = re.findall(r"<svg.*?</svg>", html, re.S)
        assert len(svgs) == charts
        values = re.findall(r'\s(?:x|y|x1|x2|y1|y2|width|height|viewBox)="([^"]*)"', "".join(svgs))
        assert len(values) > 50
        for value in values:
            assert value == "100%" or all(re.fullmatch(r"-?\d+(\.\d+)?", v) for v in value.split()), value


def _french_groups_thousands_the_french_way(client) -> None:
    """A French reader reads 2,072 as about two: the French page and PDF group thousands with a
    narrow no-break space (2 072), and the verifier reads the French PDF's figures as the English."""
    from django.template.loader import render_to_string
    from django.utils import translation

    from lawdesk.transparency.documents import pdf_figures
    from lawdesk.transparency.views import page_context

    fr = {"Accept-Language": "fr"}
    french = client.get("/transparency/?period=2024&country=FR", headers=fr).content.decode()
    with translation.override("fr"):
        printed = render_to_string("transparency/report_print.html", page_context(
            "2024", "FR", periods=["2024"], countries=["FR"], base_url="http://testserver/transparency/"))
    for html in (french, printed):
        assert ">2\u202f072<" in html and ">1\u202f386<" in html and ">1\u20139<" in html
        assert not re.search(r"[0-9],[0-9]{3}", html), re.findall(r".{40}[0-9],[0-9]{3}.{10}", html)
    assert 'data-testid="users">2\u202f072<' in french
    for html in (french, printed):  # counts of requests agree in number: 35 refusées, not "refusée"
        assert '<p class="eyebrow">Refusées</p>' in html and "<th>Retirées</th>" in html, html
    french_pdf = client.get("/transparency/report.pdf?period=2024&country=FR", headers=fr).content
    english_pdf = client.get("/transparency/report.pdf?period=2024&country=FR").content
    assert french_pdf != english_pdf
    figures = pdf_figures(french_pdf)
    assert figures == pdf_figures(english_pdf)
    assert figures["headline.accounts_affected"] == 2072
    assert figures["quarterly.FR.2024-Q4.users_affected"] == 1386


def _downloads_and_pdf_carry_no_case_details(client) -> None:
    from lawdesk.cases.models import Case, Target

    csv_text = client.get("/transparency/statistics.csv?period=2024-Q4&country=FR").content.decode()
    assert csv_text.splitlines()[0] == "section,key,measure,value"
    assert "quarterly,FR 2024-Q4,requests_fulfilled,673" in csv_text
    assert "quarterly,FR 2024-Q4,users_affected,1386" in csv_text
    json_text = client.get("/transparency/statistics.json?period=2024-Q4&country=FR").content.decode()
    page = client.get("/transparency/?period=2024-Q4&country=FR").content.decode()
    response = client.get("/transparency/report.pdf?period=2024&country=FR")
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    everything = csv_text + json_text + page
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-", "-"], input=response.content, capture_output=True,
                              check=True).stdout.decode()
        assert "893" in text and "2,072" in text and "1,386" in text
        everything += text
    for case in Case.objects.select_related("officer__user")[:200]:
        assert case.number not in everything
        assert case.officer.user.email not in everything
        assert case.authority_file_number not in everything
    for target in Target.objects.all()[:200]:
        assert target.value not in everything


def test_bad_scopes_are_refused(db, client) -> None:
    assert client.get("/transparency/?period=24").status_code == 400
    assert client.get("/transparency/statistics.json?period=2024-H3").status_code == 400
    assert client.get("/transparency/statistics.csv?period=2024&country=fr").status_code == 400


def test_a_closed_case_gives_its_officer_a_log_receipt(submit, officer, reviewer, client, now, tmp_path) -> None:
    from lawdesk.cases import services as cases

    case = submit(at=now)
    cases.start_review(case=case, actor=reviewer, now=now + timedelta(hours=1))
    cases.refuse(case=case, actor=reviewer, now=now + timedelta(hours=2), ground="other",
                 text="The order is not signed.")
    login(client, officer)
    page = client.get(f"/portal/cases/{case.pk}/").content.decode()
    assert "next signed checkpoint" in page
    assert client.get(f"/transparency/receipt/{case.pk}.json").status_code == 404
    services.publish_checkpoint(now=now + timedelta(hours=3))
    page = client.get(f"/portal/cases/{case.pk}/").content.decode()
    assert 'data-testid="log-receipt"' in page and "Download the log receipt" in page
    response = client.get(f"/transparency/receipt/{case.pk}.json")
    assert response.status_code == 200
    receipt = json.loads(response.content)
    assert receipt["case_ref"] == case.number and len(receipt["salt"]) == 64
    leaf = verify_receipt(receipt, services.verifier(), case_ref=case.number)
    assert (leaf.outcome, leaf.country, leaf.period) == ("refused", "FR", "2026-Q4")
    path = tmp_path / "receipt.json"
    path.write_bytes(response.content)
    result = CliRunner().invoke(cli_app, ["verify-receipt", str(path), "--state-dir", str(tmp_path / "st"),
                                          "--key", services.verifier().encode()])
    assert result.exit_code == 0, result.output
    assert f"case {case.number} is leaf" in result.output


def test_another_agency_gets_no_receipt(submit, reviewer, make_agency, make_officer, client, now) -> None:
    from lawdesk.cases import services as cases

    case = submit(at=now)
    cases.withdraw(case=case, actor=case.officer.user, now=now + timedelta(hours=1), reason="not needed")
    services.publish_checkpoint(now=now + timedelta(hours=2))
    login(client, make_officer(make_agency(country="DE")))
    assert client.get(f"/transparency/receipt/{case.pk}.json").status_code == 404
