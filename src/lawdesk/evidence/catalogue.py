"""lawdesk's translation catalogue read with Python's own ``gettext`` (no Django imported).

The evidence certificate (``lawdesk.evidence.i18n``) and the officer's command-line tools
(``lawdesk verify``, which must not import Django) read the same compiled catalogue the web
application does: ``lawdesk/locale/<language>/LC_MESSAGES/django.mo`` (``make messages``).
"""

from __future__ import annotations

import gettext as _gettext
import logging
from functools import cache
from pathlib import Path

from lawdesk.core.said import Figure, Message, gettext_noop, say

__all__ = ["LOCALE_DIR", "Catalogue", "Figure", "Message", "available", "catalogue", "environment_catalogue",
           "gettext_noop", "say"]

LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"
log = logging.getLogger(__name__)

Catalogue = _gettext.NullTranslations


@cache
def _catalogue(language: str) -> Catalogue | None:
    if language == "en":
        return _gettext.NullTranslations()  # the strings are English
    try:
        return _gettext.translation("django", localedir=LOCALE_DIR, languages=[language])
    except FileNotFoundError:
        return None


def available(language: str) -> bool:
    """Whether the compiled catalogue of ``language`` is there (``make messages`` builds it)."""
    return _catalogue(language) is not None


def catalogue(language: str) -> Catalogue:
    """The translations of ``language``; English when its catalogue was not compiled (logged)."""
    found = _catalogue(language)
    if found is None:
        log.warning("no compiled catalogue for %r in %s (run make messages): writing English",
                    language, LOCALE_DIR)
        return _gettext.NullTranslations()
    return found


def environment_catalogue() -> Catalogue:
    """The catalogue of the language a command line asks for, as GNU programs read it
    (``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``, ``LANG``: ``LANG=fr_FR.UTF-8`` gives French);
    English when none is set, ``C``, or a language lawdesk has no catalogue for. Only the
    human-readable output follows it: ``--json`` and exit codes never change."""
    return _gettext.translation("django", localedir=LOCALE_DIR, fallback=True)

