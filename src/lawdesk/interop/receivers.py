"""The desk's decisions go back to the authority: every status change of a case that came
through HI-1 may change what its tasks read, a delivered case's package is delivered, and a
take-down's feedback (or its TCO Annex III) goes with the status it explains."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from lawdesk.cases.models import Case, Status
from lawdesk.cases.signals import case_status_changed
from lawdesk.interop import outbound
from lawdesk.law.vocabulary import RequestKind


@receiver(case_status_changed, sender=Case, dispatch_uid="hi1_answers_on_status")
def _answer(sender: Any, case: Case, previous: str, now: Any, **kwargs: Any) -> None:
    if case.channel != "hi1":
        return

    if case.status == Status.DELIVERED:
        outbound.deliver(case=case, now=now)
    if case.kind == RequestKind.REMOVAL:  # a take-down: the documents go with the status
        if case.status == Status.ACTIONED:
            outbound.takedown_feedback(case=case, now=now)
        elif case.status == Status.AWAITING_CLARIFICATION:
            outbound.takedown_impossibility(case=case, now=now)
    outbound.notify_status(case=case, now=now)
