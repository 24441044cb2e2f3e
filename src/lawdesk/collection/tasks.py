"""Background jobs of the collection app."""

from __future__ import annotations

from django.conf import settings

from lawdesk.cases.models import Case
from lawdesk.collection.holds import place_holds
from lawdesk.core.clock import utcnow
from lawdesk.core.tasks import task


@task()
def collect_case(case_id: int) -> bool:
    """Collect, package and deliver one approved case (idempotent; see services.run_collection)."""
    # reason: import cycle: collection.services imports this module
    from lawdesk.collection.services import LeaseLost, run_collection

    try:
        return run_collection(case_id, clock=utcnow,
                              pause=settings.LAWDESK_COLLECTION_PAUSE_SECONDS)
    except LeaseLost:
        return False


@task()
def place_holds_task(case_id: int) -> int:
    """Place the preservation hold of a case on the platform (idempotent)."""
    hold = place_holds(case=Case.objects.get(pk=case_id), now=utcnow())
    return len(hold.account_ids) if hold else 0
