"""Package download for the requester, and re-issue for staff."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from lawdesk.accounts.http import AuthedRequest
from lawdesk.cases.selectors import get_agency_case, get_case_for
from lawdesk.collection import services
from lawdesk.collection.models import DownloadLink
from lawdesk.core import keys
from lawdesk.core.clock import utcnow
from lawdesk.core.errors import DomainError
from lawdesk.core.origin import Origin
from lawdesk.core.permissions import DESK_ACTIONS
from lawdesk.core.templatetags.lawdesk_tags import when
from lawdesk.core.views import require_perm


@require_perm("portal:case:view")
def download(request: AuthedRequest, case_id: int, link_id: int) -> HttpResponse | FileResponse:
    """Send the package if the link is live; every download (and refusal) is audited."""
    case = get_agency_case(request.user, case_id)
    link = DownloadLink.objects.select_related("package").filter(pk=link_id).first()
    if link is None:
        raise Http404("No such link.")
    try:
        path = services.download(case=case, link=link, actor=request.user, now=utcnow(),
                                 origin=Origin.from_request(request))
    except DomainError as exc:
        if exc.code == "not_found":
            raise Http404("No such link.") from None
        return render(request, "collection/link_expired.html", {"case": case, "error": exc.message},
                      status=410)
    content_type = "application/octet-stream"
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name,
                        content_type=content_type)


@require_perm(DESK_ACTIONS["reissue_link"])
@require_POST
def reissue(request: AuthedRequest, case_id: int) -> HttpResponse:
    """Give the requester a fresh download link."""
    case = get_case_for(request.user, case_id)
    try:
        link = services.reissue_link(case=case, actor=request.user, now=utcnow(),
                                     origin=Origin.from_request(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, gettext("New download link issued, valid until %(when)s.")
                         % {"when": when(link.expires_at)})
    return redirect("desk:case", case_id=case.pk)


def public_key(request: AuthedRequest) -> HttpResponse:
    """The platform's Ed25519 public key (PEM): what officers verify packages against."""
    response = HttpResponse(keys.public_key_pem(), content_type="application/x-pem-file")
    response["X-Key-Fingerprint"] = keys.fingerprint()
    response["Content-Disposition"] = 'inline; filename="platform-ed25519.pem"'
    return response
