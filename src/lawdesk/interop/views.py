"""``POST /hi1/``: the HI-1 endpoint. Thin: identify the sender, hand the bytes to the service."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from lawdesk.core.clock import utcnow
from lawdesk.interop import identity, services
from lawdesk.interop import message as m
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
    presented = identity.presented_fingerprint(request)
    if not identity.from_trusted_proxy(request):
        services.refuse_sender(reason="not_from_tls_proxy", now=now, request=request,
                               fingerprint=presented)
        return _refused("this endpoint is reached only through the mutual-TLS proxy")
    endpoint = services.endpoint_for(presented)
    if endpoint is None:
        services.refuse_sender(reason="certificate_not_on_record" if presented else
                               "no_client_certificate", now=now, request=request,
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
        answer = services.receive(data=data, endpoint=endpoint, now=now, request=request)
    if answer.refused:
        return _refused("the SenderIdentifier is not the endpoint this certificate is "
                        "registered for" if answer.refused == "sender_identifier_mismatch"
                        else answer.refused)
    return HttpResponse(answer.body, status=200, content_type="application/xml; charset=utf-8")
