"""Legal citations in the language of the page, from the rule definitions' own text."""

from __future__ import annotations

import pytest

from lawdesk.core.citations import cite
from lawdesk.law.registry import all_rules
from lawdesk.law.version import ruleset_version


@pytest.mark.parametrize(("source", "french", "english"), [
    ("Reg. (EU) 2023/1543 Art. 4(1)", "Règlement (UE) 2023/1543, art. 4, § 1",
     "Regulation (EU) 2023/1543, Art. 4(1)"),
    ("Code de procédure pénale art. 60-1", "CPP, art. 60-1", "Code de procédure pénale art. 60-1"),
    ("Code de procédure pénale art. 60-1-2 3°", "CPP, art. 60-1-2, 3°",
     "Code de procédure pénale art. 60-1-2 3°"),
    ("Reg. (EU) 2022/2065 Art. 10(2)(a)(i)", "Règlement (UE) 2022/2065, art. 10, § 2, a), i)",
     "Regulation (EU) 2022/2065, Art. 10(2)(a)(i)"),
    ("Reg. (EU) 2023/1543 Art. 10(2)-(3)", "Règlement (UE) 2023/1543, art. 10, § 2 à 3",
     "Regulation (EU) 2023/1543, Art. 10(2)-(3)"),
    ("Reg. (EU) 2023/1543 Art. 10(7), Annex III", "Règlement (UE) 2023/1543, art. 10, § 7, annexe III",
     "Regulation (EU) 2023/1543, Art. 10(7), Annex III"),
    ("Protocol No 22 on the position of Denmark; Directive 2014/41/EU",
     "Protocole n° 22 sur la position du Danemark; Directive 2014/41/UE",
     "Protocol No 22 on the position of Denmark; Directive 2014/41/EU"),
    ("lawdesk deployment setting (no statutory period)",
     "paramètre de déploiement de lawdesk (aucun délai légal)",
     "lawdesk deployment setting (no statutory period)"),
    ("18 U.S.C. 2703(f)(2)", "18 U.S.C. 2703(f)(2)", "18 U.S.C. 2703(f)(2)"),
    # the words around the acts are translated where they occur; a range reads "à"
    ("mutual legal assistance treaties; 18 U.S.C. 2523 (CLOUD Act agreements)",
     "traités d'entraide judiciaire; 18 U.S.C. 2523 (accords CLOUD Act)",
     "mutual legal assistance treaties; 18 U.S.C. 2523 (CLOUD Act agreements)"),
    ("Code de procédure pénale art. 56-1 to 56-3, 60-1 al. 3, 60-1-1; loi du 29 juillet 1881 art. 2",
     "CPP, art. 56-1 à 56-3, 60-1, al. 3, 60-1-1; loi du 29 juillet 1881, art. 2",
     "Code de procédure pénale art. 56-1 to 56-3, 60-1 al. 3, 60-1-1; "
     "loi du 29 juillet 1881 art. 2"),
])
def test_a_citation_is_written_in_the_conventions_of_each_language(source, french, english):
    assert cite(source, "fr") == french
    assert cite(source, "en") == english


def test_every_deadline_citation_of_the_rules_reads_as_french():
    """No deadline basis an officer reads keeps the English 'Art.', 'Reg.' or 'Annex'."""
    articles = {rule.definition().get("article", "") for rule in all_rules()}
    articles.discard("")
    assert articles
    for article in articles:
        french = cite(str(article), "fr")
        for english in ("Reg. (EU)", "Art. ", "Annex ", "recital "):
            assert english not in french, (article, french)


def test_no_english_words_around_the_acts_in_a_french_citation():
    """The French pages (docs/law/fr, the desk) show no English prose in a citation; US and
    other foreign acts keep their own names."""
    english = ("the ", " of ", "treaties", "agreements", "policy", "design", " to ", "(e.g.")
    for article in {rule.article for rule in all_rules()}:
        french = cite(article, "fr")
        if "US-UK Agreement" in article:
            continue
        assert not any(word in french for word in english), (article, french)


def test_citations_leave_the_hashed_rule_set_as_it_was():
    before = ruleset_version()
    cite("Reg. (EU) 2023/1543 Art. 4(1)", "fr")
    ruleset_version.cache_clear()
    assert ruleset_version() == before
