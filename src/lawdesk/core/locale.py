"""The viewer's language and time zone: profile first, then browser, then deployment default."""

from __future__ import annotations

import zoneinfo
from functools import cache
from typing import Any

from django.conf import settings

# The zone of an agency's country when its officer has not chosen one (countries with one
# civil time zone on the mainland; others fall back to LAWDESK_TIME_ZONE).
COUNTRY_ZONES = {
    "AT": "Europe/Vienna", "BE": "Europe/Brussels", "BG": "Europe/Sofia", "CH": "Europe/Zurich",
    "CY": "Asia/Nicosia", "CZ": "Europe/Prague", "DE": "Europe/Berlin", "DK": "Europe/Copenhagen",
    "EE": "Europe/Tallinn", "ES": "Europe/Madrid", "FI": "Europe/Helsinki", "FR": "Europe/Paris",
    "GB": "Europe/London", "GR": "Europe/Athens", "HR": "Europe/Zagreb", "HU": "Europe/Budapest",
    "IE": "Europe/Dublin", "IT": "Europe/Rome", "LT": "Europe/Vilnius", "LU": "Europe/Luxembourg",
    "LV": "Europe/Riga", "MT": "Europe/Malta", "NL": "Europe/Amsterdam", "NO": "Europe/Oslo",
    "PL": "Europe/Warsaw", "PT": "Europe/Lisbon", "RO": "Europe/Bucharest",
    "SE": "Europe/Stockholm", "SI": "Europe/Ljubljana", "SK": "Europe/Bratislava",
}


@cache
def available_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def zone_of(user: Any) -> str:
    """The time zone a signed-in user sees times in (an IANA name)."""
    chosen = str(getattr(user, "time_zone", "") or "")
    if chosen in available_zones():
        return chosen
    officer = getattr(user, "officer_or_none", None)
    if officer is not None:
        zone = COUNTRY_ZONES.get(str(officer.agency.country).upper())
        if zone:
            return zone
    return str(settings.LAWDESK_TIME_ZONE)


# The official language lawdesk speaks for a country's authorities (where it has a catalogue).
COUNTRY_LANGUAGES = {"FR": "fr", "BE": "fr", "LU": "fr", "MC": "fr"}


def language_of_country(country: str) -> str:
    """The language of a country's authorities, if lawdesk speaks it; '' otherwise."""
    language = COUNTRY_LANGUAGES.get(str(country).upper(), "")
    return language if language in language_codes() else ""


def mail_language(user: Any) -> str:
    """The language of e-mails to a user: their own (chosen on the preferences page, or the one
    they signed up in), else the deployment's. An e-mail is sent from someone else's request,
    so the language of that request says nothing about its reader."""
    chosen = str(getattr(user, "language", "") or "")
    return chosen if chosen in language_codes() else str(settings.LANGUAGE_CODE)
