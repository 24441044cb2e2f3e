"""The legal rule engine: which authority may obtain which data with which instrument, and why.

Pure Python (no Django). Callers import what they use from the module that defines it:

    lawdesk.law.engine.decide(facts, *, config=DEFAULT_CONFIG, now=None) -> Decision
    lawdesk.law.facts.parse_facts(data) / parse_facts_json(text) -> Facts   (raise FactsError)
    lawdesk.law.override.apply_override(decision, *, category, outcome, reason, reviewer, now)
    lawdesk.law.replay.decision_record(...) / replay(record) / override_record(...)
    lawdesk.law.config.load_config(dict | path) -> DeploymentConfig
    lawdesk.law.version.ruleset_version() -> str

This package imports nothing itself, so ``lawdesk.law.vocabulary`` stays cheap to import (the
cases app builds its TextChoices from it).
"""
