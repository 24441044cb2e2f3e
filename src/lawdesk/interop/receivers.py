"""The desk's decisions go back to the authority: every status change of a case that came
through HI-1 may change what its tasks read, and a delivered case's package is delivered."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from lawdesk.cases.models import Case, Status
from lawdesk.cases.signals import case_status_changed
from lawdesk.interop import outbound


@receiver(case_status_changed, sender=Case, dispatch_uid="hi1_answers_on_status")
def _answer(sender: Any, case: Case, previous: str, now: Any, **kwargs: Any) -> None:
    if case.channel != "hi1":
        return

    if case.status == Status.DELIVERED:
        outbound.deliver(case=case, now=now)
    outbound.notify_status(case=case, now=now)
