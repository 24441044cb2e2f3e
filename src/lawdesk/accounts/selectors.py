"""Reads with authorization built in: a forbidden object looks exactly like a missing one."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from lawdesk.accounts.models import Agency, Officer, User
from lawdesk.core.permissions import has_perm


def get_agency_for(user: User, agency_id: int) -> Agency:
    """The agency if ``user`` may see it: staff see all, an officer only their own; else 404."""
    agency = Agency.objects.filter(pk=agency_id).first()
    if agency is None:
        raise Http404("No such agency.")
    if has_perm(user, "desk:agency:view"):
        return agency
    officer = user.officer_or_none
    if has_perm(user, "portal:agency:view") and officer is not None and officer.agency_id == agency.pk:
        return agency
    raise Http404("No such agency.")


def get_officer_for(user: User, officer_id: int) -> Officer:
    """An officer record for staff who may view officers; 404 for everyone else."""
    if not has_perm(user, "desk:officer:view"):
        raise Http404("No such officer.")
    officer = Officer.objects.select_related("user", "agency").filter(pk=officer_id).first()
    if officer is None:
        raise Http404("No such officer.")
    return officer


def officers_for_desk(*, status: str | None = None) -> QuerySet[Officer]:
    """Officers for the desk list, pending ones first."""
    qs = Officer.objects.select_related("user", "agency").order_by("status", "-created_at")
    if status:
        qs = qs.filter(status=status)
    return qs
