"""Collection's part of the case pages: the delivery and hold sections, and the two
user-notice actions, registered with ``cases.extensions`` (cases never imports collection)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.utils.translation import ngettext

from lawdesk.cases.extensions import DeskAction, Panel, register_action, register_panel
from lawdesk.cases.models import Case
from lawdesk.collection import notices
from lawdesk.collection.models import CollectionJob, EvidencePackage
from lawdesk.collection.services import active_link
from lawdesk.core.origin import Origin


class NondisclosureForm(forms.Form):
    until = forms.DateField(label="Order now ends", widget=forms.DateInput(attrs={"type": "date"}))
    reference = forms.CharField(max_length=100, label="Reference of the extension order")


def _job(case: Case) -> CollectionJob | None:
    return CollectionJob.objects.filter(case=case).first()


def desk_delivery(case: Case, now: datetime) -> Panel:
    """Collection progress, the package and its links, holds and user notices."""
    return Panel("collection/_desk_case.html", {
        "collection": _job(case),
        "package": EvidencePackage.objects.filter(case=case).first(),
        "holds": case.holds.all(), "notices": case.notices.all(),
    })


def portal_delivery(case: Case, now: datetime) -> Panel:
    """The evidence package the requester can download, or the collection's progress."""
    link = active_link(case)
    return Panel("collection/_portal_case.html", {
        "link": link, "package": link.package if link else None,
        "link_live": link is not None and link.expires_at > now,
        "collection": _job(case),
    })


def _notify_now(*, case: Case, data: dict[str, Any], actor: Any, now: datetime,
                origin: Origin | None) -> str:
    sent = notices.notify_now(case=case, actor=actor, now=now)
    return ngettext("%(n)d notice sent to the account holders.",
                    "%(n)d notices sent to the account holders.", sent) % {"n": sent}


def _extend_nondisclosure(*, case: Case, data: dict[str, Any], actor: Any, now: datetime,
                          origin: Origin | None) -> str:
    notices.extend_nondisclosure(case=case, actor=actor, now=now, until=data["until"],
                                 reference=data["reference"])
    return "Extension recorded; the notices stay deferred."


def register() -> None:
    """Called once from ``CollectionConfig.ready``."""
    register_panel("desk", desk_delivery)
    register_panel("portal", portal_delivery)
    register_action(DeskAction("notify_now", _notify_now))
    register_action(DeskAction("nondisclosure", _extend_nondisclosure, NondisclosureForm, "nd"))
