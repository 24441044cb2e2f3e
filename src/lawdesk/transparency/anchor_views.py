"""Public, anonymous endpoints: the anchor log and the platform's key list.

Nothing here carries an event's content: only anchored heads (a sequence number and a hash),
key statements, hashes and signatures.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from lawdesk.core import keys
from lawdesk.transparency import anchors
from lawdesk.transparency.cosign import cosigned_note

MAX_PAGE = 1000


def _json(data: object, status: int = 200) -> JsonResponse:
    response = JsonResponse(data, status=status, safe=False, json_dumps_params={"indent": 1})
    response["Cache-Control"] = "no-cache"
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _int(request: HttpRequest, name: str, default: int) -> int | None:
    raw = request.GET.get(name) or ""
    if not raw:
        return default
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        return None
    return int(raw)


@require_GET
def checkpoint(request: HttpRequest) -> HttpResponse:
    """The latest anchor checkpoint, with the witnesses' cosignatures."""
    latest = anchors.latest_checkpoint()
    if latest is None:
        return _json({"error": "no anchor checkpoint has been published yet"}, status=404)
    response = HttpResponse(cosigned_note(anchors.origin(), latest.size, latest.note_text),
                            content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def leaves(request: HttpRequest) -> HttpResponse:
    """Anchor entries from ``start`` to ``end`` (exclusive) under the latest checkpoint."""
    latest = anchors.latest_checkpoint()
    size = latest.size if latest else 0
    start, end = _int(request, "start", 0), _int(request, "end", size)
    if start is None or end is None:
        return _json({"error": "start and end must be non-negative integers"}, status=400)
    if start > size:
        return _json({"error": f"start is beyond the published anchor log of {size} entries"}, status=400)
    end = max(start, min(end, size, start + MAX_PAGE))
    return _json({"tree_size": size, "start": start, "end": end, "leaves": anchors.entries(start, end)})


@require_GET
def key(request: HttpRequest) -> HttpResponse:
    """The anchor log's verifier key (the platform's checkpoint key, under the anchor log's name)."""
    return _json({"origin": anchors.origin(), "verifier_key": anchors.verifier().encode()})


@require_GET
def key_pem(request: HttpRequest, purpose: str) -> HttpResponse:
    """The current key of one purpose (package, checkpoint, receipt) as PEM, with its fingerprint."""
    if purpose not in keys.PURPOSES:
        return _json({"error": f"no key purpose {purpose!r}: one of {', '.join(keys.PURPOSES)}"}, status=404)
    response = HttpResponse(keys.public_key_pem(purpose), content_type="application/x-pem-file")
    response["X-Key-Fingerprint"] = keys.fingerprint(purpose)
    response["Content-Disposition"] = f'inline; filename="{purpose}-ed25519.pem"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def keys_document(request: HttpRequest) -> HttpResponse:
    """Every platform key with its purpose, validity period and revocation (``lawdesk-keys/1``)."""
    return _json(keys.published())
