"""Template helpers: human durations for legal clocks, labels for codes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import template

register = template.Library()


@register.filter
def duration(value: timedelta | None) -> str:
    """'2 d 4 h', '3 h 10 min', '12 min' — or 'overdue by …' when negative."""
    if value is None:
        return ""
    seconds = int(value.total_seconds())
    prefix = "overdue by " if seconds < 0 else ""
    seconds = abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        text = f"{days} d {hours} h"
    elif hours:
        text = f"{hours} h {minutes} min"
    else:
        text = f"{minutes} min"
    return prefix + text


@register.filter
def label(value: str) -> str:
    """Turn a code such as ``needs_further_process`` into 'Needs further process'."""
    words = str(value).split("_")
    words = [_ACRONYMS.get(w, w) for w in words]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


_ACRONYMS = {"ncmec": "NCMEC", "dsa": "DSA", "ip": "IP", "epoc": "EPOC", "tco": "TCO",
             "us": "US", "eu": "EU", "mla": "MLA", "iii": "III"}


@register.filter
def get(mapping: dict[str, Any], key: str) -> Any:
    """Look up ``key`` in a dict from a template."""
    return mapping.get(key) if isinstance(mapping, dict) else None


REGIME_NAMES = {
    "eu_eevidence": "EU e-Evidence Regulation",
    "eu_dsa": "EU Digital Services Act",
    "eu_tco": "EU Terrorist Content Online Regulation",
    "us_sca": "US Stored Communications Act",
    "fr": "France, Code de procédure pénale",
    "mla": "Mutual legal assistance",
    "non_criminal": "Intelligence, civil and administrative requests",
    "platform_policy": "Platform policy",
    "routing": "Routing",
}


@register.filter
def regime(value: str) -> str:
    """The full name of a legal regime code."""
    return REGIME_NAMES.get(str(value), label(value))


@register.filter
def deadline_basis(case: Any) -> str:
    """The legal basis of a case's deadline in words (never ``eu_eevidence: …``)."""
    from lawdesk.core.plain import deadline_basis as basis

    return basis(case)
