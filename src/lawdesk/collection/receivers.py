"""Start collection as soon as a disclosure is approved."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from lawdesk.cases.models import Case, Status
from lawdesk.cases.signals import case_status_changed


@receiver(case_status_changed, sender=Case, dispatch_uid="collection_on_approval")
def _on_status(sender: Any, case: Case, previous: str, now: Any, **kwargs: Any) -> None:
    if case.status in (Status.APPROVED, Status.PARTIALLY_APPROVED):
        from lawdesk.collection.services import queue_collection

        queue_collection(case=case, now=now)
