"""The ruleset version: a release label plus a hash of every rule's definition and logic."""

from __future__ import annotations

import hashlib
import inspect
import json
from collections.abc import Iterable
from functools import cache
from types import ModuleType

from lawdesk.law.regimes import common
from lawdesk.law.registry import all_rules
from lawdesk.law.rules import Rule

# Bump the label when the rules change on purpose; the hash changes by itself with any edit.
RULESET_RELEASE = "2026.11.3"


def _predicate_source(rule: Rule) -> str:
    try:
        return inspect.getsource(rule.when)
    except (OSError, TypeError):  # pragma: no cover - source unavailable (frozen builds)
        return getattr(rule.when, "__qualname__", repr(rule.when))


def rules_fingerprint(rules: Iterable[Rule], modules: Iterable[ModuleType] = ()) -> str:
    """Hash rule definitions, their predicates' source and the source of the engine modules."""
    digest = hashlib.sha256()
    for rule in rules:
        digest.update(json.dumps(rule.definition(), sort_keys=True).encode())
        digest.update(_predicate_source(rule).encode())
    for module in modules:
        digest.update(inspect.getsource(module).encode())
    return digest.hexdigest()


@cache
def ruleset_version() -> str:
    """The current ruleset version, e.g. ``2026.11.1+3f2a9c1b7d04``."""
    # reason: import cycle: law.engine imports this module
    from lawdesk.law import basis, config, deadlines, engine, facts, policy, rules, vocabulary

    modules = (vocabulary, facts, config, deadlines, rules, common, basis, policy, engine)
    return f"{RULESET_RELEASE}+{rules_fingerprint(all_rules(), modules)[:12]}"
