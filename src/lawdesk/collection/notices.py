"""Telling users their data was disclosed — unless a non-disclosure order runs, or the law
leaves it to the issuing authority; re-decided when such an order ends."""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext

from lawdesk.accounts.models import User
from lawdesk.audit.actions import Action
from lawdesk.audit.services import record
from lawdesk.cases.models import Case
from lawdesk.collection.holds import actions
from lawdesk.collection.models import EvidencePackage, UserNotice
from lawdesk.core.errors import DomainError, PermissionDenied
from lawdesk.core.permissions import may
from lawdesk.law.vocabulary import Duty

Status = UserNotice.Status


def _text(case: Case) -> str:
    categories = ", ".join(case.category_labels()) or "data"
    return (f"{settings.LAWDESK_PLATFORM_NAME} disclosed {categories.lower()} about your account "
            f"to {case.agency.name} ({case.agency.country}) on {case.delivered_at:%Y-%m-%d}, "
            f"in answer to a legal order ({case.get_instrument_type_display()}). "
            "You may contact that authority about the proceedings.")


def _duties(case: Case) -> frozenset[Duty]:
    return case.legal.duty_set() if case.legal is not None else frozenset()


def decide_after_delivery(*, case: Case, now: datetime) -> list[UserNotice]:
    """After delivery: notify each affected account, defer, or withhold — and say why."""
    package = EvidencePackage.objects.filter(case=case).first()
    accounts = list((package.details if package else {}).get("accounts", []))
    notices = []
    nd_running = case.nondisclosure_order and (case.nondisclosure_until is None
                                               or case.nondisclosure_until > now.date())
    duties = _duties(case)
    for account_id in accounts:
        if UserNotice.objects.filter(case=case, account_id=account_id).exists():
            continue
        if nd_running:
            status, reason = Status.DEFERRED, "a non-disclosure order runs" + (
                f" until {case.nondisclosure_until}" if case.nondisclosure_until else "")
        elif "user_notice" not in duties and ("keep_confidential" in duties
                                              or "no_user_notice" in duties):
            status = Status.WITHHELD
            reason = ("the issuing authority informs the person (e-Evidence Art. 13); "
                      "the platform keeps the order confidential")
        else:
            status, reason = Status.SENT, ""
        notices.append(_record(case, account_id, status, reason, now))
    return notices


NOTICE_ACTIONS: dict[str, Action] = {Status.SENT: Action.NOTICE_SENT, Status.DEFERRED: Action.NOTICE_DEFERRED,
                                   Status.WITHHELD: Action.NOTICE_WITHHELD,
                                   Status.DECISION_DUE: Action.NOTICE_DECISION_DUE}


@transaction.atomic
def _record(case: Case, account_id: int, status: str, reason: str, now: datetime) -> UserNotice:
    notice = UserNotice.objects.create(
        case=case, account_id=account_id, status=status, reason=reason, decided_at=now,
        deferred_until=case.nondisclosure_until if status == Status.DEFERRED else None)
    if status == Status.SENT:
        _send(notice, case, now)
    record(NOTICE_ACTIONS[status], actor=None, target=case, now=now,
           params={"number": case.number, "account": account_id, "reason": reason})
    return notice


def _send(notice: UserNotice, case: Case, now: datetime) -> None:
    actions().notify(f"{case.number}:{notice.account_id}", notice.account_id, _text(case), now)
    notice.status, notice.sent_at = Status.SENT, now
    notice.save(update_fields=["status", "sent_at"])


def recheck(*, now: datetime) -> int:
    """Deferred notices whose order has ended go back to the desk for a decision."""
    due = UserNotice.objects.filter(status=Status.DEFERRED, deferred_until__lte=now.date())
    count = 0
    for notice in due.select_related("case"):
        with transaction.atomic():
            notice.status = Status.DECISION_DUE
            notice.save(update_fields=["status"])
            case = Case.objects.select_for_update().get(pk=notice.case_id)
            if "notice_decision_due" not in case.flags:
                case.flags = [*case.flags, "notice_decision_due"]
                case.save(update_fields=["flags"])
            record(Action.NOTICE_DECISION_DUE, actor=None, target=case, now=now,
                   params={"number": case.number, "account": notice.account_id})
        count += 1
    return count


def notify_now(*, case: Case, actor: User, now: datetime) -> int:
    """Staff decide to notify now (the order ended and was not extended)."""
    _require(actor)
    sent = 0
    with transaction.atomic():
        for notice in case.notices.filter(status__in=[Status.DECISION_DUE, Status.DEFERRED]):
            _send(notice, case, now)
            sent += 1
        _clear_flag(case)
        record(Action.NOTICE_SENT_BY_DECISION, actor=actor, target=case, now=now,
               params={"number": case.number, "notices": sent})
    return sent


def extend_nondisclosure(*, case: Case, actor: User, now: datetime, until: date,
                         reference: str) -> None:
    """Staff record that the authority extended its non-disclosure order."""
    _require(actor)
    if until <= now.date():
        raise DomainError(gettext("The new end date must be in the future."), field="until")
    if len(reference.strip()) < 3:
        raise DomainError(gettext("Give the reference of the extension order."), field="reference")
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        locked.nondisclosure_until = until
        locked.save(update_fields=["nondisclosure_until"])
        locked.notices.filter(status__in=[Status.DECISION_DUE, Status.DEFERRED]).update(
            status=Status.DEFERRED, deferred_until=until)
        _clear_flag(locked)
        record(Action.NONDISCLOSURE_EXTENDED, actor=actor, target=locked, now=now,
               params={"number": locked.number, "until": until.isoformat(),
                       "reference": reference.strip()})


def _clear_flag(case: Case) -> None:
    locked = Case.objects.select_for_update().get(pk=case.pk)
    locked.flags = [f for f in locked.flags if f != "notice_decision_due"]
    locked.save(update_fields=["flags"])


def _require(actor: User) -> None:
    if not (may(actor, "notify_now") and may(actor, "nondisclosure")):
        raise PermissionDenied(gettext("You cannot decide user notices."))
