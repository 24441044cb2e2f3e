"""The platform policy layer: what the platform discloses, never more than the law allows."""

from __future__ import annotations

from types import MappingProxyType

from lawdesk.law.archive.r2026_11_2.regimes.common import discloses, is_emergency
from lawdesk.law.archive.r2026_11_2.rules import CategoryRule, Context, DutyRule, RegimeSpec
from lawdesk.law.archive.r2026_11_2.vocabulary import DataCategory, Duty, Outcome, Regime

R = Regime.PLATFORM_POLICY
SOURCE = "platform policy, as published (PlatformPolicy.source)"


def _not_disclosure(ctx: Context) -> bool:
    return not discloses(ctx)


def _not_criminal(ctx: Context) -> bool:
    return ctx.policy.criminal_cases_only and not ctx.facts.criminal_proceedings


def _emergency_allowed(ctx: Context) -> bool:
    return ctx.policy.emergency_disclosure and is_emergency(ctx)


def _judicial_missing(ctx: Context) -> bool:
    return ctx.policy.require_judicial_order and not ctx.issued_or_validated_by(ctx.policy.judicial_roles)


def _suspect_missing(ctx: Context) -> bool:
    return ctx.policy.require_named_suspect and not ctx.facts.user_named_as_suspect


# Evaluated per category; `category_never_disclosed` is special-cased in `evaluate_policy`
# because which categories the platform discloses comes from the deployment's configuration.
SPEC = RegimeSpec(
    regime=R,
    title="Platform policy",
    source="the deployment's PlatformPolicy; default: Telegram privacy policy § 8.3 (since September 2024)",
    summary=(
        "A layer the deployment configures on top of the law. The final outcome of each "
        "category is the stricter of the law's and the policy's (allowed > "
        "needs_further_process > not_allowed; not_held stays not_held), and a policy field "
        "list narrows an allowed category to those fields. The default policy discloses only "
        "the phone number (subscriber data) and the IP address with port and time "
        "(identification data), on a valid order of a judicial authority (judge, court, "
        "investigating judge or prosecutor, as issuer or validator) naming the user as a "
        "suspect in a criminal case. It governs disclosure only: preservation and removal "
        "pass through unchanged."
    ),
    category_rules=(
        CategoryRule(
            id="policy.disclosure_only",
            regime=R,
            article=SOURCE,
            explanation="The platform policy limits disclosures; it leaves preservation to the "
            "law.",
            outcome=Outcome.ALLOWED,
            when=_not_disclosure,
        ),
        CategoryRule(
            id="policy.category_never_disclosed",
            regime=R,
            article=SOURCE,
            explanation="The platform never discloses this category of data, whatever the order.",
            outcome=Outcome.NOT_ALLOWED,
        ),
        CategoryRule(
            id="policy.criminal_cases_only",
            regime=R,
            article=SOURCE,
            explanation="The platform discloses data only in criminal cases.",
            outcome=Outcome.NOT_ALLOWED,
            when=_not_criminal,
        ),
        CategoryRule(
            id="policy.emergency_disclosure",
            regime=R,
            article=SOURCE,
            explanation="The deployment answers emergency requests within the fields its policy "
            "allows, without waiting for a judicial order.",
            outcome=Outcome.ALLOWED,
            when=_emergency_allowed,
        ),
        CategoryRule(
            id="policy.judicial_order_required",
            regime=R,
            article=SOURCE,
            explanation="The platform discloses only on a valid order of a judicial authority.",
            outcome=Outcome.NEEDS_FURTHER_PROCESS,
            process="valid order of a judicial authority",
            when=_judicial_missing,
        ),
        CategoryRule(
            id="policy.named_suspect_required",
            regime=R,
            article=SOURCE,
            explanation="The platform discloses only when the order names the user as a suspect "
            "in a criminal case.",
            outcome=Outcome.NEEDS_FURTHER_PROCESS,
            process="order naming the user as a suspect",
            when=_suspect_missing,
        ),
        CategoryRule(
            id="policy.disclose",
            regime=R,
            article=SOURCE,
            explanation="The platform's policy lets it disclose this category, limited to the "
            "fields the policy names.",
            outcome=Outcome.ALLOWED,
        ),
    ),
)

# Applied by the engine after combining law and policy, because it depends on both outcomes.
CONFLICT = DutyRule(
    id="policy.narrows_binding_order",
    regime=R,
    article="the order's regime: refusing a binding order needs a ground (e.g. Reg. (EU) "
    "2023/1543 Art. 10, Annex III; sanctions Art. 15)",
    explanation="The platform policy discloses less than a binding order requires: a lawyer "
    "must decide whether to comply or to answer with a ground for non-execution.",
    duty=Duty.POLICY_CONFLICT_REVIEW,
    when=lambda ctx: False,
)
VERIFY_EMERGENCY = DutyRule(
    id="policy.verify_emergency",
    regime=R,
    article=SOURCE,
    explanation="Before answering an emergency request, confirm it by calling back the agency on "
    "its independently sourced number, with a supervisor's confirmation: forged emergency "
    "requests from hacked police mailboxes are a known attack.",
    duty=Duty.VERIFY_EMERGENCY,
    params=MappingProxyType({"call_back": True, "supervisor_confirmation": True}),
    when=lambda ctx: ctx.policy.verify_emergencies and is_emergency(ctx),
    always=True,
)
SPEC = RegimeSpec(
    regime=SPEC.regime,
    title=SPEC.title,
    source=SPEC.source,
    summary=SPEC.summary,
    category_rules=SPEC.category_rules,
    duty_rules=(CONFLICT, VERIFY_EMERGENCY),
)


def evaluate_policy(ctx: Context, category: DataCategory) -> tuple[CategoryRule, tuple[str, ...] | None]:
    """Return the policy rule deciding ``category`` and the fields it allows (None = all)."""
    disclosed = ctx.policy.disclose
    for rule in SPEC.category_rules:
        if rule.id == "policy.category_never_disclosed":
            if category not in disclosed and discloses(ctx):
                return rule, None
            continue
        if rule.when(ctx):
            fields = disclosed.get(category) if rule.outcome is Outcome.ALLOWED else None
            if rule.id == "policy.disclosure_only":
                fields = None
            return rule, fields
    raise AssertionError("policy.disclose always matches")  # pragma: no cover
