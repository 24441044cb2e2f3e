"""No direct channel: mutual legal assistance, CLOUD Act agreements, unencoded national law."""

from __future__ import annotations

from lawdesk.law.archive.r2026_11_2.regimes.common import (
    domestic_to_eu_establishment,
    is_emergency,
    secret_chat_content,
)
from lawdesk.law.archive.r2026_11_2.rules import CONTENT_ONLY, CategoryRule, Context, DeadlineRule, RegimeSpec
from lawdesk.law.archive.r2026_11_2.vocabulary import EEVIDENCE_STATES, EU_INSTRUMENTS, Outcome, Regime

R = Regime.MLA
MLA = "mutual legal assistance"


def _eu_instrument_outside(ctx: Context) -> bool:
    return ctx.facts.instrument in EU_INSTRUMENTS and not ctx.is_eu_authority


def _national_not_encoded(ctx: Context) -> bool:
    return (
        ctx.is_eu_authority
        and ctx.facts.instrument not in EU_INSTRUMENTS
        and domestic_to_eu_establishment(ctx)
        and ctx.facts.authority_country != "FR"
    )


def _outside_eevidence_area(ctx: Context) -> bool:
    return ctx.facts.authority_country == "DK"


def _eu_emergency(ctx: Context) -> bool:
    # Cross-border only (Art. 1(1)): the establishment's own state uses its national procedure.
    return (
        ctx.facts.authority_country in EEVIDENCE_STATES
        and is_emergency(ctx)
        and not domestic_to_eu_establishment(ctx)
        and ctx.establishment.eu_member_state is not None
    )


def _foreign_to_us_entity(ctx: Context) -> bool:
    return ctx.establishment.us_entity and ctx.facts.authority_country != "US"


SPEC = RegimeSpec(
    regime=R,
    title="No direct channel: mutual legal assistance",
    source="Mutual legal assistance treaties; 18 U.S.C. 2523 (CLOUD Act executive agreements); "
    "Directive 2014/41/EU (European Investigation Order)",
    summary=(
        "When no encoded regime gives the authority a direct channel to the platform, the "
        "answer is needs_further_process with the channel to use and the reason. lawdesk "
        "flags these requests; it does not adjudicate treaties."
    ),
    category_rules=(
        CategoryRule(
            id="mla.secret_chat_content_not_held",
            regime=R,
            categories=CONTENT_ONLY,
            article="platform design: end-to-end encryption without provider keys",
            explanation="Secret-chat content is end-to-end encrypted and the platform holds no "
            "key, so no channel can obtain it from the platform.",
            outcome=Outcome.NOT_HELD,
            when=secret_chat_content,
        ),
        CategoryRule(
            id="mla.eu_instrument_from_outside_eu",
            regime=R,
            article="Reg. (EU) 2023/1543 Art. 1(1); Reg. (EU) 2022/2065 Art. 9-10",
            explanation="Only authorities of EU member states can issue EU orders; an authority "
            "of another country must use mutual legal assistance.",
            outcome=Outcome.NEEDS_FURTHER_PROCESS,
            process=MLA,
            when=_eu_instrument_outside,
            # A DSA label from outside the EU is still capped by the authority's own basis.
            via_basis=True,
        ),
        CategoryRule(
            id="mla.national_law_not_encoded",
            regime=R,
            article="Reg. (EU) 2023/1543 Art. 1(1); national criminal procedure of the "
            "establishment's member state",
            explanation="A request from the member state of the platform's EU establishment "
            "follows that state's own procedure, emergencies included (e-Evidence is for "
            "cross-border cases only); lawdesk does not encode that state's law, so a lawyer "
            "must review the request under it.",
            outcome=Outcome.NEEDS_FURTHER_PROCESS,
            process="order under the national procedure of the establishment's member state "
            "(legal review)",
            when=_national_not_encoded,
        ),
        CategoryRule(
            id="mla.outside_eevidence_area",
            regime=R,
            article="Protocol No 22 on the position of Denmark; Directive 2014/41/EU",
            explanation="Denmark takes no part in e-Evidence or the European Investigation Order, "
            "so a Danish national order abroad needs mutual legal assistance.",
            outcome=Outcome.NEEDS_FURTHER_PROCESS,
            process=MLA,
            when=_outside_eevidence_area,
        ),
        CategoryRule(
            id="mla.eu_emergency_needs_emergency_epoc",
            regime=R,
            article="Reg. (EU) 2023/1543 Art. 1(1), Art. 3(18), Art. 4(5), Art. 10(4)",
            explanation="Without a US entity to disclose voluntarily, another member state's "
            "authority needs an emergency EPOC addressed to the platform's establishment, which "
            "must be answered within 8 hours.",
            outcome=Outcome.NEEDS_FURTHER_PROCESS,
            process="emergency European Production Order (EPOC)",
            when=_eu_emergency,
        ),
        CategoryRule(
            id="mla.foreign_authority_us_entity",
            regime=R,
            article="18 U.S.C. 2523, 2711(4); mutual legal assistance treaties",
            explanation="A non-US authority has no compulsory process against the platform's US "
            "entity: it must use a mutual legal assistance treaty or a CLOUD Act agreement.",
            outcome=Outcome.NEEDS_FURTHER_PROCESS,
            process="mutual legal assistance or a CLOUD Act agreement",
            when=_foreign_to_us_entity,
        ),
        CategoryRule(
            id="mla.no_channel",
            regime=R,
            article="mutual legal assistance treaties",
            explanation="No treaty or regulation gives this authority a direct channel to the "
            "platform, so the request must come through mutual legal assistance.",
            outcome=Outcome.NEEDS_FURTHER_PROCESS,
            process=MLA,
        ),
    ),
    deadline_rules=(
        DeadlineRule(
            id="mla.default_response",
            regime=R,
            article="lawdesk deployment setting (no statutory period)",
            explanation="No law sets a period, but every request gets an answer naming the "
            "channel to use within the deployment's default response time.",
            config_key="default_response",
        ),
    ),
)
