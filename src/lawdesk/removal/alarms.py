"""The TCO alarms: fifteen minutes before the one-hour deadline, and when it passes.

Run by the worker's clock loop (``lawdesk worker``) every interval; each alarm is raised once
per case and deadline (a restarted clock re-arms it), shown on the desk's removal queue,
audited, and e-mailed to the person assigned or, if nobody is, to every reviewer.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from lawdesk.accounts.models import StaffMember
from lawdesk.audit.actions import Action
from lawdesk.audit.services import record
from lawdesk.cases import flows
from lawdesk.cases.models import Case
from lawdesk.core.permissions import Role
from lawdesk.law.vocabulary import RequestKind
from lawdesk.removal.models import RemovalAlarm
from lawdesk.removal.services import TCO_INSTRUMENT

WARN_BEFORE = timedelta(minutes=15)


def _recipients(case: Case) -> list[str]:
    if case.assigned_to is not None and case.assigned_to.email:
        return [case.assigned_to.email]
    reviewers = {Role.INTAKE, Role.REVIEWER, Role.APPROVER}
    return sorted({s.user.email for s in StaffMember.objects.filter(active=True)
                   .select_related("user") if reviewers & set(s.roles) and s.user.email})


def raise_alarms(*, now: datetime) -> list[RemovalAlarm]:
    """Raise the alarms due now (idempotent)."""
    due = (Case.objects.filter(kind=RequestKind.REMOVAL, instrument_type=TCO_INSTRUMENT,
                               paused_at__isnull=True, deadline_at__lte=now + WARN_BEFORE)
           .exclude(status__in=list(flows.ANSWERED)).select_related("assigned_to"))
    raised = []
    for case in due:
        kinds = [RemovalAlarm.Kind.DUE_SOON]
        if case.deadline_at <= now:
            kinds.append(RemovalAlarm.Kind.EXPIRED)
        for kind in kinds:
            if RemovalAlarm.objects.filter(case=case, kind=kind,
                                           deadline_at=case.deadline_at).exists():
                continue
            recipients = _recipients(case)
            try:
                with transaction.atomic():
                    alarm = RemovalAlarm.objects.create(case=case, kind=kind, raised_at=now,
                                                        deadline_at=case.deadline_at,
                                                        recipients=recipients)
                    record(Action.REMOVAL_ALARM_RAISED, actor=None, target=case, now=now,
                           params={"number": case.number, "kind": kind,
                                   "deadline_at": case.deadline_at.isoformat(),
                                   "recipients": len(recipients)})
            except IntegrityError:  # another worker raised it first
                continue
            _mail(case, alarm, now)
            raised.append(alarm)
    return raised


def _mail(case: Case, alarm: RemovalAlarm, now: datetime) -> None:
    if not alarm.recipients:
        return
    minutes = int((case.deadline_at - now).total_seconds() // 60)
    facts = {"number": case.number, "minutes": max(minutes, 0),
             "deadline": f"{case.deadline_at:%Y-%m-%d %H:%M}"}
    if alarm.kind == RemovalAlarm.Kind.EXPIRED:
        subject = _("%(number)s: TCO removal deadline passed") % facts
        body = _("The one-hour deadline of TCO removal order %(number)s passed at %(deadline)s "
                 "UTC and the content is not yet removed.") % facts
    else:
        subject = _("%(number)s: %(minutes)d minutes left to remove") % facts
        body = _("TCO removal order %(number)s must be given effect by %(deadline)s UTC "
                 "(%(minutes)d minutes left).") % facts
    link = f"{settings.LAWDESK_BASE_URL.rstrip('/')}/desk/removals/{case.pk}/"
    act = _("Act now:")
    send_mail(f"[lawdesk] {subject}", f"{body}\n\n{act} {link}\n",
              settings.DEFAULT_FROM_EMAIL,
              alarm.recipients, fail_silently=True)
