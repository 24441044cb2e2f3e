"""Preservation orders after receipt: extension, conversion into a production order (Annex V),
expiry and early release."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils.translation import gettext

from lawdesk.accounts.models import User
from lawdesk.audit.actions import Action
from lawdesk.cases import flows, signals
from lawdesk.cases.lifecycle import desk_action, lock, move, require, require_requester
from lawdesk.cases.models import Case, Status
from lawdesk.core.errors import DomainError
from lawdesk.core.origin import Origin
from lawdesk.law.vocabulary import RequestKind


@desk_action("extend")
def extend_preservation(*, case: Case, actor: User, now: datetime, reason: str,
                        origin: Origin | None = None) -> Case:
    """Extend a preservation on the authority's request (e-Evidence +30 days; US +90)."""
    return _extend(lock(case), actor=actor, now=now, reason=reason, origin=origin)


def extend_preservation_on_order(*, case: Case, actor: User, now: datetime, reason: str,
                                 origin: Origin | None = None) -> Case:
    """The issuing authority extends its own preservation order through a standard channel
    (e-Evidence Annex VI, Form 6, over HI-1): the requester is the actor, not the desk."""
    require_requester(case, actor, now=now, origin=origin, attempted="extend")
    case = lock(case)
    require(case.status == Status.PRESERVED,
            gettext("This preservation cannot be extended (it was extended already, or it has "
                    "ended)."), field="status", code="not_extendable")
    return _extend(case, actor=actor, now=now, reason=reason, origin=origin)


def _extend(case: Case, *, actor: User, now: datetime, reason: str,
            origin: Origin | None) -> Case:
    extra = timedelta(days=90 if case.agency.country == "US" else 30)
    case.deadline_at = case.deadline_at + extra
    move(case, Status.EXTENDED, actor=actor, now=now, action=Action.CASE_PRESERVATION_EXTENDED,
         reason=reason, params={"until": case.deadline_at.isoformat()}, origin=origin)
    return case


@desk_action("convert")
def convert_preservation(*, case: Case, actor: User, now: datetime, production_number: str,
                         origin: Origin | None = None) -> Case:
    """The authority followed its preservation order with a production order (Annex V):
    the preservation ends as converted and its hold now serves the production case."""
    case = lock(case)
    production = Case.objects.filter(number=production_number.strip()).first()
    if production is None or production.agency_id != case.agency_id \
            or production.kind != RequestKind.PRODUCTION:
        raise DomainError(gettext("Give the number of a production request from the same agency."),
                          field="production_number", code="invalid")
    require(flows.is_open(production.status), gettext("That production request is already finished."),
            field="production_number", code="invalid")
    move(case, Status.CONVERTED, actor=actor, now=now, action=Action.CASE_PRESERVATION_CONVERTED,
         params={"production": production.number}, origin=origin)
    signals.preservation_converted.send(sender=Case, case=case, production=production,
                                        actor=actor, now=now, origin=origin)
    return case


@transaction.atomic
def expire_preservation(*, case: Case, now: datetime) -> Case:
    """The preservation period ended without a follow-up order."""
    case = lock(case)
    move(case, Status.EXPIRED, actor=None, now=now, action=Action.CASE_PRESERVATION_EXPIRED,
         reason="preservation period ended")
    return case


@desk_action("release")
def release_preservation(*, case: Case, actor: User, now: datetime, reason: str,
                         origin: Origin | None = None) -> Case:
    """End a preservation early (order revoked, or no follow-up)."""
    require(len(reason.strip()) >= 3, gettext("Say why the preservation is released."), field="reason")
    case = lock(case)
    move(case, Status.RELEASED, actor=actor, now=now, action=Action.CASE_PRESERVATION_RELEASED,
         reason=reason.strip(), origin=origin)
    return case
