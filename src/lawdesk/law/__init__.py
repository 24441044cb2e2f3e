"""The legal rule engine: which authority may obtain which data with which instrument, and why.

Pure Python (no Django ORM). Public API, importable from here lazily:

    decide(facts, *, config=DEFAULT_CONFIG, now=None) -> Decision
    parse_facts(data) / parse_facts_json(text) -> Facts       (raise FactsError)
    apply_override(decision, *, category, outcome, reason, reviewer, now) -> Decision
    decision_record(facts, decision, *, config, now) -> dict; replay(record) -> Decision
    load_config(dict | path) -> DeploymentConfig; ruleset_version() -> str
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

# name -> module; resolved on first use so `lawdesk.law.vocabulary` stays cheap to import
# (the cases app builds its TextChoices from it) and the regime modules import no cycle.
_EXPORTS = {
    "decide": "engine",
    "Facts": "facts",
    "FactsError": "facts",
    "Establishment": "facts",
    "parse_facts": "facts",
    "parse_facts_json": "facts",
    "Decision": "decision",
    "apply_override": "override",
    "OverrideError": "override",
    "decision_record": "replay",
    "replay": "replay",
    "RulesetMismatch": "replay",
    "verify_record": "replay",
    "DeploymentConfig": "config",
    "PlatformPolicy": "config",
    "DEFAULT_CONFIG": "config",
    "load_config": "config",
    "ruleset_version": "version",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(f"lawdesk.law.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'lawdesk.law' has no attribute {name!r}")
