"""Template helpers: human durations for legal clocks, labels for codes."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django import template
from django.utils.translation import gettext_noop

from lawdesk.law.decision import CategoryResult, Reason

register = template.Library()


@register.filter
def duration(value: timedelta | None) -> str:
    """'2 d 4 h', '3 h 10 min', '12 min' — or 'overdue by …' when negative."""
    if value is None:
        return ""
    from django.utils.translation import gettext

    seconds = int(value.total_seconds())
    overdue = seconds < 0
    seconds = abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        text = gettext("%(d)s d %(h)s h") % {"d": days, "h": hours}
    elif hours:
        text = gettext("%(h)s h %(m)s min") % {"h": hours, "m": minutes}
    else:
        text = gettext("%(m)s min") % {"m": minutes}
    return gettext("overdue by %(time)s") % {"time": text} if overdue else text


@register.filter
def label(value: str) -> str:
    """Turn a code such as ``needs_further_process`` into 'Needs further process'."""
    words = str(value).split("_")
    words = [_ACRONYMS.get(w, w) for w in words]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


_ACRONYMS = {"sha256": "SHA-256", "sha512": "SHA-512",
             "ncmec": "NCMEC", "dsa": "DSA", "ip": "IP", "epoc": "EPOC", "tco": "TCO",
             "us": "US", "eu": "EU", "mla": "MLA", "iii": "III"}


@register.filter
def get(mapping: dict[str, Any], key: str) -> Any:
    """Look up ``key`` in a dict from a template."""
    return mapping.get(key) if isinstance(mapping, dict) else None


REGIME_NAMES = {
    "eu_eevidence": gettext_noop("EU e-Evidence Regulation"),
    "eu_dsa": gettext_noop("EU Digital Services Act"),
    "eu_tco": gettext_noop("EU Terrorist Content Online Regulation"),
    "us_sca": gettext_noop("US Stored Communications Act"),
    "fr": gettext_noop("France, Code de procédure pénale"),
    "mla": gettext_noop("Mutual legal assistance"),
    "non_criminal": gettext_noop("Intelligence, civil and administrative requests"),
    "platform_policy": gettext_noop("Platform policy"),
    "routing": gettext_noop("Routing"),
}


@register.filter
def regime(value: str) -> str:
    """The full name of a legal regime code."""
    from django.utils.translation import gettext

    name = REGIME_NAMES.get(str(value))
    return gettext(name) if name else label(value)


@register.filter
def deadline_basis(case: Any) -> str:
    """The legal basis of a case's deadline in words (never ``eu_eevidence: …``)."""
    from lawdesk.core.plain import deadline_basis as basis

    return basis(case)


@register.filter
def labels(values: Any) -> str:
    """A list of codes as words: ``phone_number, ip_address`` → 'phone number, IP address'."""
    if not values:
        return ""
    return ", ".join(label(v).lower() if not any(a in str(v).split("_") for a in _ACRONYMS)
                     else label(v) for v in values)


@register.filter
def action_label(action: str) -> str:
    """An audit action such as ``cases:law:overridden`` as words: 'Law overridden'."""
    parts = [p for p in str(action).split(":") if p]
    words = " ".join(p.replace("_", " ") for p in (parts[1:] if len(parts) > 1 else parts))
    return words[:1].upper() + words[1:]


_CODE = re.compile(r"[a-z]+(?:_[a-z0-9]+)+")


def _value_text(value: Any) -> str:
    from django.utils.translation import gettext as _

    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dict):
        return "; ".join(f"{label(k).lower()}: {_value_text(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_value_text(v) for v in value) if value else "—"
    if isinstance(value, str) and _CODE.fullmatch(value):
        return label(value).lower()  # a code such as needs_further_process
    return str(value)


@register.filter
def details(params: Any) -> list[tuple[str, str]]:
    """An audit event's parameters as (label, text) pairs, never a Python dict."""
    if not isinstance(params, dict):
        return [] if params in (None, "", {}) else [("", _value_text(params))]
    return [(label(k), _value_text(v)) for k, v in params.items()]


@register.filter
def reason_text(reason: Reason, result: CategoryResult | None = None) -> str:
    """A legal reason's explanation; a reviewer's override said in words, from its record."""
    from django.utils.translation import gettext as _

    from lawdesk.law.override import OVERRIDE_RULE_ID

    override = result.override if result is not None else None
    if reason.rule == OVERRIDE_RULE_ID and override is not None:
        return _("%(who)s changed the outcome from “%(old)s” to “%(new)s”: %(why)s") % {
            "who": override.reviewer, "old": label(override.previous_outcome),
            "new": label(override.outcome), "why": override.reason}
    return reason.explanation


@register.filter
def target_label(event: Any) -> str:
    """What an audit event is about, as words: 'case 958', 'user 4' (not ``cases.case``)."""
    kind = str(getattr(event, "target_type", "") or "")
    if not kind:
        return ""
    return f"{kind.rsplit('.', 1)[-1].replace('_', ' ')} {getattr(event, 'target_id', '')}".strip()


@register.filter
def when(value: Any, precision: str = "minutes") -> str:
    """A stored (UTC) moment in the viewer's time zone, with the zone named:
    '2026-11-30 23:15 Europe/Paris' (English), '30/11/2026 23:15 Europe/Paris' (French).
    ``precision`` 'seconds' adds the seconds."""
    from django.utils import timezone
    from django.utils.dateformat import format as date_format
    from django.utils.translation import pgettext

    if not value:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    pattern = (pgettext("date and time with seconds", "Y-m-d H:i:s") if precision == "seconds"
               else pgettext("date and time", "Y-m-d H:i"))
    zone = timezone.get_current_timezone_name()
    return f"{date_format(local, pattern)} {zone}"


@register.filter
def day(value: Any) -> str:
    """A calendar date in the page's language: '2026-11-30' (English), '30/11/2026' (French)."""
    from django.utils.dateformat import format as date_format
    from django.utils.translation import pgettext

    if not value:
        return ""
    return date_format(value, pgettext("date", "Y-m-d"))
