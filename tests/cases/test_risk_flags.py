"""The desk's "first-time requester" flag says whether the officer had sent requests before."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lawdesk.cases.models import Case

pytestmark = pytest.mark.django_db
FIRST = "first_time_requester"


def test_officer_with_earlier_requests_is_not_a_first_time_requester(submit, now):
    earlier = [submit(at=now - timedelta(days=d)) for d in (300, 200, 100)]
    assert [FIRST in c.flags for c in earlier] == [True, False, False]
    assert FIRST not in submit().flags


def test_requests_recorded_after_a_later_one_make_it_no_longer_the_first(submit, now):
    # A live request first, then the officer's earlier requests are put on file (imported or
    # entered late): the live one is not the officer's first any more, the oldest one is.
    live = submit()
    assert FIRST in live.flags
    history = [submit(at=now - timedelta(days=d)) for d in (400, 30)]

    live.refresh_from_db()
    assert FIRST not in live.flags
    assert FIRST in Case.objects.get(pk=history[0].pk).flags
    assert FIRST not in Case.objects.get(pk=history[1].pk).flags

