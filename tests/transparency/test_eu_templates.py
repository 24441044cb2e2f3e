"""The EU reporting templates from the log: a TCO order, a DSA Art. 9 order and a production order
go through the real services; the "Member States orders" sheet (IR 2024/2835) and the TCO Art. 7
report have the right rows, counts and medians; the CSV and XLSX carry the same values; the
verifier recomputes them from the leaves and names a tampered figure."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import timedelta

import pytest
from defusedxml import ElementTree

from lawdesk.cases import disclosure
from lawdesk.cases import services as case_services
from lawdesk.removal import art9, services, tco_annex_iii
from lawdesk.transparency import eu_publication, eu_templates, publication
from lawdesk.transparency.export import export_log
from lawdesk.transparency.leaves import decode_leaf
from lawdesk.transparency.models import LogLeaf
from lawdesk.transparency.services import publish_checkpoint
from lawdesk.transparency.verify import DirSource, State, VerifyError, verify_log
from tests.factories import content_url, payload
from tests.support import read_xlsx

pytestmark = pytest.mark.django_db
MIN = timedelta(minutes=1)
ORDERS = "Number of orders to act against illegal content received"
ITEMS = eu_templates.METRICS[1]
ACK = eu_templates.METRICS[2]
EFFECT = eu_templates.METRICS[3]
INFO = "Number of orders to provide information"
INFO_EFFECT = eu_templates.METRICS[6]


def _removal(submit, messages, at, **extra):
    """A TCO removal order from Paris naming ``messages`` (``extra`` makes it another order)."""
    data = payload(kind="removal", instrument_type="tco_removal_order", instrument_reference="TCO-FR-2026-7",
                   offence_category="terrorism", categories=[],
                   offence_description="Instructions for making explosives posted in a public channel.",
                   content_locations="\n".join(content_url(m) for m in messages),
                   targets=[{"identifier": "https://msgr.example/demo_channel"}])
    data.pop("max_sentence_years", None)
    return submit(at=at, **{**data, **extra})


def _act(case, reviewer, at, *, after, report_after, measure="remove", countries=None):
    services.apply_measure(case=case, actor=reviewer, now=at + after, measure=measure, countries=countries)
    case.refresh_from_db()
    case_services.report_effect(case=case, actor=reviewer, now=at + report_after, note="Done.")


@pytest.fixture
def history(submit, channel_messages, reviewer, approver, now):
    """Two TCO orders given effect in 12 and 30 minutes (an even count: the median is the mean of
    the two), a TCO order not given effect (Annex III, then withdrawn), a DSA Art. 9 order given
    effect in 45 minutes, and a production order delivered after four days — all in 2026-Q4."""
    assert len(channel_messages) >= 5, "the demo channel needs five messages"
    m = channel_messages
    first = _removal(submit, m[0:2], now)
    _act(first, reviewer, now, after=12 * MIN, report_after=20 * MIN)
    second = _removal(submit, m[2:3], now + timedelta(hours=2), instrument_reference="TCO-FR-2026-8")
    _act(second, reviewer, now + timedelta(hours=2), after=30 * MIN, report_after=31 * MIN,
         measure="disable", countries=["EU"])
    third = _removal(submit, m[3:4], now + timedelta(hours=3), instrument_reference="TCO-FR-2026-9")
    tco_annex_iii.declare(case=third, actor=reviewer, now=now + timedelta(hours=3, minutes=5),
                          reason="manifest_errors", explanation="The URL names another channel entirely.",
                          clarification="Please confirm which channel the order means.")
    third.refresh_from_db()
    case_services.withdraw(case=third, actor=third.officer.user, now=now + timedelta(hours=4),
                           reason="Issued in error.")
    dsa = _removal(submit, m[4:5], now + timedelta(hours=5), instrument_type="dsa_art9_order",
                   instrument_reference="ARCOM-2026-77", offence_category="threats",
                   offence_description="Death threats against a named official.")
    art9.record_scope(case=dsa, actor=reviewer, now=now + timedelta(hours=5), countries="FR BE")
    _act(dsa, reviewer, now + timedelta(hours=5), after=45 * MIN, report_after=50 * MIN,
         measure="disable", countries=["FR", "BE"])
    production = submit(at=now)  # an EPOC from Paris: child sexual abuse, two targets
    case_services.start_review(case=production, actor=reviewer, now=now + timedelta(hours=1))
    proposal = disclosure.propose_disclosure(
        case=production, actor=reviewer, now=now + timedelta(hours=2), categories=production.categories,
        target_ids=[t.pk for t in production.targets.all()], legal_basis="Art. 4(1) e-Evidence")
    disclosure.approve_proposal(proposal=proposal, actor=approver, now=now + timedelta(hours=3))
    case_services.start_collection(case=production, now=now + timedelta(hours=4))
    case_services.mark_delivered(case=production, now=now + timedelta(days=4), accounts_affected=2)
    case_services.close_case(case=production, actor=None, now=now + timedelta(days=5))
    return {"tco": [first, second, third], "dsa": dsa, "production": production}


def _rows(doc):
    return {(r[5], r[3]): dict(zip(doc["columns"], r, strict=True)) for r in doc["rows"]}


def test_the_leaves_carry_what_the_templates_count(history):
    leaves = {decode_leaf(d).order.instrument: decode_leaf(d)  # type: ignore[union-attr]
              for d in LogLeaf.objects.values_list("data", flat=True)}
    first = decode_leaf(LogLeaf.objects.get(case_ref=history["tco"][0].number).data)
    assert first.order is not None
    assert (first.order.order, first.order.category, first.order.items, first.order.actioned,
            first.order.preserved, first.order.ack_min, first.order.effect_min) == (
        "act", "risk_for_public_security", 2, 2, 2, 0, 12)
    third = decode_leaf(LogLeaf.objects.get(case_ref=history["tco"][2].number).data)
    assert third.order is not None and third.order.not_removed == "manifest_errors"
    assert third.order.actioned == 0 and third.order.effect_min is None
    production = leaves["epoc"]
    assert production.order is not None
    assert (production.order.order, production.order.items, production.order.effect_min) == (
        "info", 2, 4 * 24 * 60)
    assert '"v":2' in LogLeaf.objects.first().data  # type: ignore[union-attr]


def test_the_member_states_orders_sheet(history, now, settings):
    publish_checkpoint(now=now + timedelta(days=6))
    doc = eu_publication.for_desk("orders", "2026")
    assert doc is not None and doc["columns"] == list(eu_templates.COLUMNS) and len(doc["columns"]) == 20
    rows = _rows(doc)
    assert set(rows) == {("FR", "Risk for public security"), ("FR", "Cyber violence"),
                         ("FR", "Protection of minors")}
    tco = rows[("FR", "Risk for public security")]
    assert tco["Service"] == settings.LAWDESK_PLATFORM_NAME
    assert tco["Reporting period"] == "2026-01-01 to 2026-12-31"
    assert tco["Scope"] == "FR"
    assert tco[ORDERS] == 3 and tco[ITEMS] == 4  # two, one and one URL
    assert tco[ACK] == 0.0  # the signed acknowledgement goes back with the answer to the submission
    assert tco[EFFECT] == 0.35  # (12 + 30) / 2 = 21 minutes; the third was not given effect
    assert tco[INFO] == 0 and tco[INFO_EFFECT] is None
    assert "median of 2 of 3 orders" in tco["Contextual information on " + EFFECT[0].lower() + EFFECT[1:]]
    assert rows[("FR", "Cyber violence")][ORDERS] == 1 and rows[("FR", "Cyber violence")][EFFECT] == 0.75
    info = rows[("FR", "Protection of minors")]
    assert (info[ORDERS], info[INFO], info[INFO_EFFECT]) == (0, 1, 96.0)
    assert info[ACK] is None


def test_the_tco_report(history, now):
    publish_checkpoint(now=now + timedelta(days=6))
    doc = eu_publication.for_desk("tco", "2026")
    assert doc is not None
    m = {x["measure"]: x for x in doc["measures"]}
    assert m["removal_orders_received"]["value"] == 3
    assert m["removal_orders_given_effect"]["value"] == 2
    assert m["removal_orders_given_effect_within_one_hour"]["value"] == 2
    assert m["items_removed_or_disabled_following_removal_orders"]["value"] == 3
    assert m["items_preserved"]["value"] == 3
    assert m["removal_orders_not_given_effect"]["value"] == 1
    assert m["not_given_effect:manifest_errors"]["value"] == 1
    assert m["not_given_effect:force_majeure"]["value"] == 0
    assert m["median_hours_to_give_effect"]["value"] == 0.35
    # What lawdesk does not record is said, not counted as zero.
    for name in ("complaints_handled", "review_proceedings_brought", "reinstated_after_complaint",
                 "measures_to_identify_and_remove"):
        assert m[name]["value"] is None and m[name]["note"].startswith("Not recorded by lawdesk")


def _xlsx_table(data: bytes) -> list[list[object]]:
    """Read the workbook as Excel would: unzip and parse the sheet's XML (not our reader)."""
    ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert "xl/workbook.xml" in z.namelist() and "[Content_Types].xml" in z.namelist()
        assert b'name="Member States orders"' in z.read("xl/workbook.xml")
        root = ElementTree.fromstring(z.read("xl/worksheets/sheet1.xml"))
    table = []
    for row in root.iter(f"{ns}row"):
        cells = {}
        for c in row.iter(f"{ns}c"):
            col = ord(c.get("r")[0]) - 65 if c.get("r")[1].isdigit() else 26 * (ord(c.get("r")[0]) - 64) + ord(
                c.get("r")[1]) - 65
            cells[col] = (c.find(f"{ns}is/{ns}t").text if c.get("t") == "inlineStr"
                          else float(c.find(f"{ns}v").text))
        table.append([cells.get(i) for i in range(max(cells) + 1)])
    return table


def test_csv_and_xlsx_carry_the_same_values(history, now):
    publish_checkpoint(now=now + timedelta(days=6))
    doc = eu_publication.for_desk("orders", "2026")
    assert doc is not None
    table = eu_templates.sheet_table(doc)
    parsed = list(csv.reader(io.StringIO(eu_publication.render("orders", doc, "csv").decode())))
    xlsx = _xlsx_table(eu_publication.render("orders", doc, "xlsx"))
    assert parsed[0] == xlsx[0] == list(eu_templates.COLUMNS)
    assert len(parsed) == len(xlsx) == len(table) == 4
    for line, sheet_row, row in zip(parsed[1:], xlsx[1:], table[1:], strict=True):
        for text, cell, value in zip(line, sheet_row + [None] * (20 - len(sheet_row)), row, strict=True):
            if value is None:
                assert text == "" and cell is None
            elif isinstance(value, int | float):
                assert float(text) == cell == value
            else:
                assert text == (cell or "") == value  # an empty text cell reads as None
    # The workbook is a function of the figures: the same bytes every time.
    assert eu_publication.render("orders", doc, "xlsx") == eu_publication.render("orders", doc, "xlsx")
    assert read_xlsx(eu_publication.render("orders", doc, "xlsx")) == table


def _published_export(now, tmp_path):
    # 2026 is published 30 days after it ends; the figures are checked against the log first.
    publish_checkpoint(now=now + timedelta(days=6))
    held = publication.refresh(now=publication.publication_date("2026"))
    assert held == []
    assert eu_publication.published("orders", "2026") is not None
    out = tmp_path / "export"
    assert export_log(out, pdf=False) is not None
    return out


def test_verify_recomputes_the_templates_and_names_a_tampered_figure(history, now, tmp_path):
    out = _published_export(now, tmp_path)
    assert sorted(p.name for p in (out / "eu").iterdir()) == sorted(
        f"2026-{slug}.{fmt}" for slug in ("member-states-orders", "tco-art7") for fmt in ("json", "csv", "xlsx"))
    source = DirSource(out)
    source.with_pdf = False
    outcome = verify_log(source, state=State(tmp_path / "state"))
    assert any(n.startswith("member-states-orders.xlsx 2026: every figure matches") for n in outcome.notes)
    assert any(n.startswith("tco-art7.json 2026: every figure matches") for n in outcome.notes)

    sheet = out / "eu" / "2026-member-states-orders.json"
    doc = json.loads(sheet.read_text())
    [row] = [r for r in doc["rows"] if r[3] == "Risk for public security"]
    row[6] = 2  # one TCO order fewer
    sheet.write_text(json.dumps(doc))
    tco = out / "eu" / "2026-tco-art7.json"
    report = json.loads(tco.read_text())
    [given] = [m for m in report["measures"] if m["measure"] == "removal_orders_given_effect"]
    given["value"] = 3
    tco.write_text(json.dumps(report))
    csv_file = out / "eu" / "2026-member-states-orders.csv"
    csv_file.write_text(csv_file.read_text().replace(",0.35,", ",0.30,"))
    with pytest.raises(VerifyError) as failed:
        verify_log(DirSource(out), state=State(tmp_path / "state2"), check_documents=True)
    problems = "\n".join(failed.value.problems)
    assert (f"member-states-orders.json 2026: row FR / Risk for public security, {ORDERS!r}: the report "
            "says 2, the latest log") in problems
    assert "tco-art7.json 2026: 7(3)(c) removal_orders_given_effect: the report says 3" in problems
    assert "member-states-orders.csv 2026: line 4 is" in problems  # rows by member state, then category
    assert "xlsx" not in problems  # the untouched workbook still verifies


def test_an_old_leaf_still_verifies_and_is_left_out_of_the_templates(now):
    from lawdesk.transparency.services import append_leaf

    append_leaf(case_ref="LD-2026-000001", period="2026-Q4", country="FR", kind="removal",
                outcome="actioned", accounts_affected=0, now=now)
    leaf = LogLeaf.objects.get()
    assert '"v"' not in leaf.data and decode_leaf(leaf.data).order is None
    publish_checkpoint(now=now)
    doc = eu_publication.for_desk("orders", "2026")
    assert doc is not None and doc["rows"] == []


def test_the_public_gets_the_files_once_the_period_is_published(history, now, client):
    publish_checkpoint(now=now + timedelta(days=6))
    early = client.get("/transparency/eu/orders.csv?period=2026")
    assert early.status_code == 404 and "only closed periods" in early.json()["error"]
    publication.refresh(now=publication.publication_date("2026"))
    response = client.get("/transparency/eu/orders.xlsx?period=2026")
    assert response.status_code == 200
    assert response["Content-Type"] == eu_publication.CONTENT_TYPES["xlsx"]
    assert 'filename="member-states-orders-2026.xlsx"' in response["Content-Disposition"]
    table = read_xlsx(response.content)
    [tco] = [r for r in table[1:] if r[3] == "Risk for public security"]
    assert tco[6] == 3 and tco[9] == 0.35
    report = client.get("/transparency/eu/tco.json?period=2026").json()
    assert report["format"] == eu_templates.TCO_FORMAT and report["checkpoint"]["size"] == 5
    assert client.get("/transparency/eu/nothing.csv?period=2026").status_code == 404
    assert client.get("/transparency/eu/orders.csv?period=26").status_code == 400
    listing = client.get("/transparency/reports.json").json()["reports"]
    assert [r["period"] for r in listing if r.get("eu_templates")] == ["2026"]


def test_the_desk_downloads_them_and_a_reviewer_cannot(history, now, client, make_staff, reviewer):
    from django.urls import reverse

    from tests.factories import login

    publish_checkpoint(now=now + timedelta(days=6))
    login(client, make_staff("auditor", email="auditor@platform.example"))
    page = client.get(reverse("desk:eu_templates"))
    assert page.status_code == 200 and page.context["period"] == "2026"
    assert b"Member States orders" in page.content and b"not published yet" in page.content
    url = reverse("desk:eu_template_download", args=["tco", "csv"]) + "?period=2026-Q4"
    rows = list(csv.reader(io.StringIO(client.get(url).content.decode())))
    assert rows[0] == eu_templates.TCO_COLUMNS
    assert rows[3][:3] == ["7(3)(c)", "removal_orders_received", "3"]
    assert next(r for r in rows if r[1] == "complaints_handled")[2] == ""  # not recorded, not zero
    client.logout()
    login(client, reviewer)
    assert client.get(url).status_code == 404


def test_the_command_line_writes_either_template(history, now, tmp_path):
    from typer.testing import CliRunner

    from lawdesk.cli import app

    publish_checkpoint(now=now + timedelta(days=6))
    result = CliRunner().invoke(app, ["transparency", "eu-report", "tco", "--period", "2026"])
    assert result.exit_code == 0, result.output
    assert "7(3)(c),removal_orders_received,3," in result.output
    out = tmp_path / "sheet.xlsx"
    result = CliRunner().invoke(app, ["transparency", "eu-report", "orders", "--period", "2026",
                                      "--format", "xlsx", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert read_xlsx(out.read_bytes())[0] == list(eu_templates.COLUMNS)
    bad = CliRunner().invoke(app, ["transparency", "eu-report", "orders", "--period", "2026-13"])
    assert bad.exit_code == 2 and "--period" in bad.output
