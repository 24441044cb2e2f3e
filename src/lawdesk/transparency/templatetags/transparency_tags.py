"""``{% log_receipt case as counted %}``: the inclusion proof of a closed case, for its officer."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.formats import number_format

from lawdesk.transparency.leaves import decode_leaf
from lawdesk.transparency.report import band_bounds
from lawdesk.transparency.services import receipt_for

register = template.Library()


@register.filter
def figure(value: Any) -> str:
    """A published figure as the reader's language groups it (``1,386``; French ``1 386`` with a
    narrow no-break space), a band (1 to 9) for a small count, or a dash for none. Also inside
    ``{% localize off %}``: a chart's labels are read, its coordinates are not."""
    if value is None:
        return "\u2014"
    bounds = band_bounds(value)
    if bounds is None:
        return str(value)
    low, high = (number_format(n, use_l10n=True, force_grouping=True) for n in bounds)
    return low if bounds[0] == bounds[1] else f"{low}\u2013{high}"


@register.simple_tag
def log_receipt(case: Any) -> dict[str, Any] | None:
    """The case's log receipt (leaf, salt, checkpoint, inclusion proof) once a checkpoint covers it."""
    if not getattr(case, "number", None) or case.closed_at is None:
        return None
    receipt = receipt_for(case.number)
    if receipt is None:
        return None
    return {**receipt, "tree_size": int(receipt["checkpoint"].split("\n")[1]),
            "facts": decode_leaf(receipt["leaf"])}
