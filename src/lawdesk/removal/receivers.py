"""Follow removal cases: locate their items at receipt, restart the TCO clock on clarification."""

from __future__ import annotations

import logging
from typing import Any

from django.dispatch import receiver

from lawdesk.cases.models import Case, Status
from lawdesk.cases.signals import case_received, case_status_changed
from lawdesk.law.vocabulary import RequestKind
from lawdesk.removal import art9, services

log = logging.getLogger("lawdesk.removal")


@receiver(case_received, sender=Case, dispatch_uid="removal_items_on_receipt")
def _items_on_receipt(sender: Any, case: Case, now: Any, **kwargs: Any) -> None:
    if case.kind != RequestKind.REMOVAL:
        return
    if case.territorial_scope and art9.is_art9(case):
        art9.scope_from_order(case, now)  # in the intake's transaction: the order as received
    try:
        services.register_items(case)
    except Exception:  # the platform is unreachable: the desk locates them when it acts
        log.exception("could not locate the items of %s at receipt", case.number)


@receiver(case_status_changed, sender=Case, dispatch_uid="removal_clock_restart")
def _restart(sender: Any, case: Case, previous: str, now: Any, **kwargs: Any) -> None:
    if (services.is_tco(case) and previous == Status.AWAITING_CLARIFICATION
            and case.status == Status.IN_REVIEW):
        services.restart_clock(case, now)
