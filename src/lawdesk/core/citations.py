"""Legal citations in the language of the page, from the rule definitions' own text.

The rule definitions (``lawdesk.law``) cite the law once, in a fixed English form —
``Reg. (EU) 2023/1543 Art. 4(1)``, ``Code de procédure pénale art. 60-1`` — and that text is
part of the rule-set hash, so it never changes for the sake of a page. This module reads a
citation into its parts (the act, then each article with its paragraph, point and sub-point)
and writes it back in the conventions of a language:

- English: ``Regulation (EU) 2023/1543, Art. 4(1)``;
- French: ``Règlement (UE) 2023/1543, art. 4, § 1``, ``CPP, art. 60-1``.

Words that are not citations (``lawdesk deployment setting``) go through gettext.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext, gettext_noop


@dataclass(frozen=True)
class Act:
    """How one act is named in each language (the key is how the rule definitions write it)."""

    en: str
    fr: str


# The acts as the rule definitions write them; longest first when matching.
ACTS: dict[str, Act] = {
    "Code de procédure pénale": Act("Code de procédure pénale (CPP)", "CPP"),
    "Code de la sécurité intérieure": Act("Code de la sécurité intérieure",
                                          "Code de la sécurité intérieure"),
    "loi du 29 juillet 1881": Act("loi du 29 juillet 1881", "loi du 29 juillet 1881"),
    "Reg. (EU) 2016/679 (GDPR)": Act("Regulation (EU) 2016/679 (GDPR)",
                                     "Règlement (UE) 2016/679 (RGPD)"),
    "Protocol No 22 on the position of Denmark": Act(
        "Protocol No 22 on the position of Denmark", "Protocole n° 22 sur la position du Danemark"),
    "Vienna Convention on Diplomatic Relations": Act(
        "Vienna Convention on Diplomatic Relations",
        "Convention de Vienne sur les relations diplomatiques"),
}
_REG = re.compile(r"\b(Reg\.|Regulation|Directive) \((EU)\) (\d{4}/\d+)")
_DIRECTIVE_OLD = re.compile(r"\bDirective (\d{4}/\d+)/EU\b")
# "Art. 10(2)(a)(i)", "Art. 10(1)-(2)", "Art. 9-10", "art. 60-1-2 3°", "art. 60-1 al. 3"
_ARTICLE = re.compile(
    r"\b[Aa]rt\. (?P<num>\d+(?:-\d+)*)"
    r"(?P<parts>(?:\(\d+\)(?:-\(\d+\))?)?(?:\([a-z]\))?(?:\([ivx]+\))?)")
_PARTS = re.compile(r"\((\d+)\)(?:-\((\d+)\))?(?:\(([a-z])\))?(?:\(([ivx]+)\))?")
_PHRASES = {
    "lawdesk deployment setting (no statutory period)":
        gettext_noop("lawdesk deployment setting (no statutory period)"),
    "mutual legal assistance treaties": gettext_noop("mutual legal assistance treaties"),
    # the rule definitions' words around the acts cited (translated where they occur)
    "national criminal procedure of the establishment's member state":
        gettext_noop("national criminal procedure of the establishment's member state"),
    "(CLOUD Act agreements)": gettext_noop("(CLOUD Act agreements)"),
    "national intelligence law of the establishment's state (e.g.":
        gettext_noop("national intelligence law of the establishment's state (e.g."),
    "national law of the establishment's state (administrative or civil rights of communication)":
        gettext_noop("national law of the establishment's state "
                     "(administrative or civil rights of communication)"),
    "platform policy, as published": gettext_noop("platform policy, as published"),
    "platform design: end-to-end encryption without provider keys":
        gettext_noop("platform design: end-to-end encryption without provider keys"),
    "the order's regime: refusing a binding order needs a ground (e.g.":
        gettext_noop("the order's regime: refusing a binding order needs a ground (e.g."),
    "the privileges and immunities of the law that governs the request (e.g.":
        gettext_noop("the privileges and immunities of the law that governs the request (e.g."),
}


def _french_article(match: re.Match[str]) -> str:
    text = f"art. {match.group('num')}"
    parts = _PARTS.fullmatch(match.group("parts") or "")
    if parts:
        paragraph, until, point, sub = parts.groups()
        text += f", § {paragraph}" + (f" à {until}" if until else "")
        if point:
            text += f", {point})"
        if sub:
            text += f", {sub})"
    return text


def _french(citation: str) -> str:
    text = citation
    for source, act in sorted(ACTS.items(), key=lambda item: -len(item[0])):
        text = re.sub(re.escape(source) + r"(?= [Aa]rt\.)", act.fr + ",", text)
        text = text.replace(source, act.fr)
    text = _REG.sub(lambda m: ("Règlement" if m.group(1) != "Directive" else "Directive")
                    + f" (UE) {m.group(3)}", text)
    text = _DIRECTIVE_OLD.sub(r"Directive \1/UE", text)
    text = re.sub(r"((?:Règlement|Directive) \(UE\) \d{4}/\d+) (?=art\.|Art\.)", r"\1, ", text)
    text = _ARTICLE.sub(_french_article, text)
    text = re.sub(r"\bAnnex ([IVX]+)\b", r"annexe \1", text)
    text = re.sub(r"\brecital (\d+)\b", r"considérant \1", text)
    text = re.sub(r"\bsection ([A-Z])\b", r"section \1", text)
    text = re.sub(r" al\. (\d+)", r", al. \1", text)
    text = re.sub(r"(\d) to (\d)", r"\1 à \2", text)  # CPP art. 56-1 à 56-3
    return re.sub(r"(\d) (\d+°)", r"\1, \2", text)  # CPP art. 60-1-2, 3°


def _english(citation: str) -> str:
    text = citation
    for source, act in ACTS.items():
        if act.en.startswith(source):
            continue
        text = text.replace(source, act.en)
    text = _REG.sub(lambda m: ("Regulation" if m.group(1) != "Directive" else "Directive")
                    + f" (EU) {m.group(3)}", text)
    return re.sub(r"((?:Regulation|Directive) \(EU\) \d{4}/\d+) (?=Art\.)", r"\1, ", text)


def cite(citation: str, language: str | None = None) -> str:
    """A citation from a rule definition, written for ``language`` (default: the page's)."""
    if not citation:
        return ""
    language = (language or translation.get_language() or "en").split("-")[0]
    if citation in _PHRASES:
        with translation.override(language):
            return gettext(_PHRASES[citation])
    if language != "fr":
        return _english(citation)
    with translation.override(language):  # the words around the acts, in the page's language
        for source in sorted(_PHRASES, key=len, reverse=True):
            if source in citation:
                citation = citation.replace(source, gettext(_PHRASES[source]))
    return _french(citation)
