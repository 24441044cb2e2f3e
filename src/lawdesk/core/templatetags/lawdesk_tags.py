"""Template helpers: human durations, labels for codes, audit parameters and times in words.

The filters that need the rule engine's types (a deadline's basis, a legal reason) are in
``cases/templatetags/case_tags.py``: ``core`` does not import ``law``.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django import template
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext, pgettext

from lawdesk.core import plain
from lawdesk.core.plain import ACRONYMS as _ACRONYMS

register = template.Library()


@register.filter
def duration(value: timedelta | None) -> str:
    """'2 d 4 h', '3 h 10 min', '12 min' — or 'overdue by …' when negative."""
    if value is None:
        return ""
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
def get(mapping: dict[str, Any], key: str) -> Any:
    """Look up ``key`` in a dict from a template."""
    return mapping.get(key) if isinstance(mapping, dict) else None


label = register.filter("label", plain.label)
regime = register.filter("regime", plain.regime_label)


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
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
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
    if not value:
        return ""
    return date_format(value, pgettext("date", "Y-m-d"))
