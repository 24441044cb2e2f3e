"""The auditor's view of the trail."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from lawdesk.audit.actions import Action
from lawdesk.audit.models import Event
from lawdesk.audit.services import record
from lawdesk.audit.verify import verify_chain
from lawdesk.core.origin import Origin
from lawdesk.core.paging import lean_page
from lawdesk.core.views import require_perm


@require_perm("desk:audit:view")
def event_list(request: HttpRequest) -> HttpResponse:
    """Newest events first, filterable by action prefix; viewing is itself audited."""
    prefix = request.GET.get("action", "").strip()[:100]
    events = Event.objects.order_by("-seq")
    if prefix:
        events = events.filter(action__startswith=prefix)
    page = lean_page(events, 50, request.GET.get("page"))  # no COUNT(*) over every event
    record(Action.TRAIL_VIEWED, actor=request.user, origin=Origin.from_request(request),
           params={"filter": prefix, "page": page.number})
    report = verify_chain() if request.GET.get("verify") == "1" else None
    return render(request, "audit/event_list.html", {"page": page, "prefix": prefix,
                                                     "report": report})
