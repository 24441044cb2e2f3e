"""Plain-language labels for the codes the models and the rule engine store.

Pages and PDFs show these, never the codes (``eu_eevidence``, ``needs_further_process``…).
Nothing here knows the rule engine's types: a case's deadline in words is
``cases.legal_clock.deadline_basis``, a legal reason in words the ``reason_text`` filter of
``case_tags``.
"""

from __future__ import annotations

from django.utils.translation import gettext, gettext_noop

ACRONYMS = {"sha256": "SHA-256", "sha512": "SHA-512",
            "ncmec": "NCMEC", "dsa": "DSA", "ip": "IP", "epoc": "EPOC", "tco": "TCO",
            "us": "US", "eu": "EU", "mla": "MLA", "iii": "III"}

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


def label(value: str) -> str:
    """Turn a code such as ``needs_further_process`` into 'Needs further process'."""
    words = str(value).split("_")
    words = [ACRONYMS.get(w, w) for w in words]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def regime_label(code: str) -> str:
    """A body of rules as a person names it: the full name of a legal regime code."""
    name = REGIME_NAMES.get(str(code))
    return gettext(name) if name else label(code)
