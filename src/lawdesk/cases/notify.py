"""E-mail notices to the requester: status only, never data (the data travels in packages)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from lawdesk.cases.models import Case, Status

_SUBJECTS = {
    Status.AWAITING_CLARIFICATION: "question about your request",
    Status.APPROVED: "request approved",
    Status.PARTIALLY_APPROVED: "request partly approved",
    Status.REFUSED: "request refused",
    Status.PRESERVED: "data preserved",
    Status.DELIVERED: "evidence package ready",
    Status.WITHDRAWN: "request withdrawn",
    Status.ACTIONED: "content actioned",
    Status.EFFECT_REPORTED: "effect given to your order",
}


def _send(case: Case, subject: str, body: str) -> None:
    recipient = case.officer.user.email
    link = f"{settings.LAWDESK_BASE_URL}/portal/cases/{case.pk}/"

    def deliver() -> None:
        send_mail(f"[lawdesk] {case.number}: {subject}",
                  f"{body}\n\nSee the request in the portal (sign-in required): {link}\n\n"
                  "This notice never contains data; data is delivered only as a signed "
                  "package in the portal.",
                  settings.DEFAULT_FROM_EMAIL, [recipient], fail_silently=True)

    transaction.on_commit(deliver)


def received(case: Case) -> None:
    """Confirm receipt with the case number, the receipt hash and the deadline."""
    _send(case, "request received",
          f"Your request {case.authority_file_number} was received as {case.number} on "
          f"{case.received_at:%Y-%m-%d %H:%M} UTC.\nReceipt SHA-256: {case.receipt_sha256}\n"
          f"Answer due by {case.deadline_at:%Y-%m-%d %H:%M} UTC ({deadline_basis(case)}).\n"
          "The signed acknowledgement of receipt (PDF) is on the case page.")


def deadline_basis(case: Case) -> str:
    """The deadline's legal basis in words."""
    from lawdesk.core.plain import deadline_basis as basis

    return basis(case)


def status_changed(case: Case, *, previous: str) -> None:
    """Tell the requester about a status change they need to know of."""
    subject = _SUBJECTS.get(Status(case.status))
    if subject is None:
        return
    _send(case, subject, f"The status of {case.number} changed from "
                         f"{Status(previous).label.lower()} to {case.get_status_display().lower()}.")
