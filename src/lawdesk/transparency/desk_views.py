"""The desk's transparency area: the EU reporting templates of any period under the latest
checkpoint, to file with the Digital Services Coordinator (decision 0029)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from lawdesk.core.views import require_perm
from lawdesk.transparency import eu_publication, eu_templates, publication
from lawdesk.transparency.models import PublishedFigures
from lawdesk.transparency.report import ReportError, check_scope
from lawdesk.transparency.views import eu_file

PERMISSION = "desk:audit:view"


def _period(request: HttpRequest, periods: list[str]) -> str:
    latest_year = next((p for p in periods if len(p) == 4), periods[0] if periods else "")
    period = request.GET.get("period") or latest_year
    if period:
        try:
            check_scope(period, None)
        except ReportError as exc:
            raise Http404(str(exc)) from exc
    return period


@require_perm(PERMISSION)
def eu_templates_page(request: HttpRequest) -> HttpResponse:
    """Both templates of a period, on one page, with their downloads."""
    periods = eu_publication.desk_periods()
    period = _period(request, periods)
    sheet = eu_publication.for_desk("orders", period) if period else None
    tco = eu_publication.for_desk("tco", period) if period else None
    published = bool(period) and PublishedFigures.objects.filter(period=period, country="").exists()
    return render(request, "transparency/desk_eu.html", {
        "periods": periods, "period": period, "sheet": sheet, "tco": tco, "published": published,
        "public_date": publication.publication_date(period) if period else None,
        "columns": list(eu_templates.COLUMNS),
        "formats": eu_publication.FORMATS,
    })


@require_perm(PERMISSION)
def eu_template_download(request: HttpRequest, which: str, fmt: str) -> HttpResponse:
    """One template as JSON, CSV or XLSX, under the latest checkpoint."""
    if which not in eu_publication.TEMPLATES or fmt not in eu_publication.FORMATS:
        raise Http404
    period = _period(request, eu_publication.desk_periods())
    doc = eu_publication.for_desk(which, period) if period else None
    if doc is None:
        raise Http404(_("No checkpoint of the transparency log has been signed yet."))
    return eu_file(doc, which, period, fmt)
