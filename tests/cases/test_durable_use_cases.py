"""A use case a person starts commits on its own (decision 0027): nested in someone else's
transaction it refuses to run, unless that caller says it composes use cases on purpose."""

import pytest
from django.db import transaction

from lawdesk.audit.models import Event
from lawdesk.cases import lifecycle, services
from lawdesk.cases.models import Status


def test_a_use_case_inside_a_callers_transaction_is_refused_and_writes_nothing(submit, reviewer, now):
    case = submit()
    events = Event.objects.count()
    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        services.start_review(case=case, actor=reviewer, now=now)
    case.refresh_from_db()
    assert case.status == Status.RECEIVED
    assert Event.objects.count() == events


def test_a_caller_that_composes_use_cases_commits_or_rolls_back_them_with_its_own(submit, reviewer,
                                                                                  now):
    case = submit()
    with pytest.raises(ZeroDivisionError), transaction.atomic(), lifecycle.composed():
        services.start_review(case=case, actor=reviewer, now=now)
        _ = 1 / 0
    case.refresh_from_db()
    assert case.status == Status.RECEIVED  # rolled back with the caller's transaction
    with transaction.atomic(), lifecycle.composed():
        services.start_review(case=case, actor=reviewer, now=now)
    case.refresh_from_db()
    assert case.status == Status.IN_REVIEW
