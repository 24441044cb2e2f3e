"""What cases does when another app signals a change it must follow."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from lawdesk.accounts.models import Agency
from lawdesk.accounts.signals import trust_anchor_changed
from lawdesk.cases.flows import TERMINAL
from lawdesk.cases.models import Case


@receiver(trust_anchor_changed, dispatch_uid="cases_flag_anchor_change")
def flag_open_cases(sender: Any, agency: Agency, flag: str, **kwargs: Any) -> int:
    """Flag the agency's open cases: their verification now rests on a changed anchor.
    Returns how many were flagged now (a case already flagged is not counted again)."""
    flagged = 0
    for case in Case.objects.filter(agency=agency).exclude(status__in=TERMINAL).only("pk", "flags"):
        if flag not in case.flags:
            Case.objects.filter(pk=case.pk).update(flags=[*case.flags, flag])
            flagged += 1
    return flagged
