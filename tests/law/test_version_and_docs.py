"""The ruleset version follows the rules; the committed docs follow the generator."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from lawdesk.core.citations import cite
from lawdesk.law import engine, french
from lawdesk.law.docs import missing_french, render_pages, stale_pages
from lawdesk.law.registry import REGIMES, all_rules
from lawdesk.law.rules import CategoryRule
from lawdesk.law.version import RULESET_RELEASE, rules_fingerprint, ruleset_version
from lawdesk.law.vocabulary import Outcome, Regime

DOCS = Path(__file__).resolve().parents[2] / "docs" / "law"


def test_version_is_release_plus_hash() -> None:
    assert re.fullmatch(re.escape(RULESET_RELEASE) + r"\+[0-9a-f]{12}", ruleset_version())


def test_changing_a_rules_explanation_changes_the_hash() -> None:
    rules = list(all_rules())
    changed = [replace(rules[0], explanation=rules[0].explanation + " "), *rules[1:]]
    assert rules_fingerprint(rules) != rules_fingerprint(changed)


def test_changing_a_rules_outcome_changes_the_hash() -> None:
    rules = list(all_rules())
    i = next(i for i, r in enumerate(rules) if isinstance(r, CategoryRule))
    rule = rules[i]
    assert isinstance(rule, CategoryRule)
    changed = [*rules[:i], replace(rule, outcome=Outcome.NOT_ALLOWED), *rules[i + 1 :]]
    assert rules_fingerprint(rules) != rules_fingerprint(changed)


def test_changing_a_predicate_changes_the_hash() -> None:
    rules = list(all_rules())
    changed = [replace(rules[0], when=lambda ctx: False), *rules[1:]]
    assert rules_fingerprint(rules) != rules_fingerprint(changed)


def test_engine_source_is_part_of_the_version() -> None:
    rules = list(all_rules())
    assert rules_fingerprint(rules) != rules_fingerprint(rules, [engine])


def test_rule_ids_are_unique_and_namespaced() -> None:
    ids = [r.id for r in all_rules()]
    assert len(ids) == len(set(ids))
    prefixes = {
        Regime.ROUTING: "routing.", Regime.EU_EEVIDENCE: "eevidence.", Regime.EU_DSA: "dsa.",
        Regime.EU_TCO: "tco.", Regime.US_SCA: "sca.", Regime.FR: "fr.", Regime.MLA: "mla.",
        Regime.NON_CRIMINAL: "noncriminal.", Regime.PLATFORM_POLICY: "policy.",
    }
    for spec in REGIMES.values():
        for rule in spec.rules():
            assert rule.regime is spec.regime
            assert rule.id.startswith(prefixes[spec.regime]), rule.id


def test_every_regime_has_a_page_listing_every_rule_with_its_article() -> None:
    pages = render_pages()
    for spec in REGIMES.values():
        page = pages[f"{spec.regime.value}.md"]
        for rule in spec.rules():
            assert f"`{rule.id}`" in page
            assert rule.article.replace("|", "\\|") in page


def _cite_french(citation: str) -> str:
    return cite(citation, "fr")


def test_committed_docs_match_the_generator() -> None:
    stale = stale_pages(DOCS, _cite_french)
    assert not stale, f"regenerate with `lawdesk law docs --out docs/law`: {stale}"


def test_the_english_and_french_docs_have_the_same_pages_and_link_each_other() -> None:
    pages = render_pages(_cite_french)
    english = {name for name in pages if not name.startswith("fr/")}
    assert {f"fr/{name}" for name in english} == set(pages) - english
    assert "[fr/index.md](fr/index.md)" in pages["index.md"]
    assert "[index.md](../index.md)" in pages["fr/index.md"]
    assert pages["fr/index.md"].startswith("<!-- Généré par `lawdesk law docs`")


def test_every_rule_has_its_french_explanation_and_citation_on_the_french_page() -> None:
    assert missing_french() == [], (
        "rule texts without French (add it to src/lawdesk/law/french.py): "
        + ", ".join(missing_french()))
    pages = render_pages(_cite_french)
    for spec in REGIMES.values():
        page = pages[f"fr/{spec.regime.value}.md"]
        assert french.REGIMES[spec.regime.value][1] in page
        for rule in spec.rules():
            assert french.EXPLANATIONS[rule.id][1].replace("|", "\\|") in page, rule.id
            assert cite(rule.article, "fr").replace("|", "\\|") in page, rule.id
    # French citations, statute names in their official French form
    assert "Règlement (UE) 2023/1543, art. 4, § 1" in pages["fr/eu_eevidence.md"]
    assert "CPP, art. 60-1" in pages["fr/fr.md"]
    assert "18 U.S.C. 2703" in pages["fr/us_sca.md"]


def test_a_rule_without_french_or_reworded_since_its_french_is_named(
        monkeypatch: pytest.MonkeyPatch) -> None:
    rules = list(all_rules())
    new = replace(rules[0], id="routing.new_rule")
    reworded = replace(rules[1], explanation=rules[1].explanation + " Reworded.")
    found = french.missing([new, reworded, *rules[2:]], REGIMES.values(), {})
    assert found == sorted([new.id, reworded.id])
    monkeypatch.delitem(french.EXPLANATIONS, rules[2].id)
    assert missing_french() == [rules[2].id]
    with pytest.raises(LookupError, match=re.escape(rules[2].id)):
        render_pages(_cite_french)
    assert render_pages()["index.md"]  # the English pages never need the French


def test_french_periods() -> None:
    from lawdesk.law.deadlines import days, hours

    assert [french.period(d) for d in (days(10), days(1), hours(1), hours(96))] == [
        "10 jours", "1 jour", "1 heure", "96 heures"]
