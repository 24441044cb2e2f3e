"""The registry of regimes, in documentation order."""

from __future__ import annotations

from lawdesk.law.archive.r2026_11_2 import policy
from lawdesk.law.archive.r2026_11_2.regimes import (
    eu_dsa,
    eu_eevidence,
    eu_tco,
    fr,
    mla,
    non_criminal,
    routing,
    us_sca,
)
from lawdesk.law.archive.r2026_11_2.rules import RegimeSpec, Rule
from lawdesk.law.archive.r2026_11_2.vocabulary import Regime

REGIMES: dict[Regime, RegimeSpec] = {
    spec.regime: spec
    for spec in (
        routing.SPEC,
        eu_eevidence.SPEC,
        eu_dsa.SPEC,
        eu_tco.SPEC,
        us_sca.SPEC,
        fr.SPEC,
        mla.SPEC,
        non_criminal.SPEC,
        policy.SPEC,
    )
}


def all_rules() -> tuple[Rule, ...]:
    """Every rule of every regime, in documentation order."""
    return tuple(rule for spec in REGIMES.values() for rule in spec.rules())


def rule_by_id(rule_id: str) -> Rule:
    """Look a rule up by its stable id."""
    for rule in all_rules():
        if rule.id == rule_id:
            return rule
    raise KeyError(rule_id)
