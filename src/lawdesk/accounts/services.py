"""Use cases on agencies, officers and staff: one function, one transaction, one audit event."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from lawdesk.accounts.models import (
    Agency,
    AgencyDomain,
    AnchorChange,
    Officer,
    StaffMember,
    User,
)
from lawdesk.accounts.signals import trust_anchor_changed
from lawdesk.accounts.validators import email_domain, normalize_domain, normalize_phone
from lawdesk.audit.actions import Action
from lawdesk.audit.services import record
from lawdesk.core.errors import DomainError, PermissionDenied
from lawdesk.core.locale import available_zones, language_codes, mail_language
from lawdesk.core.origin import Origin
from lawdesk.core.permissions import STAFF_ROLES, has_perm

AGENCY_FIELDS = ("name", "country", "kind", "age_public_key")


def _require(actor: User, permission: str) -> None:
    if not has_perm(actor, permission):
        raise PermissionDenied(gettext("You are not allowed to do this (%(permission)s).")
                               % {"permission": permission})


def _agency_snapshot(agency: Agency) -> dict[str, Any]:
    return {field: getattr(agency, field) for field in AGENCY_FIELDS} | {
        "status": agency.status,
        "callback_phone": agency.callback_phone,
    }


@transaction.atomic
def create_agency(
    *, actor: User, now: datetime, name: str, country: str, kind: str, age_public_key: str = "",
    origin: Origin | None = None,
) -> Agency:
    """Register an agency (pending until its domains and call-back number are verified)."""
    _require(actor, "desk:agency:manage")
    agency = Agency(
        name=name.strip(), country=country.upper(), kind=kind, age_public_key=age_public_key.strip(),
        created_at=now, updated_at=now,
    )
    agency.full_clean()
    agency.save()
    record(Action.AGENCY_CREATED, actor=actor, target=agency, params=_agency_snapshot(agency),
           origin=origin, now=now)
    return agency


@transaction.atomic
def update_agency(
    *, actor: User, now: datetime, agency: Agency, origin: Origin | None = None, **changes: Any
) -> Agency:
    """Change an agency's name, country, kind or age key; the audit event lists old and new."""
    _require(actor, "desk:agency:manage")
    unknown = set(changes) - set(AGENCY_FIELDS)
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    agency = Agency.objects.select_for_update().get(pk=agency.pk)
    diff = {}
    for field, value in changes.items():
        value = value.strip() if isinstance(value, str) else value
        if field == "country":
            value = value.upper()
        if getattr(agency, field) != value:
            diff[field] = {"from": getattr(agency, field), "to": value}
            setattr(agency, field, value)
    if not diff:
        return agency
    agency.updated_at = now
    agency.full_clean()
    agency.save()
    record(Action.AGENCY_UPDATED, actor=actor, target=agency, params={"changes": diff},
           origin=origin, now=now)
    return agency


# --- Trust anchors: verified domains and the call-back number ----------------------------
# A hijacked administrator account alone must not be able to let forged requests through, so
# every change of an anchor is proposed by one administrator and applied only when another
# approves it. Both steps, and refusals, are audited.

def _pending(agency: Agency, kind: str, subject: str) -> bool:
    changes = AnchorChange.objects.filter(agency=agency, kind=kind,
                                          state=AnchorChange.State.PROPOSED)
    if kind in _APPLIERS:
        return any(c.subject == subject for c in changes)
    field = "phone" if kind == AnchorChange.Kind.CALLBACK else "domain"
    return changes.filter(**{field: subject}).exists()


# Anchors kept by apps above accounts (``interop``'s HI-1 endpoints): each registers how an
# approved change of its kind applies. The applier runs inside the approval's transaction,
# with the agency locked, and returns what the audit event should add.
AnchorApplier = Callable[[AnchorChange, User, datetime], dict[str, Any]]
_APPLIERS: dict[str, AnchorApplier] = {}


def register_anchor_kind(kind: str, apply: AnchorApplier) -> None:
    """Let another app keep a trust anchor under the two-administrator rule."""
    if kind not in AnchorChange.Kind.values or kind in (
            AnchorChange.Kind.ADD_DOMAIN, AnchorChange.Kind.REMOVE_DOMAIN,
            AnchorChange.Kind.CALLBACK):
        raise ValueError(f"not an extension anchor kind: {kind!r}")
    _APPLIERS[kind] = apply


@transaction.atomic
def propose_anchor(
    *, actor: User, now: datetime, agency: Agency, kind: str, subject: str,
    details: dict[str, Any], evidence: str, origin: Origin | None = None,
) -> AnchorChange:
    """Propose a change of an anchor kept by another app (checked by that app beforehand);
    it applies only when a second administrator approves it."""
    _require(actor, "desk:agency:manage")
    if kind not in _APPLIERS:
        raise ValueError(f"no app keeps anchors of kind {kind!r}")
    if _pending(agency, kind, subject):
        raise DomainError(gettext("%(subject)s is already proposed and awaits a second "
                                  "administrator.") % {"subject": subject},
                          field="anchor", code="already_proposed")
    return _propose(AnchorChange(agency=agency, kind=kind, details={**details, "subject": subject},
                                 evidence=evidence.strip(), proposed_by=actor, proposed_at=now),
                    origin=origin, now=now)


def _propose(change: AnchorChange, *, origin: Origin | None, now: datetime) -> AnchorChange:
    change.save()
    record(Action.AGENCY_ANCHOR_PROPOSED, actor=change.proposed_by, target=change.agency,
           params=_anchor_params(change), origin=origin, now=now)
    return change


def _anchor_params(change: AnchorChange) -> dict[str, Any]:
    return {"change_id": change.pk, "kind": change.kind, "domain": change.domain,
            "phone": change.phone, "evidence": change.evidence,
            "proposed_by": change.proposed_by.email} | (
        {"details": change.details} if change.details else {})


@transaction.atomic
def propose_domain(
    *, actor: User, now: datetime, agency: Agency, domain: str, note: str,
    origin: Origin | None = None,
) -> AnchorChange:
    """Propose that the agency owns ``domain`` (exact domain); a second admin approves it."""
    _require(actor, "desk:agency:manage")
    try:
        ascii_domain = normalize_domain(domain)
    except ValidationError as exc:
        raise DomainError(exc.messages[0], field="domain", code="invalid_domain") from None
    if not note.strip():
        raise DomainError(gettext("Say how the domain was verified."), field="note", code="required")
    if AgencyDomain.objects.filter(agency=agency, domain=ascii_domain).exists():
        raise DomainError(gettext("%(domain)s is already registered for this agency.")
                          % {"domain": ascii_domain}, field="domain",
                          code="duplicate_domain")
    if _pending(agency, AnchorChange.Kind.ADD_DOMAIN, ascii_domain):
        raise DomainError(gettext("%(domain)s is already proposed and awaits a second "
                                  "administrator.") % {"domain": ascii_domain},
                          field="domain", code="already_proposed")
    return _propose(AnchorChange(agency=agency, kind=AnchorChange.Kind.ADD_DOMAIN,
                                 domain=ascii_domain, evidence=note.strip(), proposed_by=actor,
                                 proposed_at=now), origin=origin, now=now)


@transaction.atomic
def propose_domain_removal(
    *, actor: User, now: datetime, agency: Agency, domain: str, origin: Origin | None = None
) -> AnchorChange:
    """Propose to withdraw a domain (existing officers keep their accounts once it is applied)."""
    _require(actor, "desk:agency:manage")
    if not AgencyDomain.objects.filter(agency=agency, domain=domain).exists():
        raise DomainError(gettext("%(domain)s is not a domain of this agency.")
                          % {"domain": domain}, field="domain", code="not_found")
    if _pending(agency, AnchorChange.Kind.REMOVE_DOMAIN, domain):
        raise DomainError(gettext("The removal of %(domain)s is already proposed.")
                          % {"domain": domain}, field="domain", code="already_proposed")
    return _propose(AnchorChange(agency=agency, kind=AnchorChange.Kind.REMOVE_DOMAIN,
                                 domain=domain, proposed_by=actor, proposed_at=now),
                    origin=origin, now=now)


@transaction.atomic
def propose_callback_number(
    *, actor: User, now: datetime, agency: Agency, phone: str, source: str,
    origin: Origin | None = None,
) -> AnchorChange:
    """Propose the agency's call-back number and where it was independently found."""
    _require(actor, "desk:agency:manage")
    try:
        e164 = normalize_phone(phone)
    except ValidationError as exc:
        raise DomainError(exc.messages[0], field="phone", code="invalid_phone") from None
    if len(source.strip()) < 5:
        raise DomainError(
            gettext("Name the independent source of this number (e.g. the ministry's official directory)."),
            field="source", code="required",
        )
    if _pending(agency, AnchorChange.Kind.CALLBACK, e164):
        raise DomainError(gettext("%(phone)s is already proposed and awaits a second "
                                  "administrator.") % {"phone": e164},
                          field="phone", code="already_proposed")
    return _propose(AnchorChange(agency=agency, kind=AnchorChange.Kind.CALLBACK, phone=e164,
                                 evidence=source.strip(), proposed_by=actor, proposed_at=now),
                    origin=origin, now=now)


def _refuse(actor: User, change: AnchorChange, message: str, code: str,
            origin: Origin | None, now: datetime) -> DomainError:
    # The refusal is audited in its own transaction: the caller's is about to roll back.
    with transaction.atomic():
        record(Action.AGENCY_ANCHOR_REFUSED, actor=actor, target=change.agency,
               params=_anchor_params(change) | {"reason": code}, origin=origin, now=now)
    return DomainError(message, field="anchor", code=code)


def approve_anchor_change(
    *, actor: User, now: datetime, change: AnchorChange, origin: Origin | None = None,
) -> AnchorChange:
    """Apply a proposed anchor change; only an administrator other than the proposer may."""
    if not has_perm(actor, "desk:agency:manage"):
        raise PermissionDenied(gettext("You are not allowed to do this (%(permission)s).")
                               % {"permission": "desk:agency:manage"})
    if change.proposed_by_id == actor.pk:
        raise _refuse(actor, change, gettext(
            "You proposed this change: another administrator must approve it."),
            "own_proposal", origin, now)
    with transaction.atomic():
        change = AnchorChange.objects.select_for_update().select_related(
            "agency", "proposed_by").get(pk=change.pk)
        if change.state != AnchorChange.State.PROPOSED:
            raise DomainError(gettext("This change was already decided."), field="anchor",
                              code="already_decided")
        agency = Agency.objects.select_for_update().get(pk=change.agency_id)
        previous, applied = "", {}
        if change.kind == AnchorChange.Kind.ADD_DOMAIN:
            if AgencyDomain.objects.filter(agency=agency, domain=change.domain).exists():
                raise DomainError(gettext("%(domain)s is already registered for this agency.")
                                  % {"domain": change.domain},
                                  field="anchor", code="duplicate_domain")
            AgencyDomain.objects.create(
                agency=agency, domain=change.domain, verified_at=now, verified_by=actor,
                verification_note=f"{change.evidence} (proposed by {change.proposed_by.email})")
        elif change.kind == AnchorChange.Kind.REMOVE_DOMAIN:
            AgencyDomain.objects.filter(agency=agency, domain=change.domain).delete()
        elif change.kind == AnchorChange.Kind.CALLBACK:
            previous = agency.callback_phone
            agency.callback_phone, agency.callback_source = change.phone, change.evidence
            agency.callback_recorded_by, agency.callback_recorded_at = actor, now
        else:
            applied = _APPLIERS[change.kind](change, actor, now)
        agency.updated_at = now
        # Setting up a new agency's anchors before it is ever activated changes nothing anyone
        # relied on; a change once the agency is (or was) active is what the desk must see.
        in_use = agency.status != Agency.Status.PENDING
        if in_use:
            agency.anchors_changed_at = now
        agency.save()
        change.state, change.decided_by, change.decided_at = AnchorChange.State.APPROVED, actor, now
        change.save(update_fields=["state", "decided_by", "decided_at"])
        # The cases app flags the agency's open cases (their verification now rests on a
        # changed anchor) and answers how many; accounts does not know cases.
        flagged = sum(int(answer or 0) for _receiver, answer in
                      trust_anchor_changed.send(sender=Agency, agency=agency, flag=ANCHOR_FLAG)) \
            if in_use else 0
        record(Action.AGENCY_ANCHOR_APPROVED, actor=actor, target=agency,
               params=_anchor_params(change) | {"previous_phone": previous,
                                                "open_cases_flagged": flagged} | applied,
               origin=origin, now=now)
    return change


ANCHOR_FLAG = "trust_anchor_changed"


@transaction.atomic
def reject_anchor_change(
    *, actor: User, now: datetime, change: AnchorChange, reason: str,
    origin: Origin | None = None,
) -> AnchorChange:
    """Reject a proposal (any administrator; the proposer withdrawing it too), with a reason."""
    _require(actor, "desk:agency:manage")
    change = AnchorChange.objects.select_for_update().select_related("agency", "proposed_by") \
        .get(pk=change.pk)
    if change.state != AnchorChange.State.PROPOSED:
        raise DomainError(gettext("This change was already decided."), field="anchor",
                          code="already_decided")
    if not reason.strip():
        raise DomainError(gettext("Give the reason for rejecting the change."), field="reason",
                          code="required")
    change.state, change.decided_by, change.decided_at = AnchorChange.State.REJECTED, actor, now
    change.decision_reason = reason.strip()
    change.save(update_fields=["state", "decided_by", "decided_at", "decision_reason"])
    record(Action.AGENCY_ANCHOR_REJECTED, actor=actor, target=change.agency,
           params=_anchor_params(change) | {"reason": change.decision_reason},
           origin=origin, now=now)
    return change


def anchor_changed_recently(agency: Agency, now: datetime) -> bool:
    """True within ``LAWDESK_ANCHOR_RECENT_DAYS`` of an approved change of the agency's anchors."""
    if agency.anchors_changed_at is None:
        return False
    since = now - agency.anchors_changed_at
    return timedelta(0) <= since < timedelta(days=settings.LAWDESK_ANCHOR_RECENT_DAYS)


@transaction.atomic
def set_agency_status(
    *, actor: User, now: datetime, agency: Agency, status: str, reason: str,
    origin: Origin | None = None,
) -> Agency:
    """Activate or suspend an agency; activation needs a verified domain and a call-back number."""
    _require(actor, "desk:agency:manage")
    agency = Agency.objects.select_for_update().get(pk=agency.pk)
    if status not in Agency.Status.values:
        raise DomainError(gettext("Unknown status %(status)r.")
                          % {"status": status}, field="status", code="invalid")
    if not reason.strip():
        raise DomainError(gettext("Give a reason."), field="reason", code="required")
    if status == Agency.Status.ACTIVE:
        if not agency.verified_domains():
            raise DomainError(gettext("Verify at least one e-mail domain before activating the agency."),
                              field="status", code="no_domain")
        if not agency.callback_phone:
            raise DomainError(gettext("Record the independently sourced call-back number before "
                              "activating the agency."), field="status", code="no_callback")
    previous = agency.status
    if previous == status:
        return agency
    agency.status, agency.updated_at = status, now
    agency.save(update_fields=["status", "updated_at"])
    record(Action.AGENCY_STATUS_CHANGED, actor=actor, target=agency,
           params={"from": previous, "to": status, "reason": reason.strip()}, origin=origin, now=now)
    return agency


def check_officer_email(agency: Agency, email: str) -> None:
    """Raise a field error unless ``email`` is on one of the agency's verified domains."""
    domain = email_domain(email)
    verified = agency.verified_domains()
    if domain not in verified:
        shown = domain or email.rpartition("@")[2]
        raise DomainError(
            gettext("%(domain)s is not a verified e-mail domain of %(agency)s. Sign up with "
                    "your official address at: %(domains)s.") % {
                "domain": shown, "agency": agency.name,
                "domains": ", ".join(verified) or gettext("(none yet)")},
            field="email", code="unverified_domain",
        )


def register_officer(
    *, user: User, agency: Agency, title: str, supervisor_name: str, supervisor_email: str,
    now: datetime, origin: Origin | None = None,
) -> Officer:
    """Attach a new officer profile (pending approval) to a user created by the sign-up flow."""
    if agency.status != Agency.Status.ACTIVE:
        raise DomainError(gettext("%(agency)s is not accepting sign-ups (%(status)s).") % {
                              "agency": agency.name, "status": agency.get_status_display()},
                          field="agency", code="agency_not_active")
    check_officer_email(agency, user.email)
    try:
        check_officer_email(agency, supervisor_email)
    except DomainError as exc:
        raise DomainError(gettext("The supervisor's address must also be on a verified domain "
                                  "of the agency."), field="supervisor_email",
                          code=exc.code) from None
    if supervisor_email.strip().lower() == user.email.lower():
        raise DomainError(gettext("The supervisor must be someone else."), field="supervisor_email",
                          code="self_supervisor")
    officer = Officer.objects.create(
        user=user, agency=agency, title=title.strip(), supervisor_name=supervisor_name.strip(),
        supervisor_email=supervisor_email.strip().lower(), created_at=now,
    )
    record(Action.OFFICER_SIGNED_UP, actor=user, target=officer,
           params={"agency_id": agency.pk, "agency": agency.name, "email": user.email,
                   "title": officer.title, "supervisor_email": officer.supervisor_email},
           origin=origin, now=now)
    return officer


SUPERVISOR_LINK_DAYS = 14
_SUPERVISOR_SALT = "lawdesk.accounts.supervisor-confirmation"


def _absolute(path: str, base_url: str | None) -> str:
    """``path`` on the site the visitor reached (``base_url``, from the view), else on
    ``LAWDESK_BASE_URL``."""
    return (base_url or settings.LAWDESK_BASE_URL).rstrip("/") + path


def supervisor_link(officer: Officer, base_url: str | None = None) -> str:
    """The signed link of the latest confirmation request (an earlier link stops working)."""
    asked = officer.supervisor_asked_at.isoformat() if officer.supervisor_asked_at else ""
    token = signing.dumps({"officer": officer.pk, "supervisor": officer.supervisor_email,
                           "asked": asked}, salt=_SUPERVISOR_SALT, compress=True)
    return _absolute(reverse("supervisor_confirm", args=[token]), base_url)


def officer_for_supervisor_token(token: str) -> Officer:
    """The officer a supervisor's link is about, or a DomainError saying why the link is void."""
    try:
        data = signing.loads(token, salt=_SUPERVISOR_SALT,
                             max_age=timedelta(days=SUPERVISOR_LINK_DAYS))
    except signing.SignatureExpired:
        raise DomainError(gettext("This link has expired. Ask the platform's legal team for a new "
                                  "one."), code="link_expired") from None
    except signing.BadSignature:
        raise DomainError(gettext("This link is not valid. Use the link from the latest e-mail."),
                          code="link_invalid") from None
    officer = Officer.objects.select_related("user", "agency").filter(pk=data.get("officer")).first()
    asked = officer.supervisor_asked_at.isoformat() if officer and officer.supervisor_asked_at else ""
    if officer is None or officer.supervisor_email != data.get("supervisor") \
            or asked != data.get("asked"):
        raise DomainError(gettext("This link has been replaced by a newer one. Use the link from "
                                  "the latest e-mail."), code="link_replaced")
    return officer


@transaction.atomic
def ask_supervisor(
    *, officer: Officer, now: datetime, actor: User | None = None,
    origin: Origin | None = None, base_url: str | None = None, visitor: Any = None,
) -> Officer:
    """E-mail the supervisor named at sign-up a signed link to confirm the officer (audited).

    Sent when the officer has proved their own address; staff may send it again (``actor``),
    which voids the earlier link. ``base_url`` is the site as the visitor reached it (the link
    points there); ``visitor`` is who opened the page that sent it (the officer confirming their
    address, or an anonymous visitor), recorded as the actor when no staff member sends it.
    """
    if actor is not None:
        _require(actor, "desk:officer:approve")
    officer = Officer.objects.select_for_update().select_related("user", "agency").get(pk=officer.pk)
    if officer.supervisor_answer:
        raise DomainError(gettext("The supervisor has already answered."), field="supervisor",
                          code="already_answered")
    officer.supervisor_asked_at = now
    officer.save(update_fields=["supervisor_asked_at"])
    link = supervisor_link(officer, base_url)

    # The supervisor has no account: they read the language their officer signed up in.
    with translation.override(mail_language(officer.user)):
        subject, body = _supervisor_mail(officer, link)
    recipient = officer.supervisor_email
    transaction.on_commit(lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL,
                                            [recipient], fail_silently=True))
    record(Action.OFFICER_SUPERVISOR_ASKED, actor=actor if actor is not None else visitor, target=officer,
           params={"officer": officer.user.email, "supervisor_email": recipient,
                   "again": actor is not None}, origin=origin, now=now)
    return officer


def _supervisor_mail(officer: Officer, link: str) -> tuple[str, str]:
    subject = gettext("[lawdesk] Please confirm %(name)s, who named you as supervisor") % {
        "name": officer.user.full_name}
    body = gettext(
        "%(name)s (%(email)s), %(title)s, signed up on %(platform)s's portal for lawful requests "
        "as an officer of %(agency)s and named you, %(supervisor)s, as their supervisor.\n\n"
        "Is this person one of your officers, entitled to send requests to the platform on the "
        "agency's behalf? Open this link to answer (valid %(days)s days):\n%(link)s\n\n"
        "If you do not know this sign-up, answer No: the account will not be approved."
    ) % {"name": officer.user.full_name, "email": officer.user.email, "title": officer.title,
         "platform": settings.LAWDESK_PLATFORM_NAME, "agency": officer.agency.name,
         "supervisor": officer.supervisor_name, "days": SUPERVISOR_LINK_DAYS, "link": link}
    return subject, body


@transaction.atomic
def answer_for_supervisor(
    *, officer: Officer, confirmed: bool, now: datetime, origin: Origin | None = None,
    visitor: Any = None,
) -> Officer:
    """Record the supervisor's answer (given through the signed link; audited, final).

    ``visitor`` is whoever opened the link (``request.user``: usually anonymous, the supervisor
    has no account), recorded as the event's actor."""
    officer = Officer.objects.select_for_update().select_related("user", "agency").get(pk=officer.pk)
    if officer.supervisor_answer:
        raise DomainError(gettext("You have already answered this request."), field="answer",
                          code="already_answered")
    answer = Officer.SupervisorAnswer.CONFIRMED if confirmed else Officer.SupervisorAnswer.DECLINED
    officer.supervisor_answer, officer.supervisor_answered_at = answer, now
    officer.save(update_fields=["supervisor_answer", "supervisor_answered_at"])
    # The supervisor has no account: the event names them by the address the link went to.
    record(Action.OFFICER_SUPERVISOR_CONFIRMED if confirmed
           else Action.OFFICER_SUPERVISOR_DECLINED, actor=visitor, target=officer,
           params={"officer": officer.user.email, "supervisor_email": officer.supervisor_email,
                   "supervisor_name": officer.supervisor_name}, origin=origin, now=now)
    return officer


def _send_approval_mail(officer: Officer, base_url: str | None) -> None:
    login = _absolute(reverse("account_login"), base_url)
    with translation.override(mail_language(officer.user)):
        subject, body = _approval_mail(officer, login)
    recipient = officer.user.email
    transaction.on_commit(lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL,
                                            [recipient], fail_silently=True))


def _approval_mail(officer: Officer, login: str) -> tuple[str, str]:
    subject = gettext("[lawdesk] Your officer account is approved")
    body = gettext(
        "%(name)s, your officer account with %(agency)s on %(platform)s's portal is approved.\n\n"
        "Sign in with your password and your authenticator code: %(login)s\n\n"
        "If you did not expect this e-mail, tell the platform's legal team at once."
    ) % {"name": officer.user.full_name, "agency": officer.agency.name,
         "platform": settings.LAWDESK_PLATFORM_NAME, "login": login}
    return subject, body


@transaction.atomic
def decide_officer(
    *, actor: User, now: datetime, officer: Officer, status: str, reason: str,
    origin: Origin | None = None, base_url: str | None = None,
) -> Officer:
    """Approve (active) or suspend an officer, with a reason; audited, and the officer is told
    of an approval by e-mail (its sign-in link on ``base_url``, the site as the staff member
    reached it, else ``LAWDESK_BASE_URL``)."""
    permission = "desk:officer:approve" if status == Officer.Status.ACTIVE else "desk:officer:suspend"
    _require(actor, permission)
    officer = Officer.objects.select_for_update().select_related("user", "agency").get(pk=officer.pk)
    if status not in (Officer.Status.ACTIVE, Officer.Status.SUSPENDED):
        raise DomainError(gettext("Unknown status %(status)r.")
                          % {"status": status}, field="status", code="invalid")
    if not reason.strip():
        raise DomainError(
            gettext("Give the reason for the approval: how you checked this officer.")
            if status == Officer.Status.ACTIVE else gettext("Give the reason for the suspension."),
            field="reason", code="required")
    if status == Officer.Status.ACTIVE:
        if officer.agency.status != Agency.Status.ACTIVE:
            raise DomainError(gettext("The officer's agency is not active."), field="status",
                              code="agency_not_active")
        if not EmailAddress.objects.filter(user=officer.user, verified=True,
                                           email__iexact=officer.user.email).exists():
            raise DomainError(gettext("The officer has not verified their e-mail address yet."),
                              field="status", code="email_unverified")
        if officer.supervisor_answer != Officer.SupervisorAnswer.CONFIRMED:
            raise DomainError(
                gettext("The supervisor %(email)s has declined this officer.")
                % {"email": officer.supervisor_email}
                if officer.supervisor_answer == Officer.SupervisorAnswer.DECLINED else
                gettext("The supervisor %(email)s has not confirmed this officer yet.")
                % {"email": officer.supervisor_email},
                field="status", code="supervisor_unconfirmed")
    previous = officer.status
    if previous == status:
        return officer
    officer.status, officer.decided_by, officer.decided_at = status, actor, now
    officer.decision_reason = reason.strip()
    officer.save()
    action = Action.OFFICER_APPROVED if status == Officer.Status.ACTIVE \
        else Action.OFFICER_SUSPENDED
    record(action, actor=actor, target=officer,
           params={"officer": officer.user.email, "agency": officer.agency.name, "from": previous,
                   "reason": reason.strip()}
           | ({"supervisor_confirmed_at": officer.supervisor_answered_at.isoformat()}
              if status == Officer.Status.ACTIVE and officer.supervisor_answered_at else {}),
           origin=origin, now=now)
    if status == Officer.Status.ACTIVE:
        _send_approval_mail(officer, base_url)
    return officer


@transaction.atomic
def create_staff_member(
    *, actor: User | None, now: datetime, email: str, full_name: str, roles: list[str],
    password: str | None = None, origin: Origin | None = None,
) -> StaffMember:
    """Create a platform staff login with roles (``actor`` None only for the bootstrap CLI)."""
    if actor is not None:
        _require(actor, "desk:staff:manage")
    unknown = set(roles) - set(STAFF_ROLES)
    if unknown or not roles:
        raise DomainError(gettext("Roles must be among %(roles)s.")
                          % {"roles": ", ".join(sorted(STAFF_ROLES))}, field="roles", code="invalid")
    if User.objects.filter(email__iexact=email).exists():
        raise DomainError(gettext("%(email)s already has an account.")
                          % {"email": email}, field="email", code="duplicate_email")
    user = User.objects.create_user(email=email, password=password, full_name=full_name)
    staff = StaffMember.objects.create(user=user, roles=sorted(roles), created_at=now)
    record(Action.STAFF_CREATED, actor=actor, target=staff,
           params={"email": user.email, "roles": staff.roles}, origin=origin, now=now)
    return staff


@transaction.atomic
def set_preferences(user: User, *, language: str, time_zone: str, now: datetime,
                    origin: Origin | None = None) -> User:
    """Save a user's interface language and time zone ('' = automatic), audited."""
    if language and language not in language_codes():
        raise DomainError(gettext("Choose one of the offered languages."), field="language",
                          code="invalid")
    if time_zone and time_zone not in available_zones():
        raise DomainError(gettext("Choose a time zone from the list."), field="time_zone",
                          code="invalid")
    changes = {name: value for name, value in (("language", language), ("time_zone", time_zone))
               if getattr(user, name) != value}
    if changes:
        User.objects.filter(pk=user.pk).update(**changes)
        for name, value in changes.items():
            setattr(user, name, value)
        record(Action.USER_PREFERENCES_CHANGED, actor=user, target=user, params=changes,
               origin=origin, now=now)
    return user
