"""The officer downloads the signed acknowledgement of receipt (PDF) and its signature."""

from __future__ import annotations

from django.http import HttpResponse

from lawdesk.accounts.http import AuthedRequest
from lawdesk.audit.actions import Action
from lawdesk.audit.services import record
from lawdesk.cases import acknowledgement
from lawdesk.cases.models import Case
from lawdesk.cases.selectors import get_agency_case
from lawdesk.core.origin import Origin
from lawdesk.core.views import require_perm


def pdf_response(case: Case) -> HttpResponse:
    """The acknowledgement PDF as a download (shared by the portal and the API)."""
    response = HttpResponse(acknowledgement.acknowledgement_pdf(case), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{case.number}-acknowledgement.pdf"'
    return response


def signature_response(case: Case) -> HttpResponse:
    """The detached Ed25519 signature (64 raw bytes) over the acknowledgement PDF."""
    body = acknowledgement.sign(acknowledgement.acknowledgement_pdf(case))
    response = HttpResponse(body, content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{case.number}-acknowledgement.pdf.sig"'
    return response


@require_perm("portal:case:view")
def acknowledgement_pdf(request: AuthedRequest, case_id: int) -> HttpResponse:
    """The printable, signed acknowledgement of receipt."""
    case = get_agency_case(request.user, case_id)
    record(Action.ACKNOWLEDGEMENT_DOWNLOADED, actor=request.user, origin=Origin.from_request(request),
           target=case,
           params={"number": case.number, "file": "pdf"})
    return pdf_response(case)


@require_perm("portal:case:view")
def acknowledgement_signature(request: AuthedRequest, case_id: int) -> HttpResponse:
    """The acknowledgement's detached signature."""
    case = get_agency_case(request.user, case_id)
    record(Action.ACKNOWLEDGEMENT_DOWNLOADED, actor=request.user, origin=Origin.from_request(request),
           target=case,
           params={"number": case.number, "file": "signature"})
    return signature_response(case)
