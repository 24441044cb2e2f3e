"""TCO Art. 11: the content provider is told why their content was removed or disabled.

Unless the issuing authority asked the platform not to (Art. 11(3), for public security: six
weeks, extendable once by six weeks), each sender whose content was acted on gets one notice
on the platform naming the URLs, the order, the measure and the redress. A deferred notice is
sent by the worker's clock loop once its date has come (never later than twelve weeks after
the order was received, the most Art. 11(3) allows).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from lawdesk.audit.actions import Action
from lawdesk.audit.services import record
from lawdesk.cases.models import Case
from lawdesk.platform.actions import PlatformActions
from lawdesk.removal.models import RemovalItem, StatementOfReasons
from lawdesk.removal.tdb.statements import uploader_text

SIX_WEEKS = timedelta(weeks=6)


def notice_due(case: Case, effect_at: datetime) -> datetime:
    """When the content provider may be informed of a measure taken at ``effect_at``."""
    if not case.nondisclosure_order:
        return effect_at
    longest = case.received_at + 2 * SIX_WEEKS
    if case.nondisclosure_until is not None:
        asked = datetime.combine(case.nondisclosure_until, time.min, tzinfo=case.received_at.tzinfo)
        return min(max(asked, effect_at), longest)
    return max(case.received_at + SIX_WEEKS, effect_at)


def _text(case: Case, items: list[RemovalItem]) -> str:
    if case.instrument_type == "dsa_art9_order":
        return _art9_text(case, items)
    with translation.override(settings.LANGUAGE_CODE):
        facts = {"authority": case.agency.name, "country": case.agency.country,
                 "reference": case.instrument_reference,
                 "urls": "\n".join(f"- {i.location} ({i.get_measure_display().lower()}, "
                                   f"{i.effect_at:%Y-%m-%d %H:%M} UTC)" for i in items)}
        return _("Your content below was removed or access to it disabled following a removal "
                 "order under Regulation (EU) 2021/784 (terrorist content online) issued by "
                 "%(authority)s (%(country)s), reference %(reference)s:\n%(urls)s\n"
                 "You may ask us for the reasons and a copy of the order. You may challenge the "
                 "order before the courts of the issuing member state (Art. 9) and complain to "
                 "us (Art. 10); if the order is quashed or the complaint upheld, the content is "
                 "reinstated.") % facts + _statements(items)


def _art9_text(case: Case, items: list[RemovalItem]) -> str:
    """DSA Art. 9(5): the order received, the effect given, its territorial scope, the statement
    of reasons and the redress."""
    with translation.override(settings.LANGUAGE_CODE):
        lines = []
        for i in items:
            where = ", ".join(i.countries) if i.countries else _("everywhere")
            lines.append(f"- {i.location} ({i.get_measure_display().lower()}: {where}, "
                         f"{i.effect_at:%Y-%m-%d %H:%M} UTC)")
        facts = {"authority": case.agency.name, "country": case.agency.country,
                 "reference": case.instrument_reference, "urls": "\n".join(lines)}
        return _("We received an order to act against illegal content under Regulation (EU) "
                 "2022/2065 (Digital Services Act), Art. 9, issued by %(authority)s (%(country)s), "
                 "reference %(reference)s, and gave effect to it as follows:\n%(urls)s\n"
                 "You may challenge the order before the courts of the issuing member state, use "
                 "our internal complaint-handling system and, where available, an out-of-court "
                 "dispute settlement body; if the order is quashed the content is reinstated.") % facts \
            + _statements(items)


def _statements(items: list[RemovalItem]) -> str:
    """The statement of reasons of each item (DSA Art. 17), recorded when the measure was taken."""
    found = (StatementOfReasons.objects.filter(item__in=items).select_related("item")
             .order_by("item__position"))
    return "".join("\n\n" + uploader_text(s) for s in found)


def inform(case: Case, now: datetime) -> int:
    """Send the notices now due for this case (idempotent); returns how many senders."""
    due = [i for i in case.removal_items.all()
           if i.effect_at and i.sender_id is not None and i.uploader_informed_at is None
           and i.restored_at is None and i.uploader_notice_due and i.uploader_notice_due <= now]
    senders: dict[int, list[RemovalItem]] = {}
    for item in due:
        senders.setdefault(int(item.sender_id or 0), []).append(item)
    actions = PlatformActions(settings.LAWDESK_PLATFORM_DIR)
    for sender, items in sorted(senders.items()):
        actions.notify(f"{case.number or case.pk}/art11", sender, _text(case, items), now)
        with transaction.atomic():
            RemovalItem.objects.filter(pk__in=[i.pk for i in items]).update(uploader_informed_at=now)
            record(Action.REMOVAL_UPLOADER_INFORMED, actor=None, target=case, now=now,
                   params={"number": case.number, "account": sender,
                           "urls": [i.location for i in items]})
    return len(senders)


def inform_due(*, now: datetime) -> int:
    """Every deferred notice whose date has come (run by the worker's clock loop)."""
    cases = Case.objects.filter(
        pk__in=RemovalItem.objects.filter(uploader_informed_at__isnull=True,
                                          uploader_notice_due__lte=now,
                                          restored_at__isnull=True).values("case_id"))
    return sum(inform(case, now) for case in cases)
