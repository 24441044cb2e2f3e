"""Predicates shared by several regimes."""

from __future__ import annotations

from lawdesk.law.archive.r2026_11_2.rules import Context, Predicate
from lawdesk.law.archive.r2026_11_2.vocabulary import (
    EEVIDENCE_STATES,
    NATIONAL_INSTRUMENTS,
    DataCategory,
    InstrumentType,
    RequestKind,
)


def secret_chat_content(ctx: Context) -> bool:
    """The content asked for is end-to-end encrypted: the platform holds no key to it."""
    return ctx.facts.secret_chat_content and DataCategory.CONTENT in ctx.facts.categories


def incomplete(ctx: Context) -> bool:
    """The order is formally incomplete or carries a manifest error."""
    return not ctx.facts.formally_complete


def national_instrument(ctx: Context) -> bool:
    """The instrument is a national one (requisition, warrant, court order …)."""
    return ctx.facts.instrument in NATIONAL_INSTRUMENTS


def domestic_to_eu_establishment(ctx: Context) -> bool:
    """The authority is of the member state where the platform's EU establishment is."""
    return ctx.facts.authority_country == ctx.establishment.eu_member_state


def eu_cross_border(ctx: Context) -> bool:
    """An e-Evidence state's authority addressing the platform's establishment in another state."""
    state = ctx.establishment.eu_member_state
    return (
        ctx.facts.authority_country in EEVIDENCE_STATES
        and state is not None
        and state != ctx.facts.authority_country
    )


def is_preservation(ctx: Context) -> bool:
    """The request asks to preserve, not to produce."""
    return ctx.kind is RequestKind.PRESERVATION


def is_production(ctx: Context) -> bool:
    """The request asks for data to be handed over (including emergency disclosure)."""
    return ctx.kind in (RequestKind.PRODUCTION, RequestKind.EMERGENCY_DISCLOSURE)


def is_emergency(ctx: Context) -> bool:
    """The request claims an emergency."""
    return ctx.facts.is_emergency


def instrument_is(*instruments: InstrumentType) -> Predicate:
    """Build a predicate: the instrument is one of ``instruments``."""
    wanted = frozenset(instruments)

    def predicate(ctx: Context) -> bool:
        return ctx.facts.instrument in wanted

    predicate.__doc__ = "instrument in " + ", ".join(sorted(i.value for i in wanted))
    return predicate


def discloses(ctx: Context) -> bool:
    """Data asked for would be handed over: everything but preservation (a data category asked
    for with a removal order is a disclosure too)."""
    return not is_preservation(ctx)
