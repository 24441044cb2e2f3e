"""The engine's output: per-category outcomes with reasons, deadline, duties, ruleset version."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from lawdesk.law.deadlines import Duration
from lawdesk.law.vocabulary import DataCategory, Duty, Outcome, Regime

if TYPE_CHECKING:  # the rules pull in pydantic; a stored decision is read without them
    from lawdesk.law.rules import Rule

# How much each outcome lets through; not_held is outside the order (the data does not exist).
PERMISSIVENESS: dict[Outcome, int] = {
    Outcome.NOT_ALLOWED: 0,
    Outcome.NEEDS_FURTHER_PROCESS: 1,
    Outcome.ALLOWED: 2,
}


def stricter(a: Outcome, b: Outcome) -> Outcome:
    """Return the less permissive of two outcomes; not_held wins over everything."""
    if Outcome.NOT_HELD in (a, b):
        return Outcome.NOT_HELD
    return a if PERMISSIVENESS[a] <= PERMISSIVENESS[b] else b


def narrow_fields(a: tuple[str, ...] | None, b: tuple[str, ...] | None) -> tuple[str, ...] | None:
    """Intersect two field restrictions (None means the whole category)."""
    if a is None:
        return b
    if b is None:
        return a
    return tuple(f for f in a if f in b)


@dataclass(frozen=True)
class Reason:
    """One citation behind an outcome: rule id, regime, article and a plain explanation."""

    rule: str
    regime: str
    article: str
    explanation: str

    @classmethod
    def of(cls, rule: Rule) -> Reason:
        """The reason a rule gives."""
        return cls(rule.id, rule.regime.value, rule.article, rule.explanation)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Reason:
        """Read back what :meth:`to_dict` wrote (extra keys are ignored)."""
        return cls(data["rule"], data["regime"], data["article"], data["explanation"])

    def to_dict(self) -> dict[str, str]:
        """JSON form."""
        return {
            "rule": self.rule,
            "regime": self.regime,
            "article": self.article,
            "explanation": self.explanation,
        }


@dataclass(frozen=True)
class Override:
    """A reviewer's written decision to change one category's outcome."""

    category: DataCategory
    previous_outcome: Outcome
    outcome: Outcome
    reason: str
    reviewer: str
    at: datetime

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Override:
        """Read back what :meth:`to_dict` wrote."""
        return cls(
            category=DataCategory(data["category"]),
            previous_outcome=Outcome(data["previous_outcome"]),
            outcome=Outcome(data["outcome"]),
            reason=data["reason"],
            reviewer=data["reviewer"],
            at=datetime.fromisoformat(data["at"]),
        )

    def to_dict(self) -> dict[str, str]:
        """JSON form."""
        return {
            "category": self.category.value,
            "previous_outcome": self.previous_outcome.value,
            "outcome": self.outcome.value,
            "reason": self.reason,
            "reviewer": self.reviewer,
            "at": self.at.isoformat(),
        }


@dataclass(frozen=True)
class CategoryResult:
    """The outcome for one data category, with the law's and the policy's view."""

    outcome: Outcome
    reasons: tuple[Reason, ...]
    law_outcome: Outcome
    policy_outcome: Outcome | None = None
    process: str | None = None
    fields: tuple[str, ...] | None = None
    scope: str | None = None
    override: Override | None = None
    # The policy's field limit for this category, kept so an override to allowed stays within it.
    policy_fields: tuple[str, ...] | None = None
    # The law's allowed outcome answers a binding order (not a voluntary disclosure).
    binding: bool = False
    # The platform policy let less through than the law (not serialised: derived from the rest).
    policy_narrowed: bool = False

    @property
    def allowed(self) -> bool:
        """The category may be disclosed (within ``fields``)."""
        return self.outcome is Outcome.ALLOWED

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CategoryResult:
        """Read back what :meth:`to_dict` wrote. ``policy_narrowed`` is not stored: it reads
        back False (it only matters while the engine decides)."""

        def fields(value: Any) -> tuple[str, ...] | None:
            return tuple(value) if value is not None else None

        policy = data.get("policy_outcome")
        override = data.get("override")
        return cls(
            outcome=Outcome(data["outcome"]),
            reasons=tuple(Reason.from_dict(r) for r in data["reasons"]),
            law_outcome=Outcome(data["law_outcome"]),
            policy_outcome=Outcome(policy) if policy is not None else None,
            process=data.get("process"),
            fields=fields(data.get("fields")),
            scope=data.get("scope"),
            override=Override.from_dict(override) if override is not None else None,
            policy_fields=fields(data.get("policy_fields")),
            binding=bool(data.get("binding", False)),
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON form (every key always present)."""
        return {
            "outcome": self.outcome.value,
            "reasons": [r.to_dict() for r in self.reasons],
            "law_outcome": self.law_outcome.value,
            "policy_outcome": self.policy_outcome.value if self.policy_outcome else None,
            "process": self.process,
            "fields": list(self.fields) if self.fields is not None else None,
            "scope": self.scope,
            "override": self.override.to_dict() if self.override else None,
            "policy_fields": list(self.policy_fields) if self.policy_fields is not None else None,
            "binding": self.binding,
        }


@dataclass(frozen=True)
class ActionResult:
    """Whether the platform must act on content (removal orders)."""

    outcome: Outcome
    reasons: tuple[Reason, ...]
    process: str | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ActionResult:
        """Read back what :meth:`to_dict` wrote."""
        return cls(
            Outcome(data["outcome"]),
            tuple(Reason.from_dict(r) for r in data["reasons"]),
            data.get("process"),
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "outcome": self.outcome.value,
            "reasons": [r.to_dict() for r in self.reasons],
            "process": self.process,
        }


@dataclass(frozen=True)
class DeadlineResult:
    """The period to answer within, and the rule that sets it."""

    duration: Duration
    reason: Reason

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DeadlineResult:
        """Read back what :meth:`to_dict` wrote."""
        if "hours" in data:
            return cls(Duration(int(data["hours"]), "hours"), Reason.from_dict(data))
        return cls(Duration(int(data["days"]), "days"), Reason.from_dict(data))

    def to_dict(self) -> dict[str, Any]:
        """JSON form: ``{"hours"|"days": n, "rule", "regime", "article", "explanation"}``."""
        return self.duration.to_dict() | self.reason.to_dict()


@dataclass(frozen=True)
class DutyResult:
    """A duty the request triggers, with its rule and parameters."""

    duty: Duty
    reason: Reason
    params: Mapping[str, Any] = field(default_factory=dict)

    _KEYS = frozenset({"duty", "rule", "regime", "article", "explanation"})

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DutyResult:
        """Read back what :meth:`to_dict` wrote (every other key is a parameter)."""
        params = {k: v for k, v in data.items() if k not in cls._KEYS}
        return cls(Duty(data["duty"]), Reason.from_dict(data), MappingProxyType(params))

    def to_dict(self) -> dict[str, Any]:
        """JSON form: ``{"duty", "rule", "regime", "article", "explanation", **params}``."""
        return {"duty": self.duty.value, **self.reason.to_dict(), **dict(self.params)}


@dataclass(frozen=True)
class Decision:
    """The engine's decision for one request; reproducible from its facts and ruleset version."""

    ruleset_version: str
    regime: Regime
    routing: Reason
    categories: Mapping[DataCategory, CategoryResult]
    action: ActionResult | None
    deadline: DeadlineResult | None
    duties: tuple[DutyResult, ...]
    overrides: tuple[Override, ...] = ()

    def outcome(self, category: DataCategory | str) -> Outcome:
        """The final outcome for one category asked for."""
        return self.categories[DataCategory(category)].outcome

    def allowed_categories(self) -> frozenset[DataCategory]:
        """The categories the decision lets through (to be proposed for disclosure)."""
        return frozenset(c for c, r in self.categories.items() if r.allowed)

    def duty_set(self) -> frozenset[Duty]:
        """Which duties apply, once (a duty may be listed by more than one rule)."""
        return frozenset(d.duty for d in self.duties)

    def has_duty(self, duty: Duty | str) -> bool:
        """Whether ``duty`` applies to this request."""
        return Duty(duty) in self.duty_set()

    @staticmethod
    def stored_in(record: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
        """The decision's JSON inside a decision record (lawdesk.law.replay), if any."""
        stored = (record or {}).get("decision")
        return stored if stored else None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Decision:
        """Read back a stored decision: ``Decision.from_dict(d).to_dict() == d`` for every
        ``d`` that :meth:`to_dict` wrote, of this rule set or an archived one (the archived
        rule sets write the same form with fewer names)."""
        action, deadline = data.get("action"), data.get("deadline")
        return cls(
            ruleset_version=data["ruleset_version"],
            regime=Regime(data["regime"]),
            routing=Reason.from_dict(data["routing"]),
            categories=MappingProxyType({
                DataCategory(c): CategoryResult.from_dict(r)
                for c, r in data.get("categories", {}).items()
            }),
            action=ActionResult.from_dict(action) if action is not None else None,
            deadline=DeadlineResult.from_dict(deadline) if deadline is not None else None,
            duties=tuple(DutyResult.from_dict(d) for d in data.get("duties", [])),
            overrides=tuple(Override.from_dict(o) for o in data.get("overrides", [])),
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON form with stable keys (see docs/law/input-format.md)."""
        return {
            "ruleset_version": self.ruleset_version,
            "regime": self.regime.value,
            "routing": self.routing.to_dict(),
            "categories": {
                c.value: self.categories[c].to_dict() for c in DataCategory if c in self.categories
            },
            "action": self.action.to_dict() if self.action else None,
            "deadline": self.deadline.to_dict() if self.deadline else None,
            "duties": [d.to_dict() for d in self.duties],
            "overrides": [o.to_dict() for o in self.overrides],
        }
