"""The desk queue, the officer dashboard and the audit page cost the same as history grows.

Each page is rendered, then history is added (closed cases, more open ones, audit events) and
the page rendered again: the number of queries must not change, and none of them may count or
scan the whole history (issue 18: NOT IN over every case, COUNT(*) over an agency's cases or
over every audit event).
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lawdesk.audit.actions import Action
from lawdesk.audit.services import record
from lawdesk.cases.models import Case
from tests.factories import login

pytestmark = pytest.mark.django_db


def _clone(case: Case, n: int, status: str) -> None:
    """``n`` copies of ``case`` (new numbers) in ``status``: history without running every step."""
    copies = []
    for i in range(n):
        copy = Case.objects.get(pk=case.pk)
        copy.pk = None
        copy.number = f"{status[:3].upper()}-{case.pk}-{i}"
        copy.status = status
        copies.append(copy)
    Case.objects.bulk_create(copies)


def _queries(client, path: str) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, path
    return [q["sql"] for q in ctx.captured_queries]


def _grow(case: Case, now) -> None:
    _clone(case, 80, "closed")
    _clone(case, 30, "refused")
    _clone(case, 40, "received")
    for i in range(120):
        record(Action.TRAIL_VIEWED, params={"i": i}, now=now)


def test_desk_queue_reads_open_cases_by_status_and_keeps_its_query_count(client, submit, reviewer, now):
    case = submit()
    login(client, reviewer)
    before = _queries(client, "/desk/")
    _grow(case, now)
    after = _queries(client, "/desk/")
    assert len(after) == len(before)
    on_cases = [q for q in after if '"cases_case"' in q and '"status"' in q]
    assert on_cases, after
    assert not [q for q in on_cases if "NOT (" in q], "the queue must ask for open statuses by name"


def test_officer_dashboard_does_not_count_the_agency_history(client, submit, officer, now):
    case = submit()
    login(client, officer)
    before = _queries(client, "/portal/")
    _grow(case, now)
    after = _queries(client, "/portal/")
    assert len(after) == len(before)
    assert not [q for q in after if "COUNT(" in q.upper() and '"cases_case"' in q]
    page = client.get("/portal/").content.decode()
    assert "Older" in page  # 151 cases: more than one page, without knowing how many pages


def test_audit_page_does_not_count_every_event(client, submit, make_staff, now):
    case = submit()
    auditor = make_staff("auditor", email="auditor@platform.example")
    login(client, auditor)
    before = _queries(client, "/desk/audit/")
    _grow(case, now)
    after = _queries(client, "/desk/audit/")
    assert len(after) == len(before)
    assert not [q for q in after if "COUNT(" in q.upper() and '"audit_event"' in q]
    second = client.get("/desk/audit/?page=2").content.decode()
    assert "Page 2" in second and "Newer" in second
    last = client.get("/desk/audit/?page=999").content.decode()  # past the end: the last page
    assert "Older" not in last and "Newer" in last
