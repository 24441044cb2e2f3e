"""The rule engine: route a request to its regime, decide each category, apply the policy."""

from __future__ import annotations

from datetime import datetime
from types import MappingProxyType
from typing import Any

from lawdesk.law.archive.r2026_11_1.config import DEFAULT_CONFIG, DeploymentConfig
from lawdesk.law.archive.r2026_11_1.decision import (
    ActionResult,
    CategoryResult,
    DeadlineResult,
    Decision,
    DutyResult,
    Reason,
    narrow_fields,
    stricter,
)
from lawdesk.law.archive.r2026_11_1.facts import Facts
from lawdesk.law.archive.r2026_11_1.policy import CONFLICT, evaluate_policy
from lawdesk.law.archive.r2026_11_1.regimes.common import is_production
from lawdesk.law.archive.r2026_11_1.registry import REGIMES
from lawdesk.law.archive.r2026_11_1.rules import ActionRule, CategoryRule, Context, RegimeSpec, RouteRule
from lawdesk.law.archive.r2026_11_1.version import ruleset_version
from lawdesk.law.archive.r2026_11_1.vocabulary import DataCategory, Duty, Outcome, Regime, RequestKind

# The safety net: a category no rule decides is never silently refused or allowed.
UNDECIDED = CategoryRule(
    id="engine.no_rule_matched",
    regime=Regime.ROUTING,
    article="lawdesk rule engine",
    explanation="No encoded rule decides this category for these facts, so a lawyer must review it.",
    outcome=Outcome.NEEDS_FURTHER_PROCESS,
    process="legal review",
)


def route(ctx: Context) -> RouteRule:
    """Return the routing rule that selects the regime for this request."""
    for rule in REGIMES[Regime.ROUTING].route_rules:
        if rule.when(ctx):
            return rule
    raise AssertionError("routing.no_channel always matches")  # pragma: no cover


def decide_category(spec: RegimeSpec, ctx: Context, category: DataCategory) -> CategoryRule:
    """Return the first rule of ``spec`` that decides ``category`` for these facts."""
    for rule in spec.category_rules:
        if category in rule.categories and rule.when(ctx):
            return rule
    return UNDECIDED


def _action(spec: RegimeSpec, ctx: Context) -> ActionResult | None:
    if ctx.kind is not RequestKind.REMOVAL:
        return None
    rule: ActionRule | None = next((r for r in spec.action_rules if r.when(ctx)), None)
    if rule is None:
        return ActionResult(
            Outcome.NEEDS_FURTHER_PROCESS,
            (Reason.of(UNDECIDED),),
            process="removal order under DSA Art. 9 or TCO Art. 3",
        )
    return ActionResult(rule.outcome, (Reason.of(rule),), process=rule.process)


def _deadline(spec: RegimeSpec, ctx: Context) -> DeadlineResult | None:
    for rule in spec.deadline_rules:
        if rule.when(ctx):
            return DeadlineResult(rule.resolve(ctx.config), Reason.of(rule))
    return None


def _duties(spec: RegimeSpec, ctx: Context) -> tuple[DutyResult, ...]:
    always = [
        rule
        for other in REGIMES.values()
        if other is not spec
        for rule in other.duty_rules
        if rule.always and rule is not CONFLICT
    ]
    out: list[DutyResult] = []
    for rule in [*spec.duty_rules, *always]:
        if not rule.when(ctx):
            continue
        # A regime's own duty (e.g. the SCA's good-faith check) stands in for a general one.
        if rule.always and rule.regime is not spec.regime and rule.duty in {d.duty for d in out}:
            continue
        params: dict[str, Any] = dict(rule.params)
        if rule.duty is Duty.NO_USER_NOTICE and ctx.facts.nondisclosure_until is not None:
            params["until"] = ctx.facts.nondisclosure_until.isoformat()
        out.append(DutyResult(rule.duty, Reason.of(rule), MappingProxyType(params)))
    return tuple(out)


def _category(spec: RegimeSpec, ctx: Context, category: DataCategory) -> CategoryResult:
    law = decide_category(spec, ctx, category)
    reasons = [Reason.of(law)]
    if law.outcome is Outcome.NOT_HELD:
        return CategoryResult(Outcome.NOT_HELD, tuple(reasons), law_outcome=law.outcome)
    pol, pol_fields = evaluate_policy(ctx, category)
    outcome = stricter(law.outcome, pol.outcome)
    fields = narrow_fields(law.fields, pol_fields) if outcome is Outcome.ALLOWED else None
    # The policy's reason is shown whenever it changed something, so nobody reads a law
    # citation as the whole story.
    if outcome is not law.outcome or fields != law.fields:
        reasons.append(
            Reason(pol.id, pol.regime.value, f"platform policy: {ctx.policy.source}", pol.explanation)
        )
    if outcome is Outcome.NEEDS_FURTHER_PROCESS:
        process = law.process if law.outcome is Outcome.NEEDS_FURTHER_PROCESS else pol.process
    else:
        process = None
    return CategoryResult(
        outcome=outcome,
        reasons=tuple(reasons),
        law_outcome=law.outcome,
        policy_outcome=pol.outcome,
        process=process,
        fields=fields,
        scope=law.scope if outcome is Outcome.ALLOWED else None,
        policy_fields=narrow_fields(law.fields, ctx.policy.disclose.get(category))
        if is_production(ctx)
        else law.fields,
        binding=law.outcome is Outcome.ALLOWED and not law.voluntary,
    )


def _policy_conflict(categories: dict[DataCategory, CategoryResult]) -> DutyResult | None:
    # `_category` cites the policy only when it changed the outcome or narrowed the fields.
    narrowed = [
        c.value
        for c, r in categories.items()
        if r.binding and r.reasons[-1].regime == Regime.PLATFORM_POLICY.value
    ]
    if not narrowed:
        return None
    return DutyResult(CONFLICT.duty, Reason.of(CONFLICT), MappingProxyType({"categories": narrowed}))


def decide(
    facts: Facts, *, config: DeploymentConfig = DEFAULT_CONFIG, now: datetime | None = None
) -> Decision:
    """Decide a request: which regime applies, what each data category gets, and why."""
    ctx = Context(facts=facts, config=config, now=now)
    routing = route(ctx)
    spec = REGIMES[routing.target]
    categories = {c: _category(spec, ctx, c) for c in DataCategory if c in facts.categories}
    deadline = _deadline(spec, ctx)
    if deadline is None:
        deadline = DeadlineResult(
            config.deadline("default_response"), Reason.of(REGIMES[Regime.MLA].deadline_rules[0])
        )
    duties = _duties(spec, ctx)
    conflict = _policy_conflict(categories)
    if conflict is not None:
        duties = (*duties, conflict)
    return Decision(
        ruleset_version=ruleset_version(),
        regime=spec.regime,
        routing=Reason.of(routing),
        categories=MappingProxyType(categories),
        action=_action(spec, ctx),
        deadline=deadline,
        duties=duties,
    )


def law_only(facts: Facts, *, config: DeploymentConfig = DEFAULT_CONFIG) -> dict[DataCategory, Outcome]:
    """The law's outcome per category, before the platform policy (for tests and review)."""
    ctx = Context(facts=facts, config=config)
    spec = REGIMES[route(ctx).target]
    return {c: decide_category(spec, ctx, c).outcome for c in facts.categories}
