"""``{% log_receipt case as counted %}``: the inclusion proof of a closed case, for its officer."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag
def log_receipt(case: Any) -> dict[str, Any] | None:
    """The case's log receipt (leaf, salt, checkpoint, inclusion proof) once a checkpoint covers it."""
    from lawdesk.transparency.leaves import decode_leaf
    from lawdesk.transparency.services import receipt_for

    if not getattr(case, "number", None) or case.closed_at is None:
        return None
    receipt = receipt_for(case.number)
    if receipt is None:
        return None
    return {**receipt, "tree_size": int(receipt["checkpoint"].split("\n")[1]),
            "facts": decode_leaf(receipt["leaf"])}
