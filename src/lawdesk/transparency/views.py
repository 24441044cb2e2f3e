"""Public, anonymous endpoints of the verifiable log, and the reports (JSON, CSV, page).

Nothing here is behind login, and nothing here may carry a case reference, a salt or any
personal data: only leaf data (counted facts and commitments), hashes and signatures.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from lawdesk.core import keys
from lawdesk.transparency import merkle, selectors, services
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


def _public(view: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    """GET only; bad parameters and impossible proofs answer 400 with the reason, as JSON."""

    @require_GET
    def wrapped(request: HttpRequest) -> HttpResponse:
        try:
            return view(request)
        except (BadRequest, merkle.ProofError, ReportError) as exc:
            return _json({"error": str(exc)}, status=400)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _latest_or_404() -> Checkpoint | JsonResponse:
    latest = services.latest_checkpoint()
    if latest is None:
        return _json({"error": "no checkpoint has been published yet"}, status=404)
    return latest


@_public
def checkpoint(request: HttpRequest) -> HttpResponse:
    """The latest signed checkpoint (or the one of ``?size=``), as a C2SP signed note."""
    if request.GET.get("size"):
        found = Checkpoint.objects.filter(size=_int(request, "size")).first()
        if found is None:
            return _json({"error": "no checkpoint of that size was published"}, status=404)
    else:
        latest = _latest_or_404()
        if isinstance(latest, JsonResponse):
            return latest
        found = latest
    response = HttpResponse(found.note_text, content_type="text/plain; charset=utf-8")
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
        "public_key_pem": keys.public_key_pem().decode(),
        "fingerprint": keys.fingerprint(),
    })


@_public
def report(request: HttpRequest) -> HttpResponse:
    """Counts for ``period`` (year or quarter) and ``country`` (optional), naming their checkpoint."""
    period = request.GET.get("period", "")
    country = request.GET.get("country") or None
    latest = _latest_or_404()
    if isinstance(latest, JsonResponse):
        return latest
    return _json(selectors.report_for(period, country, latest))


@_public
def reports(request: HttpRequest) -> HttpResponse:
    """The reports there are: one per year and country with closed cases in the published log."""
    latest = _latest_or_404()
    if isinstance(latest, JsonResponse):
        return latest
    base = reverse("transparency:report")
    return _json({
        "checkpoint": {"size": latest.size, "root_hash": services.b64(bytes.fromhex(latest.root_hash))},
        "reports": [
            {"period": period, "country": country,
             "url": request.build_absolute_uri(f"{base}?{urlencode({'period': period, 'country': country})}")}
            for period, country in selectors.report_scopes(latest)
        ],
    })


# --- Human-readable pages (the same numbers as report.json) -----------------------------------

def _scope(request: HttpRequest) -> tuple[str, str | None, str]:
    period = request.GET.get("period", "")
    country = request.GET.get("country") or None
    query = urlencode({"period": period, **({"country": country} if country else {})})
    return period, country, query


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The public entry page: the signed checkpoint, the key, how to verify, the reports."""
    latest = services.latest_checkpoint()
    reports = []
    if latest is not None:
        reports = [{"period": p, "country": c, "query": urlencode({"period": p, "country": c})}
                   for p, c in selectors.report_scopes(latest)]
    return render(request, "transparency/index.html", {
        "checkpoint": latest,
        "root_b64": services.b64(bytes.fromhex(latest.root_hash)) if latest else "",
        "origin": services.origin(),
        "verifier_key": services.verifier().encode(),
        "fingerprint": keys.fingerprint(),
        "base_url": request.build_absolute_uri(reverse("transparency:index")),
        "reports": reports,
    })


@_public
def report_page(request: HttpRequest) -> HttpResponse:
    """One report as a page: totals, outcomes as a bar chart (SVG, no script), kinds by outcome."""
    period, country, query = _scope(request)
    latest = _latest_or_404()
    if isinstance(latest, JsonResponse):
        return latest
    doc = selectors.report_for(period, country, latest)
    counts = doc["counts"]
    outcomes = sorted(counts["by_outcome"])
    top = max(counts["by_outcome"].values(), default=0) or 1
    bars = [{"label": o, "value": v, "y": 8 + 28 * i, "text_y": 22 + 28 * i,
             "width": round(280 * v / top), "value_x": 156 + round(280 * v / top)}
            for i, (o, v) in enumerate(sorted(counts["by_outcome"].items()))]
    kind_rows = [{"kind": k, "values": [per.get(o, 0) for o in outcomes], "total": counts["by_kind"][k]}
                 for k, per in counts["by_kind_and_outcome"].items()]
    verify_url = request.build_absolute_uri(reverse("transparency:report")) + "?" + query
    return render(request, "transparency/report.html", {
        "report": doc, "counts": counts, "bars": bars, "chart_height": 16 + 28 * len(bars),
        "outcomes": outcomes, "kind_rows": kind_rows, "query": query, "verify_url": verify_url,
    })


@_public
def report_csv(request: HttpRequest) -> HttpResponse:
    """One report's counts as CSV: measure, category, value (and the checkpoint it names)."""
    period, country, _ = _scope(request)
    latest = _latest_or_404()
    if isinstance(latest, JsonResponse):
        return latest
    doc = selectors.report_for(period, country, latest)
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
