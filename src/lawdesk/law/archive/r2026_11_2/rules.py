"""Rule definitions: each rule is data (id, regime, article, explanation) plus a predicate."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any

from lawdesk.law.archive.r2026_11_2.config import DeploymentConfig, PlatformPolicy
from lawdesk.law.archive.r2026_11_2.deadlines import Duration
from lawdesk.law.archive.r2026_11_2.facts import Establishment, Facts
from lawdesk.law.archive.r2026_11_2.vocabulary import (
    EU_MEMBER_STATES,
    DataCategory,
    Duty,
    IssuerRole,
    Outcome,
    Regime,
    RequestKind,
)

ALL_CATEGORIES: frozenset[DataCategory] = frozenset(DataCategory)
LOW_TIER: frozenset[DataCategory] = frozenset({DataCategory.SUBSCRIBER, DataCategory.IDENTIFICATION})
HIGH_TIER: frozenset[DataCategory] = frozenset({DataCategory.TRAFFIC, DataCategory.CONTENT})
CONTENT_ONLY: frozenset[DataCategory] = frozenset({DataCategory.CONTENT})

JUDGES: frozenset[IssuerRole] = frozenset(
    {IssuerRole.JUDGE, IssuerRole.COURT, IssuerRole.INVESTIGATING_JUDGE}
)
JUDGES_AND_PROSECUTORS: frozenset[IssuerRole] = JUDGES | {IssuerRole.PROSECUTOR}


@dataclass(frozen=True)
class Context:
    """What a predicate may look at: the facts, the establishment and the deployment config."""

    facts: Facts
    config: DeploymentConfig
    now: datetime | None = None

    def with_facts(self, facts: Facts) -> Context:
        """The same deployment and time with other facts (the underlying basis of a label)."""
        return Context(facts=facts, config=self.config, now=self.now)

    @property
    def establishment(self) -> Establishment:
        """The establishment named in the facts, else the deployment's."""
        return self.facts.establishment or self.config.establishment

    @property
    def policy(self) -> PlatformPolicy:
        """The deployment's platform policy."""
        return self.config.policy

    @property
    def kind(self) -> RequestKind:
        """The request kind."""
        return self.facts.kind

    @property
    def reference_time(self) -> datetime | None:
        """When the request arrived (or now), for rules that depend on dates of application."""
        return self.facts.received_at or self.now

    @property
    def is_eu_authority(self) -> bool:
        """Whether the authority belongs to an EU member state."""
        return self.facts.authority_country in EU_MEMBER_STATES

    def issued_or_validated_by(self, roles: frozenset[IssuerRole]) -> bool:
        """Whether the issuer, or the validating authority, has one of ``roles``."""
        f = self.facts
        return f.issuer_role in roles or (f.validator_role is not None and f.validator_role in roles)

    def asks(self, categories: frozenset[DataCategory]) -> bool:
        """Whether the request asks for any of ``categories``."""
        return any(c in categories for c in self.facts.categories)


Predicate = Callable[[Context], bool]


def always(ctx: Context) -> bool:
    """A predicate that always holds (the last rule of a list)."""
    return True


@dataclass(frozen=True, kw_only=True)
class Rule:
    """A rule: stable id, the regime and article it rests on, a plain explanation, a predicate."""

    id: str
    regime: Regime
    article: str
    explanation: str
    when: Predicate = always

    @property
    def encodes(self) -> str:
        """The provision this rule encodes, as a sentence of its own."""
        return f"This rule encodes {self.article}."

    def definition(self) -> dict[str, Any]:
        """The rule's declarative content, for the ruleset hash and the docs."""
        return {
            "id": self.id,
            "type": type(self).__name__,
            "regime": self.regime.value,
            "article": self.article,
            "encodes": self.encodes,
            "explanation": self.explanation,
        }


@dataclass(frozen=True, kw_only=True)
class CategoryRule(Rule):
    """Decides the outcome for the data categories it covers when its predicate holds."""

    categories: frozenset[DataCategory] = ALL_CATEGORIES
    outcome: Outcome
    process: str | None = None  # what is still needed, for needs_further_process
    fields: tuple[str, ...] | None = None  # scope limit within the category
    scope: str | None = None  # e.g. "relating_to_emergency"
    # An allowed outcome the platform may decline (e.g. 18 U.S.C. 2702 emergency disclosure);
    # every other allowed outcome answers a binding order the platform must execute.
    voluntary: bool = False
    # The instrument is a procedure, not a legal basis (DSA Art. 9, 10): the outcome is capped by
    # the decision for the underlying basis (lawdesk.law.archive.r2026_11_2.basis), never more permissive.
    via_basis: bool = False

    def definition(self) -> dict[str, Any]:
        """The rule's declarative content."""
        return super().definition() | {
            "voluntary": self.voluntary,
            "via_basis": self.via_basis,
            "categories": sorted(c.value for c in self.categories),
            "outcome": self.outcome.value,
            "process": self.process,
            "fields": list(self.fields) if self.fields is not None else None,
            "scope": self.scope,
        }


@dataclass(frozen=True, kw_only=True)
class ActionRule(Rule):
    """Decides whether the platform must act on content (removal orders)."""

    outcome: Outcome
    process: str | None = None

    def definition(self) -> dict[str, Any]:
        """The rule's declarative content."""
        return super().definition() | {"outcome": self.outcome.value, "process": self.process}


@dataclass(frozen=True, kw_only=True)
class DeadlineRule(Rule):
    """Sets the answer deadline: a statutory duration, or a configured one by key."""

    duration: Duration | None = None
    config_key: str | None = None

    def resolve(self, config: DeploymentConfig) -> Duration:
        """Return the duration this rule sets under ``config``."""
        if self.duration is not None:
            return self.duration
        assert self.config_key is not None, self.id
        return config.deadline(self.config_key)

    def definition(self) -> dict[str, Any]:
        """The rule's declarative content."""
        return super().definition() | {
            "duration": self.duration.to_dict() if self.duration else None,
            "config_key": self.config_key,
        }


@dataclass(frozen=True, kw_only=True)
class DutyRule(Rule):
    """Triggers a duty (preserve, notify, report …) when its predicate holds."""

    duty: Duty
    params: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    # Evaluated whatever regime the request was routed to (e.g. the NCMEC report).
    always: bool = False

    def definition(self) -> dict[str, Any]:
        """The rule's declarative content."""
        return super().definition() | {
            "duty": self.duty.value,
            "params": {k: _jsonable(v) for k, v in sorted(self.params.items())},
            "always": self.always,
        }


@dataclass(frozen=True, kw_only=True)
class RouteRule(Rule):
    """Selects the regime that governs a request."""

    target: Regime

    def definition(self) -> dict[str, Any]:
        """The rule's declarative content."""
        return super().definition() | {"target": self.target.value}


def _jsonable(value: Any) -> Any:
    if isinstance(value, Duration):
        return value.to_dict()
    return value


@dataclass(frozen=True)
class RegimeSpec:
    """All rules of one regime, in priority order (first matching rule decides)."""

    regime: Regime
    title: str
    source: str
    summary: str
    category_rules: tuple[CategoryRule, ...] = ()
    action_rules: tuple[ActionRule, ...] = ()
    deadline_rules: tuple[DeadlineRule, ...] = ()
    duty_rules: tuple[DutyRule, ...] = ()
    route_rules: tuple[RouteRule, ...] = ()

    def rules(self) -> tuple[Rule, ...]:
        """Every rule of the regime."""
        return (
            *self.route_rules,
            *self.category_rules,
            *self.action_rules,
            *self.deadline_rules,
            *self.duty_rules,
        )
