"""The rule engine: route a request to its regime, decide each category, apply the policy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Any

from lawdesk.law.archive.r2026_11_2.basis import underlying_basis
from lawdesk.law.archive.r2026_11_2.config import CATEGORY_FIELDS, DEFAULT_CONFIG, DeploymentConfig
from lawdesk.law.archive.r2026_11_2.decision import (
    PERMISSIVENESS,
    ActionResult,
    CategoryResult,
    DeadlineResult,
    Decision,
    DutyResult,
    Reason,
    narrow_fields,
    stricter,
)
from lawdesk.law.archive.r2026_11_2.facts import Facts
from lawdesk.law.archive.r2026_11_2.policy import CONFLICT, discloses, evaluate_policy
from lawdesk.law.archive.r2026_11_2.registry import REGIMES
from lawdesk.law.archive.r2026_11_2.rules import ActionRule, CategoryRule, Context, RegimeSpec, RouteRule
from lawdesk.law.archive.r2026_11_2.version import ruleset_version
from lawdesk.law.archive.r2026_11_2.vocabulary import (
    CONFIDENTIALITY_DUTIES,
    NOTICE_DUTIES,
    DataCategory,
    Duty,
    Outcome,
    Regime,
    RequestKind,
)

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
        ground = ctx.facts.enforcing_authority_ground
        if rule.duty is Duty.STOP_EXECUTION and ground is not None and "stop" not in params:
            # e-Evidence Art. 10(2): outside an emergency the data is still held (suspensive);
            # Art. 10(4): in an emergency it may already have been transferred.
            params |= {"ground": ground.value, "suspensive": not ctx.facts.is_emergency}
        if rule.duty in NOTICE_DUTIES and ctx.facts.user_notice_not_before is not None:
            # The time the issuing authority set for informing the user.
            params["not_before"] = ctx.facts.user_notice_not_before.isoformat()
        out.append(DutyResult(rule.duty, Reason.of(rule), MappingProxyType(params)))
    return tuple(out)


@dataclass(frozen=True)
class LawView:
    """What the law says about one category, before the platform policy."""

    outcome: Outcome
    reasons: tuple[Reason, ...]
    process: str | None
    fields: tuple[str, ...] | None
    scope: str | None
    voluntary: bool


def law_view(spec: RegimeSpec, ctx: Context, category: DataCategory) -> LawView:
    """The law's answer for ``category``; a label's answer is capped by its underlying basis."""
    rule = decide_category(spec, ctx, category)
    own = LawView(
        rule.outcome, (Reason.of(rule),), rule.process, rule.fields, rule.scope, rule.voluntary
    )
    basis_facts = underlying_basis(ctx) if rule.via_basis else None
    if basis_facts is None:
        return own
    basis_ctx = ctx.with_facts(basis_facts)
    basis = law_view(REGIMES[route(basis_ctx).target], basis_ctx, category)
    outcome = stricter(own.outcome, basis.outcome)
    if outcome is Outcome.NEEDS_FURTHER_PROCESS:
        process = basis.process if basis.outcome is Outcome.NEEDS_FURTHER_PROCESS else own.process
    else:
        process = None
    allowed = outcome is Outcome.ALLOWED
    return LawView(
        outcome=outcome,
        # The label's rule first, then the rules of the basis that gate it.
        reasons=own.reasons + basis.reasons,
        process=process,
        fields=narrow_fields(own.fields, basis.fields) if allowed else None,
        scope=(own.scope or basis.scope) if allowed else None,
        voluntary=own.voluntary or basis.voluntary,
    )


def effective_fields(category: DataCategory, fields: tuple[str, ...] | None) -> frozenset[str] | None:
    """A field restriction as a set; one that names every field of the category is no restriction."""
    if fields is None:
        return None
    vocabulary = CATEGORY_FIELDS.get(category)
    if vocabulary is not None and set(vocabulary) <= set(fields):
        return None
    return frozenset(fields)


def narrows(category: DataCategory, narrow: tuple[str, ...] | None, wide: tuple[str, ...] | None) -> bool:
    """Whether the field restriction ``narrow`` lets strictly less through than ``wide``."""
    a, b = effective_fields(category, narrow), effective_fields(category, wide)
    if a is None:
        return False
    return b is None or a < b


def _confidentiality_beats_notice(duties: tuple[DutyResult, ...]) -> tuple[DutyResult, ...]:
    """Principle 4: while an order or the law keeps the matter confidential, no notice duty."""
    if not any(d.duty in CONFIDENTIALITY_DUTIES for d in duties):
        return duties
    return tuple(d for d in duties if d.duty not in NOTICE_DUTIES)


def _category(spec: RegimeSpec, ctx: Context, category: DataCategory) -> CategoryResult:
    law = law_view(spec, ctx, category)
    reasons = list(law.reasons)
    if law.outcome is Outcome.NOT_HELD:
        return CategoryResult(Outcome.NOT_HELD, tuple(reasons), law_outcome=law.outcome)
    pol, pol_fields = evaluate_policy(ctx, category)
    outcome = stricter(law.outcome, pol.outcome)
    fields = narrow_fields(law.fields, pol_fields) if outcome is Outcome.ALLOWED else None
    # Principle 7: the policy counts as narrowing only when it really lets less through than the
    # law — a lower outcome, or fewer fields (a list naming every field is the whole category).
    narrowed = PERMISSIVENESS[outcome] < PERMISSIVENESS[law.outcome] or (
        outcome is Outcome.ALLOWED and narrows(category, fields, law.fields)
    )
    # The policy's reason is shown whenever it changed something, so nobody reads a law
    # citation as the whole story.
    if narrowed:
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
        if discloses(ctx)
        else law.fields,
        binding=law.outcome is Outcome.ALLOWED and not law.voluntary,
        policy_narrowed=narrowed,
    )


def _policy_conflict(categories: dict[DataCategory, CategoryResult]) -> DutyResult | None:
    narrowed = [c.value for c, r in categories.items() if r.binding and r.policy_narrowed]
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
    duties = _confidentiality_beats_notice(_duties(spec, ctx))
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
    return {c: law_view(spec, ctx, c).outcome for c in facts.categories}
