"""Principle 3 — privileges and immunities: shared predicates and the rule builders.

Data of lawyers, journalists (protection of sources), doctors, members of parliament and
persons with immunities needs a special process or is refused. Each regime cites its own
provisions; every such request raises a duty for counsel, and an unknown status asks for
clarification before anything is disclosed.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from lawdesk.law.archive.r2026_11_2.regimes.common import discloses
from lawdesk.law.archive.r2026_11_2.rules import ALL_CATEGORIES, CategoryRule, Context, DutyRule, Predicate
from lawdesk.law.archive.r2026_11_2.vocabulary import (
    PROTECTED,
    DataCategory,
    Duty,
    Outcome,
    ProtectedStatus,
    Regime,
)


def protected(ctx: Context) -> bool:
    """The person is known to be protected (or the legacy immunity flag is set)."""
    return ctx.facts.protected_status in PROTECTED or ctx.facts.immunity_or_press_freedom


def status_unknown(ctx: Context) -> bool:
    """There is an indication of a protected status that nobody has established."""
    return ctx.facts.protected_status is ProtectedStatus.UNKNOWN and not protected(ctx)


def protected_disclosure(ctx: Context) -> bool:
    """Data of a protected person would be handed over (preservation hands nothing over)."""
    return protected(ctx) and discloses(ctx)


def unknown_disclosure(ctx: Context) -> bool:
    """Data of a person of unknown status would be handed over."""
    return status_unknown(ctx) and discloses(ctx)


def kind_is(*kinds: ProtectedStatus) -> Predicate:
    """Build a predicate: a disclosure about a person of one of ``kinds``."""
    wanted = frozenset(kinds)

    def predicate(ctx: Context) -> bool:
        return discloses(ctx) and ctx.facts.protected_status in wanted

    predicate.__doc__ = "protected_status in " + ", ".join(sorted(k.value for k in wanted))
    return predicate


def unknown_rule(regime: Regime, prefix: str, article: str) -> CategoryRule:
    """needs_further_process while an indicated privilege or immunity is not established."""
    return CategoryRule(
        id=f"{prefix}.protected_status_unknown",
        regime=regime,
        article=article,
        explanation="There is an indication that the person may be a lawyer, a journalist, a "
        "doctor, a member of parliament or a person with immunity, and it is not established: "
        "ask the requesting authority before anything is disclosed.",
        outcome=Outcome.NEEDS_FURTHER_PROCESS,
        process="clarification of the person's protected status (privilege or immunity)",
        when=unknown_disclosure,
    )


def counsel_duty(
    regime: Regime, prefix: str, article: str, processes: Mapping[str, str], *, always: bool = False
) -> DutyRule:
    """The duty for counsel to review a request about a protected (or possibly protected) person."""
    return DutyRule(
        id=f"{prefix}.privilege_counsel_review",
        regime=regime,
        article=article,
        explanation="The person is, or may be, protected by a privilege or an immunity: counsel "
        "must review the request and confirm the process it needs before anything is disclosed.",
        duty=Duty.COUNSEL_REVIEW,
        params=MappingProxyType({"process_by_status": dict(processes)}),
        when=lambda ctx: (protected(ctx) or status_unknown(ctx)) and discloses(ctx),
        always=always,
    )


ALL: frozenset[DataCategory] = ALL_CATEGORIES
