"""Statements of reasons (DSA Art. 17) and their submission to the DSA Transparency Database,
against the project's local stand-in for the database on the loopback interface."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from lawdesk.audit.models import Event
from lawdesk.platform.actions import PlatformActions
from lawdesk.removal import services
from lawdesk.removal.models import RemovalItem, StatementOfReasons
from lawdesk.removal.tdb import export, fields, local_server, outbox, personal_data
from lawdesk.removal.tdb import statements as sor
from lawdesk.removal.tdb.client import TdbClient
from tests.removal.conftest import tco_payload

pytestmark = pytest.mark.django_db
State = StatementOfReasons.State


@pytest.fixture
def tdb(settings):
    db = local_server.LocalDatabase(token="t0ken")
    settings.LAWDESK_TDB_URL = db.start()
    settings.LAWDESK_TDB_TOKEN = "t0ken"
    yield db
    db.stop()


def valid() -> dict:
    return {
        "decision_visibility": ["DECISION_VISIBILITY_CONTENT_REMOVED"],
        "decision_ground": "DECISION_GROUND_ILLEGAL_CONTENT",
        "illegal_content_legal_ground": "Regulation (EU) 2021/784, Art. 3",
        "illegal_content_explanation": "A removal order found it terrorist content.",
        "decision_facts": "Order received on 2026-11-02; removed the same day.",
        "content_type": ["CONTENT_TYPE_TEXT"],
        "category": "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY",
        "territorial_scope": ["FR", "GR"],
        "content_date": "2026-10-30",
        "application_date": "2026-11-02",
        "source_type": "SOURCE_TYPE_OTHER_NOTIFICATION",
        "automated_detection": "No",
        "automated_decision": "AUTOMATED_DECISION_NOT_AUTOMATED",
        "puid": "lawdesk-LD-2026-000001-1",
    }


def _codes(statement: dict) -> set[tuple[str, str]]:
    return {(e.field, e.code) for e in fields.validate(statement, fields.ENUMS_2025_07)}


MUTATIONS = {
    "no decision": ({"decision_visibility": None}, ("decision_visibility", "decision_required")),
    "other without its text": (
        {"decision_visibility": ["DECISION_VISIBILITY_OTHER"]},
        ("decision_visibility_other", "required"),
    ),
    "illegal ground without legal ground": (
        {"illegal_content_legal_ground": None},
        ("illegal_content_legal_ground", "required"),
    ),
    "incompatible fields on an illegal ground": (
        {"incompatible_content_ground": "T&C 4.2"},
        ("incompatible_content_ground", "excluded"),
    ),
    "Greece as EL": ({"territorial_scope": ["EL"]}, ("territorial_scope", "greece")),
    "a non-EEA country": ({"territorial_scope": ["US"]}, ("territorial_scope", "territory")),
    "an old category": ({"category": "STATEMENT_CATEGORY_PIRACY"}, ("category", "enum")),
    "a bad puid": ({"puid": "LD 2026/1"}, ("puid", "puid")),
    "an end before the application": (
        {"end_date_visibility_restriction": "2026-11-01"},
        ("end_date_visibility_restriction", "end_date"),
    ),
    "a date before 2020": ({"application_date": "2019-12-31"}, ("application_date", "date_range")),
    "facts too long": ({"decision_facts": "x" * 5001}, ("decision_facts", "length")),
    "lower-case language": ({"content_language": "fr"}, ("content_language", "language")),
    "voluntary with a source": (
        {"source_type": "SOURCE_VOLUNTARY", "source_identity": "someone"},
        ("source_identity", "excluded"),
    ),
    "automated detection as a boolean": ({"automated_detection": True}, ("automated_detection", "required")),
}


def test_a_valid_statement_passes_and_each_documented_rule_refuses_its_case():
    assert _codes(valid()) == set()
    for name, (change, expected) in MUTATIONS.items():
        assert expected in _codes({**valid(), **change}), name


def test_the_local_server_read_the_same_rules_independently():
    """What lawdesk's validator lets through, the local database accepts, and the reverse."""
    assert local_server.rules(valid()) == {}
    for name, (change, _expected) in MUTATIONS.items():
        assert local_server.rules({**valid(), **change}), name


def test_batches_hold_one_to_a_hundred_statements_and_no_puid_twice():
    with pytest.raises(ValueError):
        fields.validate_batch([valid()] * 101, fields.ENUMS_2025_07)
    errors = fields.validate_batch([valid(), valid()], fields.ENUMS_2025_07)
    assert [e.code for e in errors[1]] == ["duplicate"] and 0 not in errors


def test_the_enumerations_are_dated_versions(monkeypatch):
    later = fields.Enumerations(
        "2027-01-01",
        date(2027, 1, 1),
        {**fields.ENUMS_2025_07.values, "category": frozenset({"STATEMENT_CATEGORY_VIOLENCE"})},
    )
    monkeypatch.setattr(fields, "VERSIONS", [fields.ENUMS_2025_07, later])
    assert fields.in_force(date(2026, 12, 31)).version == "2025-07-01"
    assert fields.in_force(date(2027, 1, 1)) is later
    assert ("category", "enum") in {(e.field, e.code) for e in fields.validate(valid(), later)}
    with pytest.raises(LookupError):
        fields.in_force(date(2025, 6, 30))


@pytest.mark.parametrize(
    "text",
    [
        "Contact night.owl@example.org for the video",
        "call +33 6 12 34 56 78",
        "call 06 12 34 56 78",
        "posted from 203.0.113.7",
        "posted from 2001:db8::7",
    ],
)
def test_personal_data_is_found_in_free_text(text):
    assert personal_data.find(text)


@pytest.mark.parametrize(
    "text",
    [
        "Order received on 2026-11-02; removed on 2026-11-02.",
        "Case LD-2026-000123, item 1.",
        "Regulation (EU) 2021/784, Art. 3(7) and Regulation (EU) 2022/2065 Art. 17.",
        "Version 1.2.3 of the app; 12:30 UTC.",
    ],
)
def test_ordinary_facts_are_not_taken_for_personal_data(text):
    assert personal_data.find(text) == []


def test_the_uploaders_own_identifiers_are_found():
    who = personal_data.AccountIdentifiers(
        account_id=4242, phone="+33612345678", usernames=("night_owl",), display_name="Night Owl"
    )
    found = {
        f.describe()
        for f in personal_data.find("posted by @Night_Owl (Night Owl), account 4242, 612345678", [who])
    }
    assert len(found) == 4


def test_a_tco_removal_gives_the_uploader_a_statement_and_the_database_gets_it(
    tco, channel_messages, reviewer, now, removal_platform, tdb
):
    services.apply_measure(case=tco, actor=reviewer, now=now, measure="remove")
    rows = list(tco.statements.order_by("item__position"))
    assert [r.state for r in rows] == [State.PENDING, State.PENDING]
    body = rows[0].body
    assert body["decision_visibility"] == ["DECISION_VISIBILITY_CONTENT_REMOVED"]
    assert body["category"] == "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY"
    assert body["source_type"] == "SOURCE_TYPE_OTHER_NOTIFICATION" and "source_identity" not in body
    assert "GR" in body["territorial_scope"] and "EL" not in body["territorial_scope"]
    # The uploader's notice carries the statement of reasons.
    [notice, *_] = [
        n for n in PlatformActions(removal_platform).notices() if n.reference.startswith(tco.number)
    ]
    assert "Statement of reasons (Regulation (EU) 2022/2065, Art. 17)" in notice.text
    assert body["decision_facts"] in notice.text
    report = outbox.send_all_due(now=now)
    assert sorted(report.sent) == sorted(r.puid for r in rows)
    for row in rows:
        row.refresh_from_db()
        assert row.state == State.SENT and row.db_uuid and row.permalink.startswith(tdb.url)
        assert tdb.statements[row.puid]["decision_facts"] == row.body["decision_facts"]
    assert Event.objects.filter(action="removal:statement:sent").count() == 1
    # The export lists what was sent, with the database's identifiers.
    exported = json.loads(export.as_json(export.sent()))["statements"]
    assert {s["uuid"] for s in exported} == {r.db_uuid for r in rows}
    csv_text = export.as_csv(export.sent())
    assert csv_text.splitlines()[0].startswith("sent_at,case,puid,uuid") and rows[1].puid in csv_text


def test_a_dsa_art9_order_informs_the_uploader_but_sends_nothing_to_the_database(
    submit, channel_messages, reviewer, now, removal_platform, tdb
):
    case = submit(
        **tco_payload(channel_messages[:1], instrument_type="dsa_art9_order", offence_category="threats")
    )
    services.apply_measure(case=case, actor=reviewer, now=now, measure="disable", countries=["FR", "BE"])
    statement = case.statements.get()
    assert statement.state == State.EXCLUDED
    assert statement.body["territorial_scope"] == ["BE", "FR"]
    assert statement.body["decision_visibility"] == ["DECISION_VISIBILITY_CONTENT_DISABLED"]
    notices = [n for n in PlatformActions(removal_platform).notices() if n.reference.startswith(case.number)]
    assert notices and "Art. 17" in notices[0].text
    outbox.send_all_due(now=now + timedelta(days=1))
    assert tdb.requests == []


def test_personal_data_in_the_facts_is_refused_before_it_leaves_then_rewritten(
    submit, channel_messages, reviewer, now, removal_platform, tdb, client
):
    sender = services.connector().subscriber(channel_messages[0].sender_id).account
    case = submit(
        **tco_payload(
            channel_messages[:1],
            offence_description=(
                f"Bomb-making manual posted by {sender.display_name}; tips to contact bomber@example.org."
            ),
        )
    )
    services.apply_measure(case=case, actor=reviewer, now=now, measure="remove")
    statement = case.statements.get()
    assert statement.state == State.REFUSED
    kinds = {e["message"] for e in statement.errors}
    assert "personal data in decision_facts (email)" in kinds
    assert "personal data in decision_facts (account)" in kinds
    assert outbox.send_all_due(now=now).sent == [] and tdb.requests == []
    # The desk rewrites the facts on the removal screen; the statement is checked and queued.
    client.force_login(reviewer)
    page = client.get(f"/desk/removals/{case.pk}/")
    assert b"personal data in decision_facts" in page.content
    answer = client.post(
        f"/desk/removals/{case.pk}/",
        {
            "action": "facts",
            "sf-statement": statement.pk,
            "sf-facts": "A manual for making explosives was posted in a public channel.",
        },
    )
    assert answer.status_code == 302
    statement.refresh_from_db()
    assert statement.state == State.PENDING and statement.errors == []
    assert outbox.send_all_due(now=statement.next_attempt_at).sent == [statement.puid]


def test_a_deferred_uploader_notice_defers_the_submission(submit, channel_messages, reviewer, now, tdb):
    case = submit(**tco_payload(channel_messages[:1], nondisclosure_order=True))
    services.apply_measure(case=case, actor=reviewer, now=now, measure="remove")
    statement = case.statements.get()
    assert statement.due_at == case.received_at + timedelta(weeks=6)
    assert outbox.send_all_due(now=now + timedelta(weeks=5)).sent == [] and tdb.requests == []
    assert outbox.send_all_due(now=now + timedelta(weeks=6, minutes=1)).sent == [statement.puid]


def test_failures_are_retried_later_and_a_lost_answer_never_makes_a_duplicate(tco, reviewer, now, tdb):
    services.apply_measure(case=tco, actor=reviewer, now=now, measure="remove")
    puids = sorted(tco.statements.values_list("puid", flat=True))
    tdb.fail_next = [503]
    report = outbox.send_all_due(now=now)
    assert sorted(report.retry) == puids and report.sent == []
    row = tco.statements.first()
    assert row.state == State.PENDING and row.next_attempt_at == now + timedelta(seconds=30)
    assert "503" in row.last_error
    assert outbox.send_all_due(now=now + timedelta(seconds=10)).retry == []  # not yet due
    # The database stores the batch but its answer is lost: the next round asks, and posts nothing.
    tdb.lose_next_answer = 1
    assert sorted(outbox.send_all_due(now=now + timedelta(seconds=31)).retry) == puids
    posted = tdb.count()
    report = outbox.send_all_due(now=now + timedelta(minutes=5))
    assert sorted(report.already) == puids and tdb.count() == posted
    assert sorted(tdb.statements) == puids
    assert set(tco.statements.values_list("state", flat=True)) == {State.SENT}
    assert all(tco.statements.values_list("db_uuid", flat=True))


def test_a_worker_dying_mid_batch_is_resumed_without_duplicates(tco, reviewer, now, tdb, settings):
    services.apply_measure(case=tco, actor=reviewer, now=now, measure="remove")
    client = TdbClient(settings.LAWDESK_TDB_URL, "t0ken")
    claimed = outbox.claim(now=now)
    client.submit([r.body for r in claimed])  # ... and the worker dies before recording the answer
    assert set(tco.statements.values_list("state", flat=True)) == {State.SENDING}
    assert outbox.send_all_due(now=now + timedelta(minutes=1)).sent == []  # the lease still holds
    report = outbox.send_all_due(now=now + outbox.LEASE + timedelta(seconds=1))
    assert sorted(report.already) == sorted(r.puid for r in claimed)
    assert tdb.count() == len(claimed)  # the database got each statement once
    assert set(tco.statements.values_list("state", flat=True)) == {State.SENT}


def _many(case, n: int, now) -> list[StatementOfReasons]:
    items = RemovalItem.objects.bulk_create(
        RemovalItem(
            case=case,
            position=100 + i,
            location=f"https://msgr.example/demo_channel/{i}",
            measure="remove",
            effect_at=now,
        )
        for i in range(n)
    )
    template = {**valid()}
    return StatementOfReasons.objects.bulk_create(
        StatementOfReasons(
            item=item,
            case=case,
            puid=f"bulk-{item.position}",
            enum_version="2025-07-01",
            body={**template, "puid": f"bulk-{item.position}"},
            due_at=now,
            next_attempt_at=now,
            created_at=now,
        )
        for item in items
    )


def test_statements_go_in_batches_of_at_most_a_hundred(tco, now, tdb):
    _many(tco, 150, now)
    report = outbox.send_all_due(now=now)
    assert len(report.sent) == 150
    assert [n for m, p, n in tdb.requests if m == "POST"] == [100, 50]


def test_a_statement_the_database_refuses_is_set_aside_and_the_rest_are_sent(tco, now, tdb):
    rows = _many(tco, 3, now)
    tdb.refuse_puids = {rows[1].puid}
    report = outbox.send_all_due(now=now)
    assert report.refused == [rows[1].puid]
    assert sorted(report.sent) == sorted([rows[0].puid, rows[2].puid])
    refused = StatementOfReasons.objects.get(pk=rows[1].pk)
    assert refused.state == State.REFUSED and refused.errors[0]["field"] == "decision_facts"


def test_a_refused_token_is_retried_not_dropped(tco, now, tdb, settings):
    _many(tco, 1, now)
    settings.LAWDESK_TDB_TOKEN = "wrong"
    report = outbox.send_all_due(now=now)
    assert (
        report.retry
        and StatementOfReasons.objects.get(puid="bulk-100").last_error == "the database refused the token"
    )


def test_the_desk_exports_what_was_sent(tco, reviewer, now, tdb, client):
    services.apply_measure(case=tco, actor=reviewer, now=now, measure="remove")
    outbox.send_all_due(now=now)
    client.force_login(reviewer)
    answer = client.get("/desk/removals/statements.csv")
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/csv")
    lines = answer.content.decode().splitlines()
    assert len(lines) == 3 and all(sor.puid(i) in answer.content.decode() for i in tco.removal_items.all())
    assert client.get("/desk/removals/statements.xml").status_code == 404
    assert Event.objects.filter(action="removal:statements:exported").count() == 1
