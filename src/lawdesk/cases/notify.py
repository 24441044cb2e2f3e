"""E-mail notices to the requester: status only, never data (the data travels in packages)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop

from lawdesk.cases.legal_clock import deadline_basis
from lawdesk.cases.models import Case, Status
from lawdesk.core.locale import mail_language, zone_of
from lawdesk.core.templatetags.lawdesk_tags import when

_SUBJECTS = {
    Status.AWAITING_CLARIFICATION: gettext_noop("question about your request"),
    Status.APPROVED: gettext_noop("request approved"),
    Status.PARTIALLY_APPROVED: gettext_noop("request partly approved"),
    Status.REFUSED: gettext_noop("request refused"),
    Status.PRESERVED: gettext_noop("data preserved"),
    Status.DELIVERED: gettext_noop("evidence package ready"),
    Status.WITHDRAWN: gettext_noop("request withdrawn"),
    Status.ACTIONED: gettext_noop("content actioned"),
    Status.EFFECT_REPORTED: gettext_noop("effect given to your order"),
}


def _send(case: Case, subject: str, body: str) -> None:
    """Send a notice (its subject and body already in the officer's language)."""
    recipient = case.officer.user.email
    link = f"{settings.LAWDESK_BASE_URL}/portal/cases/{case.pk}/"
    with translation.override(mail_language(case.officer.user)):
        text = gettext("%(body)s\n\nSee the request in the portal (sign-in required): %(link)s"
                       "\n\nThis notice never contains data; data is delivered only as a signed "
                       "package in the portal.") % {"body": body, "link": link}

    def deliver() -> None:
        send_mail(f"[lawdesk] {case.number}: {subject}", text,
                  settings.DEFAULT_FROM_EMAIL, [recipient], fail_silently=True)

    transaction.on_commit(deliver)


def received(case: Case) -> None:
    """Confirm receipt with the case number, the receipt hash and the deadline."""
    user = case.officer.user
    with translation.override(mail_language(user)), timezone.override(zone_of(user)):
        _send(case, gettext("request received"), gettext(
            "Your request %(file)s was received as %(number)s on %(received)s.\n"
            "Receipt SHA-256: %(sha)s\nAnswer due by %(due)s (%(basis)s).\n"
            "The signed acknowledgement of receipt (PDF) is on the case page.") % {
                "file": case.authority_file_number, "number": case.number,
                "received": when(case.received_at), "sha": case.receipt_sha256,
                "due": when(case.deadline_at), "basis": deadline_basis(case)})


def status_changed(case: Case, *, previous: str) -> None:
    """Tell the requester about a status change they need to know of."""
    subject = _SUBJECTS.get(Status(case.status))
    if subject is None:
        return
    with translation.override(mail_language(case.officer.user)):
        _send(case, gettext(subject), gettext(
            "The status of %(number)s changed from %(old)s to %(new)s.") % {
                "number": case.number, "old": str(Status(previous).label).lower(),
                "new": str(case.get_status_display()).lower()})
