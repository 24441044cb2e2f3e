"""The ruleset version follows the rules; the committed docs follow the generator."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from lawdesk.law import engine
from lawdesk.law.docs import render_pages, stale_pages
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


def test_committed_docs_match_the_generator() -> None:
    stale = stale_pages(DOCS)
    assert not stale, f"regenerate with `lawdesk law docs --out docs/law`: {stale}"
