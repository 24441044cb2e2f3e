"""Start collection as soon as a disclosure is approved."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.dispatch import receiver

from lawdesk.cases import flows
from lawdesk.cases.models import Case, Status
from lawdesk.cases.signals import case_received, case_status_changed, preservation_converted
from lawdesk.collection import holds, notices
from lawdesk.collection.services import queue_collection
from lawdesk.collection.tasks import place_holds_task
from lawdesk.core.origin import Origin
from lawdesk.core.tasks import enqueue_on_commit
from lawdesk.law.vocabulary import Duty, RequestKind


@receiver(case_status_changed, sender=Case, dispatch_uid="collection_on_approval")
def _on_status(sender: Any, case: Case, previous: str, now: Any, **kwargs: Any) -> None:
    if case.status in (Status.APPROVED, Status.PARTIALLY_APPROVED):
        queue_collection(case=case, now=now)


@receiver(case_status_changed, sender=Case, dispatch_uid="holds_and_notices_on_status")
def _holds_and_notices(sender: Any, case: Case, previous: str, now: Any, **kwargs: Any) -> None:
    if case.status == Status.EXTENDED:
        holds.extend_holds(case=case, until=case.deadline_at, now=now)
    elif case.status in flows.TERMINAL and case.status != Status.CONVERTED:
        holds.release_holds(case=case, now=now, reason=f"case {case.get_status_display().lower()}")
    if case.status == Status.DELIVERED:
        # After commit: the package row must be visible, and a notice failure must not undo
        # the delivery (it is retried by the clock loop's recheck).
        transaction.on_commit(lambda: notices.decide_after_delivery(case=case, now=now))


@receiver(case_received, sender=Case, dispatch_uid="holds_on_receipt")
def _hold_on_receipt(sender: Any, case: Case, now: Any, **kwargs: Any) -> None:
    legal = case.legal
    if case.kind == RequestKind.PRESERVATION or (
            legal is not None and legal.has_duty(Duty.PRESERVE_ON_RECEIPT)):
        enqueue_on_commit(place_holds_task, case.pk)


@receiver(preservation_converted, sender=Case, dispatch_uid="holds_on_conversion")
def _move_holds(sender: Any, case: Case, production: Case, actor: Any, now: Any,
                origin: Origin | None = None, **kwargs: Any) -> None:
    """The preservation's live holds now serve the production request (Annex V)."""
    holds.transfer_holds(source=case, production=production, actor=actor, now=now, origin=origin)
