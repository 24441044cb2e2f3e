"""``POST /hi1/``: the HI-1 endpoint. Thin: identify the sender, hand the bytes to the service."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lawdesk.accounts.http import AuthedRequest
from lawdesk.accounts.models import AnchorChange
from lawdesk.cases.models import Case
from lawdesk.core.clock import utcnow
from lawdesk.core.errors import DomainError
from lawdesk.core.origin import Origin
from lawdesk.core.permissions import has_perm
from lawdesk.core.views import apply_domain_error, require_perm
from lawdesk.interop import identity, outbound, services
from lawdesk.interop import message as m
from lawdesk.interop.annex_iii import IdentifierReason, declare_impossibility
from lawdesk.interop.forms import EndpointForm, RevokeForm
from lawdesk.interop.models import AnnexIII, Endpoint
from lawdesk.interop.xmlsafe import MAX_BYTES

XML_TYPES = ("application/xml", "text/xml")


def _refused(reason: str) -> HttpResponse:
    # No HI-1 body for an unidentified sender: nothing about lawdesk's state leaks to it.
    return HttpResponse(f"Refused: {reason}.\n", status=403,
                        content_type="text/plain; charset=utf-8")


@csrf_exempt  # no cookies, no session: the client certificate is the credential
@require_POST
def hi1(request: HttpRequest) -> HttpResponse:
    now = utcnow()
    origin, visitor = Origin.from_request(request), request.user
    presented = identity.presented_fingerprint(request)
    if not identity.from_trusted_proxy(request):
        services.refuse_sender(reason="not_from_tls_proxy", now=now, origin=origin, visitor=visitor,
                               fingerprint=presented)
        return _refused("this endpoint is reached only through the mutual-TLS proxy")
    endpoint = services.endpoint_for(presented)
    if endpoint is None:
        services.refuse_sender(reason="certificate_not_on_record" if presented else
                               "no_client_certificate", now=now, origin=origin, visitor=visitor,
                               fingerprint=presented)
        return _refused("the client certificate is not registered for any HI-1 endpoint")
    content_type = request.content_type or ""
    data = request.read(MAX_BYTES + 1)
    if content_type not in XML_TYPES:
        error = m.HI1Error(m.ErrorCode.ENCODING_NOT_SUPPORTED,
                           f"Content type {content_type or '(none)'} is not supported; send the "
                           "XML encoding (application/xml).")
        answer = services.Answer(m.response(services._header_for(None, endpoint, now),
                                            error=error))
    else:
        answer = services.receive(data=data, endpoint=endpoint, now=now, origin=origin,
                                  visitor=visitor)
    if answer.refused:
        return _refused("the SenderIdentifier is not the endpoint this certificate is "
                        "registered for" if answer.refused == "sender_identifier_mismatch"
                        else answer.refused)
    return HttpResponse(answer.body, status=200, content_type="application/xml; charset=utf-8")


@require_GET
def delivery(request: HttpRequest, download_id: str) -> HttpResponseBase:
    """A package too large for the DELIVER itself, fetched from the URL the DELIVER gave, by a
    registered endpoint of the requesting agency (the same mutual TLS as ``POST /hi1/``)."""
    now = utcnow()
    origin, visitor = Origin.from_request(request), request.user
    presented = identity.presented_fingerprint(request)
    if not identity.from_trusted_proxy(request):
        services.refuse_sender(reason="not_from_tls_proxy", now=now, origin=origin, visitor=visitor,
                               fingerprint=presented)
        return _refused("this endpoint is reached only through the mutual-TLS proxy")
    endpoint = services.endpoint_for(presented)
    if endpoint is None:
        services.refuse_sender(reason="certificate_not_on_record" if presented else
                               "no_client_certificate", now=now, origin=origin, visitor=visitor,
                               fingerprint=presented)
        return _refused("the client certificate is not registered for any HI-1 endpoint")
    try:
        path = outbound.fetch_package(download_id=str(download_id), endpoint=endpoint, now=now,
                                      origin=origin, visitor=visitor)
    except DomainError as exc:
        return HttpResponse(f"{exc.message}\n", status=410 if exc.code == "expired" else 404,
                            content_type="text/plain; charset=utf-8")
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name,
                        content_type="application/octet-stream")


# --- The desk's page of HI-1 endpoints ----------------------------------------------------

@require_perm("desk:agency:view")
@require_http_methods(["GET", "POST"])
def endpoints(request: AuthedRequest) -> HttpResponse:
    """Every agency's HI-1 endpoints; administrators propose one, or its removal. A second
    administrator approves the proposal on the agency's page (decision 0014)."""
    action = request.POST.get("action") if request.method == "POST" else None
    forms = {"propose": EndpointForm(request.POST if action == "propose" else None,
                                     prefix="endpoint"),
             "revoke": RevokeForm(request.POST if action == "revoke" else None, prefix="revoke")}
    can_manage = has_perm(request.user, "desk:agency:manage")
    if action in forms:
        if not can_manage:
            raise Http404
        form = forms[action]
        if form.is_valid():
            data, now = form.cleaned_data, utcnow()
            try:
                if action == "propose":
                    officer = data.pop("officer")
                    change = services.propose_endpoint(actor=request.user, now=now,
                                                       agency=officer.agency, officer=officer,
                                                       origin=Origin.from_request(request), **data)
                else:
                    endpoint = get_object_or_404(Endpoint, pk=data["endpoint"],
                                                 revoked_at__isnull=True)
                    change = services.propose_endpoint_removal(
                        actor=request.user, now=now, endpoint=endpoint, reason=data["reason"],
                        origin=Origin.from_request(request))
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, gettext("Proposed. Another administrator must approve "
                                                  "it on the agency's page before it applies."))
                return redirect("desk:agency", agency_id=change.agency_id)
    return render(request, "interop/endpoints.html", {
        "endpoints": Endpoint.objects.select_related("agency", "officer__user")
        .order_by("agency__name", "country_code", "unique_identifier", "-approved_at"),
        "forms": forms, "can_manage": can_manage, "standard": "ETSI TS 103 120",
        "proposed": AnchorChange.objects.filter(
            kind__in=[AnchorChange.Kind.ADD_HI1_ENDPOINT, AnchorChange.Kind.REMOVE_HI1_ENDPOINT],
            state=AnchorChange.State.PROPOSED).select_related("agency", "proposed_by"),
    })


# --- The Annex III form (impossibility to execute an EPOC) --------------------------------

@require_http_methods(["GET", "POST"])
@require_perm("desk:case:view")
def annex_iii(request: AuthedRequest, case_id: int) -> HttpResponse:
    """POST: the desk declares the order impossible to execute (reasons per identifier, the
    Section G statement) and the form goes back over HI-1. GET ``?format=pdf|xml``: the form
    as sent."""
    case = get_object_or_404(Case, pk=case_id)
    if request.method == "GET":
        annex = get_object_or_404(AnnexIII, case=case)
        if request.GET.get("format") == "xml":
            return HttpResponse(bytes(annex.document), content_type="application/xml",
                                headers={"Content-Disposition": f'attachment; filename="'
                                         f'{case.number}-annex-iii.xml"'})
        return HttpResponse(bytes(annex.pdf), content_type="application/pdf",
                            headers={"Content-Disposition": f'attachment; filename="'
                                     f'{case.number}-annex-iii.pdf"'})
    if not has_perm(request.user, "desk:case:refuse"):
        raise Http404
    reasons = []
    for target in case.targets.order_by("position"):
        reason = request.POST.get(f"reason-{target.pk}", "")
        if reason:
            reasons.append(IdentifierReason(
                target.pk, reason, request.POST.get(f"explanation-{target.pk}", ""),
                request.POST.get(f"preserved-{target.pk}") == "on"))
    try:
        declare_impossibility(case=case, actor=request.user, now=utcnow(), reasons=reasons,
                              conflicting_obligations=request.POST.get("conflicting", ""),
                              information_required=request.POST.get("information", ""),
                              origin=Origin.from_request(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, gettext("The Annex III form was produced; it goes back to "
                                          "the authority over HI-1 and the case is refused."))
    return redirect("desk:case", case_id=case.pk)
