"""``{% log_receipt case as counted %}``: the inclusion proof of a closed case, for its officer."""

from __future__ import annotations

from typing import Any

from django import template

from lawdesk.transparency.leaves import decode_leaf
from lawdesk.transparency.report import band_text
from lawdesk.transparency.services import receipt_for

register = template.Library()


@register.filter
def figure(value: Any) -> str:
    """A published figure: ``1,386``, a band (1 to 9) for a small count, or a dash for none."""
    return "\u2014" if value is None else band_text(value)


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
