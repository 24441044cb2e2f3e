"""Public, anonymous endpoints of the verifiable log, and the reports (JSON, CSV, page).

Nothing here is behind login, and nothing here may carry a case reference, a salt or any
personal data: only leaf data (counted facts and commitments), hashes and signatures.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, translation
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from lawdesk.accounts.http import AuthedRequest
from lawdesk.audit.actions import Action
from lawdesk.audit.services import record
from lawdesk.cases.models import CATEGORY_CHOICES, INSTRUMENT_CHOICES, KIND_CHOICES, REFUSAL_CHOICES
from lawdesk.cases.selectors import get_case_for
from lawdesk.core import keys
from lawdesk.core.clock import utcnow
from lawdesk.core.origin import Origin
from lawdesk.core.views import require_perm
from lawdesk.transparency import (
    charts,
    eu_publication,
    merkle,
    publication,
    selectors,
    services,
    statistics,
)
from lawdesk.transparency.cosign import cosigned_note
from lawdesk.transparency.models import Checkpoint
from lawdesk.transparency.report import ReportError, count_rows


class BadRequest(ValueError):
    """A query parameter is missing or invalid."""


def _json(data: Any, status: int = 200) -> JsonResponse:
    response = JsonResponse(data, status=status, json_dumps_params={"indent": 1})
    response["Cache-Control"] = "no-cache"
    response["Access-Control-Allow-Origin"] = "*"  # public data, meant to be checked by anyone
    return response


def _int(request: HttpRequest, name: str, default: int | None = None) -> int:
    raw = request.GET.get(name)
    if raw is None or raw == "":
        if default is None:
            raise BadRequest(f"parameter {name} is required")
        return default
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        raise BadRequest(f"parameter {name} must be a non-negative integer")
    return int(raw)


def _public(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """GET only; bad parameters and impossible proofs answer 400 with the reason, as JSON."""

    @require_GET
    def wrapped(request: HttpRequest, **kwargs: str) -> HttpResponse:
        try:
            return view(request, **kwargs)
        except (BadRequest, merkle.ProofError, ReportError) as exc:
            return _json({"error": str(exc)}, status=400)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _latest_or_404() -> Checkpoint | JsonResponse:
    latest = services.latest_checkpoint()
    if latest is None:
        return _json({"error": gettext("no checkpoint has been published yet")}, status=404)
    return latest


@_public
def checkpoint(request: HttpRequest) -> HttpResponse:
    """The latest signed checkpoint (or the one of ``?size=``), as a C2SP signed note."""
    if request.GET.get("size"):
        found = Checkpoint.objects.filter(size=_int(request, "size")).first()
        if found is None:
            return _json({"error": gettext("no checkpoint of that size was published")},
                         status=404)
    else:
        latest = _latest_or_404()
        if isinstance(latest, JsonResponse):
            return latest
        found = latest

    response = HttpResponse(cosigned_note(services.origin(), found.size, found.note_text),
                            content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["Access-Control-Allow-Origin"] = "*"
    return response


@_public
def leaves(request: HttpRequest) -> HttpResponse:
    """Published leaf data from ``start`` to ``end`` (exclusive), at most 1000 at a time."""
    size = selectors.published_size()
    start = _int(request, "start", 0)
    end = min(_int(request, "end", start + selectors.MAX_PAGE), size, start + selectors.MAX_PAGE)
    if start > size:
        raise BadRequest(f"start is beyond the published log of {size} leaves")
    end = max(end, start)
    return _json({"tree_size": size, "start": start, "end": end, "leaves": selectors.leaf_data(start, end)})


@_public
def bundle(request: HttpRequest) -> HttpResponse:
    """Leaf data from ``start`` to ``end`` as plain text, one leaf per line, up to 100,000 at a time.

    The verifier's way to read the log: each line is exactly the bytes hashed (a leaf is
    canonical ASCII JSON, never holding a newline), with no JSON to decode around it.
    """
    size = selectors.published_size()
    start = _int(request, "start", 0)
    end = min(_int(request, "end", size), size, start + selectors.MAX_BUNDLE)
    if start > size:
        raise BadRequest(f"start is beyond the published log of {size} leaves")
    response = HttpResponse(b"".join(selectors.leaf_lines(start, max(end, start))),
                            content_type="text/plain; charset=us-ascii")
    response["Cache-Control"] = "no-cache"
    response["Access-Control-Allow-Origin"] = "*"
    response["X-Tree-Size"] = str(size)
    return response


@_public
def inclusion(request: HttpRequest) -> HttpResponse:
    """The inclusion proof of leaf ``index`` in the published tree of ``size`` (default: latest)."""
    published = selectors.published_size()
    size = _int(request, "size", published)
    index = _int(request, "index")
    if size > published:
        raise BadRequest(f"size is beyond the published log of {published} leaves")
    proof = services.inclusion_proof(index, size)
    return _json({"index": index, "size": size, "proof": [services.b64(h) for h in proof]})


@_public
def consistency(request: HttpRequest) -> HttpResponse:
    """The consistency proof from the tree of ``old`` leaves to the one of ``new`` (default: latest)."""
    published = selectors.published_size()
    new = _int(request, "new", published)
    old = _int(request, "old")
    if new > published:
        raise BadRequest(f"new is beyond the published log of {published} leaves")
    proof = services.consistency_proof(old, new)
    return _json({"old": old, "new": new, "proof": [services.b64(h) for h in proof]})


@_public
def key(request: HttpRequest) -> HttpResponse:
    """The log's verifier key (C2SP note format) and the same key as PEM."""
    return _json({
        "origin": services.origin(),
        "verifier_key": services.verifier().encode(),
        "public_key_pem": keys.public_key_pem("checkpoint").decode(),
        "fingerprint": keys.fingerprint("checkpoint"),
    })


class NotPublished(Exception):
    """The period asked for is not published (yet)."""


def _not_published(period: str, country: str | None) -> str:
    when = ""
    try:
        date = publication.publication_date(period)
    except ValueError:
        date = None
    if date is not None and date > utcnow():

        when = " " + gettext("They will be published on %(date)s, %(days)s days after the period "
                             "ends.") % {"date": date_format(date, "d F Y"),
                                         "days": publication.delay().days}
    scope = (gettext("%(period)s for %(country)s") % {"period": period, "country": country}
             if country else period)
    return gettext("No figures are published for %(scope)s: only closed periods are.") % {
        "scope": scope} + when


def _published(kind: str, period: str, country: str | None) -> dict[str, Any]:
    statistics.check_scope(period, country)
    read = publication.report_document if kind == "report" else publication.statistics_document
    doc = read(period, country)
    if doc is None:
        raise NotPublished(_not_published(period, country))
    return doc


@_public
def report(request: HttpRequest) -> HttpResponse:
    """Closed-case counts from the log for a published period and country, naming their checkpoint."""
    try:
        return _json(_published("report", request.GET.get("period", ""), request.GET.get("country") or None))
    except NotPublished as exc:
        return _json({"error": str(exc)}, status=404)


@_public
def reports(request: HttpRequest) -> HttpResponse:
    """The reports to verify: each published year (or quarter of an unfinished year), all countries
    and each country."""
    latest = _latest_or_404()
    if isinstance(latest, JsonResponse):
        return latest

    def query(period: str, country: str | None) -> str:
        return urlencode({"period": period, **({"country": country} if country else {})})

    def url(name: str, period: str, country: str | None) -> str:
        return request.build_absolute_uri(f"{reverse(name)}?{query(period, country)}")

    return _json({
        "checkpoint": {"size": latest.size, "root_hash": services.b64(bytes.fromhex(latest.root_hash))},
        "reports": [
            {"period": period, "country": country, "url": url("transparency:report", period, country),
             "statistics": url("transparency:statistics_json", period, country),
             "csv": url("transparency:statistics_csv", period, country),
             "pdf": url("transparency:report_pdf", period, country),
             # The EU reporting templates (eu/orders|tco.json|csv|xlsx) of the period, all countries.
             **({"eu_templates": True} if country is None else {})}
            for period, country in publication.report_scopes()
        ],
    })


# --- Human-readable pages (the same numbers as report.json) -----------------------------------

def _scope(request: HttpRequest) -> tuple[str, str | None, str]:
    period = request.GET.get("period", "")
    country = request.GET.get("country") or None
    query = urlencode({"period": period, **({"country": country} if country else {})})
    return period, country, query


def _statistics_scope(request: HttpRequest) -> tuple[str, str | None, list[str], list[str]]:
    """The period and country asked for (default: the latest published year, all countries)."""
    periods, countries = publication.published_scopes()
    latest_year = next((p for p in periods if len(p) == 4), periods[0] if periods else "")
    period = request.GET.get("period") or latest_year
    country = request.GET.get("country") or None
    if period:
        statistics.check_scope(period, country)
    return period, country, periods, countries


def _period_label(period: str) -> str:
    year, _, part = period.partition("-")
    if not part:
        return gettext("the year %(year)s") % {"year": year}
    if part == "H1":
        return gettext("January to June %(year)s") % {"year": year}
    if part == "H2":
        return gettext("July to December %(year)s") % {"year": year}
    return gettext("%(year)s, quarter %(quarter)s") % {"year": year, "quarter": part[1:]}


def _page_context(request: HttpRequest) -> dict[str, Any]:
    period, country, periods, countries = _statistics_scope(request)
    return page_context(period, country, periods=periods, countries=countries,
                        base_url=request.build_absolute_uri(reverse("transparency:index")))


def page_context(period: str, country: str | None, *, periods: list[str], countries: list[str],
                 base_url: str) -> dict[str, Any]:
    """What the page and the PDF show for a published period and country (``NotPublished`` if not)."""
    latest = services.latest_checkpoint()
    common = {"period": period, "country": country, "periods": periods, "countries": countries,
              "delay_days": publication.delay().days, "band_below": publication.band_below(),
              "checkpoint": latest,
              "root_b64": services.b64(bytes.fromhex(latest.root_hash)) if latest else "",
              "origin": services.origin(), "verifier_key": services.verifier().encode(),
              "fingerprint": keys.fingerprint("checkpoint"), "base_url": base_url}
    if not period:
        return {**common, "doc": None}
    doc = _published("statistics", period, country)
    figures = doc["statistics"]
    combined = [{"quarter": q["quarter"], "requests_fulfilled": q["requests_fulfilled"],
                 "users_affected": q["users_affected"]} for q in figures["quarterly_total"]]
    query = urlencode({"period": period, **({"country": country} if country else {})})
    verifiable = [{"period": p, "country": c or gettext("all countries"),
                   "query": urlencode({"period": p, **({"country": c} if c else {})})}
                  for p, c in publication.report_scopes()]
    return {
        **common, "doc": doc, "figures": figures, "period_label": _period_label(period), "query": query,
        "quarterly_chart": charts.quarterly_bars(combined), "quarterly_total": combined,
        "outcome_chart": charts.outcome_bars(figures["headline"]),
        "outcome_labels": {k: gettext(v) for k, v in charts.OUTCOME_LABELS.items()},
        **_tables(figures),
        "reports": verifiable,
    }


def _tables(figures: dict[str, Any]) -> dict[str, Any]:
    """Rows for the breakdown tables, with the vocabularies' readable labels."""
    def rows(section: str, labels: list[tuple[str, str]]) -> list[dict[str, Any]]:
        names = dict(labels)
        return [{"label": names.get(key, key), "values": [per[m] for m in statistics.MEASURES]}
                for key, per in figures[section].items()]

    kinds = dict(KIND_CHOICES)
    return {
        "tables": [{"title": gettext("By kind of request"), "head": gettext("Kind"),
                    "rows": rows("by_kind", KIND_CHOICES)},
                   {"title": gettext("By data category asked for"), "head": gettext("Category"),
                    "rows": rows("by_category", CATEGORY_CHOICES)},
                   {"title": gettext("By legal instrument"), "head": gettext("Instrument"),
                    "rows": rows("by_instrument", INSTRUMENT_CHOICES)}],
        "median_rows": [{"label": kinds.get(k, k), "ack": v["acknowledge_hours"], "fulfil": v["fulfil_hours"]}
                        for k, v in figures["medians"]["by_kind"].items()],
        "refusal_rows": [{"label": dict(REFUSAL_CHOICES).get(k, k.replace("_", " ")), "n": n}
                         for k, n in figures["refused_by_reason"].items()],
    }


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The public report: selectors, headline figures, charts, tables, downloads, and the log."""
    try:
        context = _page_context(request)
    except ReportError as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    except NotPublished as exc:
        return HttpResponse(str(exc), status=404, content_type="text/plain; charset=utf-8")
    return render(request, "transparency/index.html", context)


@_public
def statistics_json(request: HttpRequest) -> HttpResponse:
    """The published statistics for a period and country, naming the checkpoint they were checked against."""
    period, country, _, _ = _statistics_scope(request)
    try:
        return _json(_published("statistics", period, country))
    except NotPublished as exc:
        return _json({"error": str(exc)}, status=404)


@_public
def statistics_csv(request: HttpRequest) -> HttpResponse:
    """The same statistics as CSV: section, key, measure, value."""
    period, country, _, _ = _statistics_scope(request)
    try:
        doc = _published("statistics", period, country)
    except NotPublished as exc:
        return _json({"error": str(exc)}, status=404)
    response = HttpResponse(statistics.csv_text(doc), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="transparency-{period}-{country or "all"}.csv"'
    return response


@_public
def report_pdf(request: HttpRequest) -> HttpResponse:
    """The report as a printable PDF (WeasyPrint), in the reader's language like the page: rendered
    once per publication and language; the transparency verifier reads its figures in any language
    lawdesk has a catalogue for (``documents.pdf_figures``)."""
    try:
        context = _page_context(request)
    except NotPublished as exc:
        return _json({"error": str(exc)}, status=404)
    pdf = render_pdf(context)
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"transparency-{context['period'] or 'none'}-{context['country'] or 'all'}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@_public
def report_page(request: HttpRequest) -> HttpResponse:
    """One report as a page: totals, outcomes as a bar chart (SVG, no script), kinds by outcome."""
    period, country, query = _scope(request)
    try:
        doc = _published("report", period, country)
    except NotPublished as exc:
        return _json({"error": str(exc)}, status=404)

    counts = doc["counts"]
    outcomes = sorted(counts["by_outcome"])
    top = max(counts["by_outcome"].values(), default=0) or 1
    kinds = dict(KIND_CHOICES)
    bars = [{"label": charts.OUTCOME_LABELS.get(o, o.replace("_", " ")), "value": v,
             "y": 8 + 28 * i, "text_y": 22 + 28 * i, "width": round(280 * v / top),
             "value_x": 156 + round(280 * v / top)}
            for i, (o, v) in enumerate(sorted(counts["by_outcome"].items()))]
    kind_rows = [{"kind": kinds.get(k, k.replace("_", " ")), "values": [per.get(o, 0) for o in outcomes],
                  "total": counts["by_kind"][k]}
                 for k, per in counts["by_kind_and_outcome"].items()]
    verify_url = request.build_absolute_uri(reverse("transparency:report")) + "?" + query
    return render(request, "transparency/report.html", {
        "report": doc, "counts": counts, "bars": bars, "chart_height": 16 + 28 * len(bars),
        "outcomes": [charts.OUTCOME_LABELS.get(o, o.replace("_", " ")) for o in outcomes],
        "kind_rows": kind_rows, "query": query, "verify_url": verify_url,
    })


@_public
def report_csv(request: HttpRequest) -> HttpResponse:
    """One report's counts as CSV: measure, category, value (and the checkpoint it names)."""
    period, country, _ = _scope(request)
    try:
        doc = _published("report", period, country)
    except NotPublished as exc:
        return _json({"error": str(exc)}, status=404)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["measure", "category", "value"])
    writer.writerows(count_rows(doc["counts"]))
    writer.writerow(["checkpoint_size", "", doc["checkpoint"]["size"]])
    writer.writerow(["checkpoint_root_hash", "", doc["checkpoint"]["root_hash"]])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    name = f"transparency-{period}-{country or 'all'}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def eu_file(doc: dict[str, Any], which: str, period: str, fmt: str) -> HttpResponse:
    """An EU reporting template as a download: JSON, CSV or XLSX."""
    response = HttpResponse(eu_publication.render(which, doc, fmt),
                            content_type=eu_publication.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{eu_publication.filename(which, period, fmt)}"'
    return response


@_public
def eu_template(request: HttpRequest, which: str, fmt: str) -> HttpResponse:
    """The "Member States orders" sheet (IR 2024/2835) or the TCO Art. 7 report of a published
    period, computed from the leaves under the checkpoint its figures were verified against."""
    if which not in eu_publication.TEMPLATES or fmt not in eu_publication.FORMATS:
        raise Http404
    period = request.GET.get("period", "")
    statistics.check_scope(period, None)
    doc = eu_publication.published(which, period)
    if doc is None:
        return _json({"error": _not_published(period, None)}, status=404)
    response = eu_file(doc, which, period, fmt)
    response["Access-Control-Allow-Origin"] = "*"
    return response


def render_pdf(context: dict[str, Any]) -> bytes:
    """The printable report of a published period (WeasyPrint), in the active language, rendered
    once per publication and language and kept in the shared cache: a view serves stored bytes."""
    # reason: start-up time: weasyprint loads only when this runs
    from weasyprint import HTML

    doc = context["doc"] or {"checkpoint": None, "published_at": None}  # None: nothing published yet
    key = "transparency-pdf:" + hashlib.sha256(json.dumps(
        [translation.get_language(), context["period"], context["country"], doc["checkpoint"],
         doc["published_at"], context["base_url"],
         # a published period's PDF shows only its own checkpoint: a new one elsewhere keeps it cached
         None if context["doc"] else context["checkpoint"] and context["checkpoint"].size,
         # French PDFs of earlier releases grouped thousands with a comma: not served again
         formats.get_format("THOUSAND_SEPARATOR")],
        sort_keys=True).encode()).hexdigest()
    pdf = cache.get(key)
    if pdf is None:
        html = render_to_string("transparency/report_print.html", context)
        pdf = HTML(string=html, base_url=context["base_url"]).write_pdf()
        cache.set(key, pdf, timeout=None)
    return bytes(pdf)


# --- The officer's log receipt (signed in; never public) ---------------------------------------

@require_perm("portal:case:view")
def receipt(request: AuthedRequest, case_id: int) -> HttpResponse:
    """The closed case's log receipt as JSON, for ``lawdesk transparency verify-receipt``.

    It carries the case reference and the salt that opens the leaf's commitment: only the
    requesting agency's officers (and staff) get it, like the case itself.
    """
    case = get_case_for(request.user, case_id)
    document = services.receipt_for(case.number or "")
    if document is None:
        raise Http404("This request is not under a signed checkpoint of the log yet.")
    record(Action.TRANSPARENCY_RECEIPT_DOWNLOADED, actor=request.user, origin=Origin.from_request(request),
           target=case,
           params={"number": case.number, "leaf_index": document["leaf_index"]})
    body = json.dumps(document, indent=1, sort_keys=True)
    response = HttpResponse(body.encode(), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{case.number}-transparency-receipt.json"'
    return response
