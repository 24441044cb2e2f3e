"""Publication that does not tip off: closed periods only, after a delay, small counts as bands;
pages read the figures published (verified against the log then), not the tables or leaves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from lawdesk.transparency import publication, services
from lawdesk.transparency.models import PublishedFigures
from tests.transparency.conftest import count_closed

pytestmark = pytest.mark.django_db


def closed(n: int, *, quarter: str, country: str = "FR", outcome: str = "fulfilled", start: int = 0) -> None:
    year, q = int(quarter[:4]), int(quarter[-1])
    for i in range(start, start + n):
        when = datetime(year, 3 * q - 1, 12, tzinfo=UTC) + timedelta(minutes=i)
        count_closed(country=country, kind="production", outcome=outcome, accounts=2, closed=when)
        services.append_leaf(case_ref=f"{quarter}-{country}-{i}", period=quarter, country=country,
                             kind="production", outcome=outcome, accounts_affected=2, now=when)


def test_a_request_filed_minutes_ago_moves_no_public_figure(submit, client, now) -> None:
    closed(12, quarter="2026-Q3")  # ended 30 September: published 30 October
    services.publish_checkpoint(now=now)
    urls = ["/transparency/", "/transparency/statistics.json?period=2026-Q3",
            "/transparency/statistics.json?period=2026-H2", "/transparency/reports.json"]
    before = [client.get(u).content for u in urls]
    submit()  # a new request, received now (2026-Q4)
    services.publish_checkpoint(now=now)
    assert [client.get(u).content for u in urls] == before
    page = client.get("/transparency/").content.decode()
    assert 'value="2026-Q3"' in page and "2026-Q4" not in page and 'value="2026"' not in page
    for url in ("/transparency/statistics.json?period=2026-Q4", "/transparency/report.json?period=2026",
                "/transparency/statistics.csv?period=2026-Q4&country=FR"):
        answer = client.get(url)
        assert answer.status_code == 404, url
        assert "only closed periods are" in answer.json()["error"]
    assert "will be published on 31 January 2027" in client.get(
        "/transparency/statistics.json?period=2026-Q4").json()["error"]


@override_settings(LAWDESK_TRANSPARENCY_DELAY_DAYS=45)
def test_the_delay_is_a_setting(client, now) -> None:
    closed(12, quarter="2026-Q3")
    services.publish_checkpoint(now=now)  # 2 November: Q3 ended 33 days ago
    assert client.get("/transparency/statistics.json?period=2026-Q3").status_code == 404
    assert "No period is published yet" in client.get("/transparency/").content.decode()
    assert publication.refresh(now=datetime(2026, 11, 15, 0, 1, tzinfo=UTC)) == []
    doc = client.get("/transparency/statistics.json?period=2026-Q3").json()
    assert doc["statistics"]["requests_fulfilled"] == 12


def test_small_counts_are_bands_the_log_keeps_them_exact(client, now) -> None:
    closed(3, quarter="2025-Q2", country="DE")
    closed(2, quarter="2025-Q2", country="DE", outcome="refused", start=3)
    closed(14, quarter="2025-Q2", country="FR")
    services.publish_checkpoint(now=now)
    doc = client.get("/transparency/statistics.json?period=2025-Q2&country=DE").json()
    band = {"from": 1, "to": 9}
    assert doc["statistics"]["headline"]["fulfilled"] == band
    assert doc["statistics"]["headline"]["refused"] == band
    assert doc["statistics"]["headline"]["accounts_affected"] == 10  # 5 cases x 2 accounts
    assert doc["statistics"]["medians"]["fulfil_hours"] is None  # no median over 3 requests
    fr = client.get("/transparency/statistics.json?period=2025-Q2&country=FR").json()
    assert fr["statistics"]["headline"]["fulfilled"] == 14
    csv_text = client.get("/transparency/statistics.csv?period=2025-Q2&country=DE").content.decode()
    assert "headline,,fulfilled,1\u20139" in csv_text.splitlines()
    page = client.get("/transparency/?period=2025-Q2&country=DE").content.decode()
    assert ">1\u20139<" in page and "shown as the range" in page
    report = client.get("/transparency/report.json?period=2025-Q2&country=DE").json()
    assert report["counts"]["by_outcome"] == {"fulfilled": 3, "refused": 2}
    with override_settings(LAWDESK_TRANSPARENCY_BAND_BELOW=0):
        PublishedFigures.objects.all().delete()
        publication.refresh(now=now)
        exact = client.get("/transparency/statistics.json?period=2025-Q2&country=DE").json()
        assert exact["statistics"]["headline"]["fulfilled"] == 3


def test_pages_read_the_published_figures_whatever_the_history(client, now) -> None:
    def cost() -> tuple[int, list[str]]:
        with CaptureQueriesContext(connection) as queries:
            for url in ("/transparency/", "/transparency/statistics.json?period=2025",
                        "/transparency/report.json?period=2025&country=FR", "/transparency/reports.json"):
                assert client.get(url).status_code == 200, url
        return len(queries), [q["sql"] for q in queries.captured_queries]

    closed(5, quarter="2025-Q1")
    services.publish_checkpoint(now=now)
    small, _ = cost()
    closed(60, quarter="2025-Q3", start=5)
    closed(30, quarter="2025-Q4", country="DE", start=65)
    services.publish_checkpoint(now=now)
    large, sql = cost()
    assert large == small
    assert not [q for q in sql if "transparency_leaf" in q or "transparency_count" in q
                or "transparency_duration" in q]


def test_a_period_that_gains_leaves_is_published_again(client, now) -> None:
    closed(20, quarter="2024-Q4")
    services.publish_checkpoint(now=now)
    assert client.get("/transparency/statistics.json?period=2024").json()["statistics"]["requests_fulfilled"] == 20
    closed(5, quarter="2024-Q4", start=20)  # history imported later
    services.publish_checkpoint(now=now)
    doc = client.get("/transparency/statistics.json?period=2024").json()
    assert doc["statistics"]["requests_fulfilled"] == 25
    assert doc["checkpoint"]["size"] == 25
    assert client.get("/transparency/report.json?period=2024-Q4").json()["counts"]["requests"] == 25


def test_a_period_whose_tables_disagree_with_the_log_is_held_back(client, now) -> None:
    closed(12, quarter="2025-Q1")
    services.append_leaf(case_ref="UNCOUNTED", period="2025-Q1", country="FR", kind="production",
                         outcome="fulfilled", accounts_affected=1, now=now)  # in the log, not in the tables
    services._sign_checkpoint(now=now)
    held = publication.refresh(now=now)
    assert any("2025-Q1" in line and "disagree" in line for line in held)
    assert client.get("/transparency/statistics.json?period=2025-Q1").status_code == 404


def test_the_public_page_and_its_pdf_speak_french(client, now) -> None:
    """A French reader gets the page, the JSON refusals and the PDF in French (the PDF's text
    extracted: French headings, no English phrase of the catalogue); an English reader gets
    them in English; the transparency verifier reads the figures of both PDFs alike."""
    from lawdesk.transparency.documents import pdf_figures
    from tests.support import english_phrases

    closed(12, quarter="2026-Q3")
    services.publish_checkpoint(now=now)
    fr = {"Accept-Language": "fr"}
    page = client.get("/transparency/?period=2026-Q3", headers=fr).content.decode()
    assert '<html lang="fr">' in page
    assert "Demandes des autorités publiques" in page and "Vérifiez ces chiffres vous-même" in page
    assert "2026, trimestre 3" in page and "Requests fulfilled" not in page
    refused = client.get("/transparency/statistics.json?period=2026-Q4", headers=fr).json()["error"]
    assert "seules les périodes clôturées le sont" in refused
    assert "Ils seront publiés le 31 janvier 2027" in refused
    french = client.get("/transparency/report.pdf?period=2026-Q3", headers=fr)
    english = client.get("/transparency/report.pdf?period=2026-Q3", headers={"Accept-Language": "en"})
    assert french.status_code == english.status_code == 200 and french.content != english.content
    text = pdf_text(french.content)
    for heading in ("RAPPORT DE TRANSPARENCE", "Demandes des autorités publiques — 2026, trimestre 3",
                    "Demandes exécutées", "Utilisateurs concernés", "Issue des demandes",
                    "Vérifiez ces chiffres vous-même", "page 1 sur"):
        assert heading in text, (heading, text)
    assert english_phrases(text) == [], text
    english_text = pdf_text(english.content)
    assert "Requests from public authorities — 2026, quarter 3" in english_text
    assert "Demandes" not in english_text and english_phrases(english_text)  # the check can fail
    assert pdf_figures(french.content) == pdf_figures(english.content)
    assert pdf_figures(french.content)["requests_fulfilled"] == 12
    assert "Requests from public authorities" in client.get(
        "/transparency/?period=2026-Q3", headers={"Accept-Language": "en"}).content.decode()


def pdf_text(pdf: bytes) -> str:
    """The PDF's text, whitespace folded (pypdf, as the transparency verifier reads it)."""
    import io

    from pypdf import PdfReader

    return " ".join(" ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages).split())
