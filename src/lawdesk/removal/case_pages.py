"""Removal's part of the case pages (registered with ``cases.extensions``)."""

from __future__ import annotations

from datetime import datetime

from lawdesk.cases.extensions import Panel, register_panel
from lawdesk.cases.models import Case
from lawdesk.law.vocabulary import RequestKind


def desk_panel(case: Case, now: datetime) -> Panel | None:
    if case.kind != RequestKind.REMOVAL:
        return None
    items = list(case.removal_items.all())
    return Panel("removal/_desk_case.html", {
        "total": len(items), "done": sum(1 for i in items if i.effect_at)})


def portal_panel(case: Case, now: datetime) -> Panel | None:
    if case.kind != RequestKind.REMOVAL:
        return None
    items = list(case.removal_items.all())
    if not items:
        return None
    return Panel("removal/_portal_case.html", {
        "items": items, "any_done": any(i.effect_at for i in items),
        "art9_report": case.instrument_type == "dsa_art9_order" and case.effect_reports.exists(),
        "annex_iii": case.impossibilities.exists()})


def register() -> None:
    """Called once from ``RemovalConfig.ready``."""
    register_panel("desk", desk_panel)
    register_panel("portal", portal_panel)
