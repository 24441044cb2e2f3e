"""Words for a case's clock, urgency, deadline basis and legal reasons, the same on the desk and
in the portal."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.utils.translation import gettext as _

from lawdesk.cases import legal_clock
from lawdesk.cases.models import Case, Status
from lawdesk.core.citations import cite as _cite
from lawdesk.core.plain import label
from lawdesk.law.decision import CategoryResult, Reason
from lawdesk.law.override import OVERRIDE_RULE_ID
from lawdesk.law.vocabulary import RequestKind

register = template.Library()


@register.filter
def clock_done(case: Case) -> str:
    """What a case whose legal clock has stopped came to. Approval is a decision, not an
    answer: nothing has reached the requester until the data is delivered."""
    status = case.status
    if status in (Status.APPROVED, Status.PARTIALLY_APPROVED):
        return _("decided — nothing delivered yet")
    if status == Status.COLLECTING:
        return _("decided — collecting the data")
    if status in (Status.DELIVERED, Status.CLOSED):
        return _("delivered")
    return str(Status(status).label).lower() if status in Status.values else str(status)


@register.filter
def urgency_class(case: Case, level: str) -> str:
    """CSS classes of a case's clock badge: an open emergency always gets the most urgent
    style, whatever is left of its (short) period."""
    if case.kind == RequestKind.EMERGENCY_DISCLOSURE and level not in ("done", "paused"):
        return f"{level} emergency"
    return level


@register.filter
def author_for_requester(user: object) -> str:
    """Who wrote a message, as the requesting officer sees it. Staff names stay with the
    platform unless the deployment chooses to show them (LAWDESK_SHOW_STAFF_NAMES): the people
    who review requests are shielded from those who send them."""
    if getattr(user, "staff_or_none", None) is not None and not settings.LAWDESK_SHOW_STAFF_NAMES:
        return _("the platform's legal team")
    return str(getattr(user, "full_name", "") or "")


@register.filter
def deadline_basis(case: Case) -> str:
    """The legal basis of a case's deadline in words (never ``eu_eevidence: …``)."""
    return legal_clock.deadline_basis(case)


@register.filter
def cite(citation: str) -> str:
    """A rule definition's citation written in the page's language (``core.citations``)."""
    return _cite(citation)


@register.filter
def reason_text(reason: Reason, result: CategoryResult | None = None) -> str:
    """A legal reason's explanation; a reviewer's override said in words, from its record."""
    override = result.override if result is not None else None
    if reason.rule == OVERRIDE_RULE_ID and override is not None:
        return _("%(who)s changed the outcome from “%(old)s” to “%(new)s”: %(why)s") % {
            "who": override.reviewer, "old": label(override.previous_outcome),
            "new": label(override.outcome), "why": override.reason}
    return reason.explanation
