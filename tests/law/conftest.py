"""Fixtures and builders for the rule-engine tests (no database needed)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from lawdesk.law.config import DeploymentConfig, PlatformPolicy
from lawdesk.law.facts import Facts, parse_facts

NOW = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
LAW_ONLY = DeploymentConfig(policy=PlatformPolicy.permissive())

# A French prosecutor's EPOC to the platform's Irish establishment: the baseline most
# e-Evidence scenarios vary.
EPOC_FR: dict[str, Any] = {
    "authority_country": "FR",
    "authority_kind": "prosecutor",
    "issuer_role": "prosecutor",
    "instrument": "epoc",
    "offence_category": "fraud",
    "max_sentence_months": 60,
    "user_named_as_suspect": True,
    "received_at": "2026-11-02T09:00:00Z",
    "categories": ["subscriber"],
}


def make_facts(base: dict[str, Any] | None = None, **changes: Any) -> Facts:
    """Build Facts from a baseline dict plus changes (a None change removes the key)."""
    data = dict(base if base is not None else EPOC_FR)
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return parse_facts(data)


@pytest.fixture
def now() -> datetime:
    return NOW
