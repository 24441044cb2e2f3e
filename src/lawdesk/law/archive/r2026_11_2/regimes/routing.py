"""Which regime governs a request: authority country and kind, instrument, establishment."""

from __future__ import annotations

from lawdesk.law.archive.r2026_11_2.basis import in_criminal_matters
from lawdesk.law.archive.r2026_11_2.regimes.common import (
    domestic_to_eu_establishment,
    eu_cross_border,
    is_emergency,
    national_instrument,
)
from lawdesk.law.archive.r2026_11_2.regimes.privileges import counsel_duty
from lawdesk.law.archive.r2026_11_2.rules import Context, RegimeSpec, RouteRule
from lawdesk.law.archive.r2026_11_2.vocabulary import (
    EU_INSTRUMENTS,
    AuthorityKind,
    DataHolder,
    InstrumentType,
    Regime,
)

R = Regime.ROUTING


def _eu_instrument_from_outside(ctx: Context) -> bool:
    return ctx.facts.instrument in EU_INSTRUMENTS and not ctx.is_eu_authority


def _tco(ctx: Context) -> bool:
    return ctx.facts.instrument is InstrumentType.TCO_REMOVAL_ORDER


def _dsa(ctx: Context) -> bool:
    return ctx.facts.instrument in (InstrumentType.DSA_ART9_ORDER, InstrumentType.DSA_ART10_ORDER)


def _epoc(ctx: Context) -> bool:
    return ctx.facts.instrument in (InstrumentType.EPOC, InstrumentType.EPOC_PR)


def _us_authority(ctx: Context) -> bool:
    return ctx.facts.authority_country == "US"


def _intelligence(ctx: Context) -> bool:
    return ctx.facts.authority_kind is AuthorityKind.INTELLIGENCE_SERVICE


def _non_criminal(ctx: Context) -> bool:
    # A US authority's civil or administrative process is still SCA process (2703(c)(2)
    # "administrative subpoena"); an emergency is answered as an emergency.
    return (
        not in_criminal_matters(ctx.facts)
        and not is_emergency(ctx)
        and ctx.facts.authority_country != "US"
        # A French missing-person search is a judicial procedure (CPP art. 74-1, 80-4).
        and not ctx.facts.missing_person_search
    )


def _fr_domestic(ctx: Context) -> bool:
    return (
        ctx.facts.authority_country == "FR"
        and ctx.facts.instrument not in EU_INSTRUMENTS
        and ctx.establishment.eu_member_state == "FR"
    )


def _domestic_national(ctx: Context) -> bool:
    return ctx.facts.instrument not in EU_INSTRUMENTS and domestic_to_eu_establishment(ctx)


def _eu_national_cross_border(ctx: Context) -> bool:
    return national_instrument(ctx) and eu_cross_border(ctx)


def _emergency_to_us_entity(ctx: Context) -> bool:
    # 2702 disclosures are the US entity's: not when the data is known to be held elsewhere.
    return (
        is_emergency(ctx)
        and ctx.establishment.us_entity
        and ctx.facts.data_held_by is not DataHolder.EU_ESTABLISHMENT
    )


def _executive_agreement(ctx: Context) -> bool:
    return ctx.facts.instrument is InstrumentType.EXECUTIVE_AGREEMENT_ORDER and ctx.establishment.us_entity


SPEC = RegimeSpec(
    regime=R,
    title="Routing: which regime applies",
    source="LEGAL_RULES.md; the regimes' own scope articles",
    summary=(
        "The first matching rule selects the regime whose rules decide the request. "
        "Nothing is refused silently: a request with no encoded channel goes to the "
        "mutual-legal-assistance regime, which answers needs_further_process with the reason."
    ),
    route_rules=(
        RouteRule(
            id="routing.intelligence_service",
            regime=R,
            target=Regime.NON_CRIMINAL,
            article="Reg. (EU) 2023/1543 Art. 2(2); Reg. (EU) 2016/679 Art. 48; 18 U.S.C. 2702(a)",
            explanation="A request from an intelligence service is not a criminal matter: none "
            "of the criminal channels applies, whatever the instrument is called.",
            when=_intelligence,
        ),
        RouteRule(
            id="routing.eu_instrument_from_outside_eu",
            regime=R,
            target=Regime.MLA,
            article="Reg. (EU) 2023/1543 Art. 1(1); Reg. (EU) 2022/2065 Art. 9-10; Reg. (EU) 2021/784 Art. 3",
            explanation="EPOCs, DSA orders and TCO removal orders can only be issued by "
            "authorities of EU member states.",
            when=_eu_instrument_from_outside,
        ),
        RouteRule(
            id="routing.tco",
            regime=R,
            target=Regime.EU_TCO,
            article="Reg. (EU) 2021/784 Art. 3",
            explanation="A removal order for terrorist content follows the TCO Regulation.",
            when=_tco,
        ),
        RouteRule(
            id="routing.dsa",
            regime=R,
            target=Regime.EU_DSA,
            article="Reg. (EU) 2022/2065 Art. 9-10",
            explanation="An order to act against illegal content or to provide information "
            "follows the Digital Services Act.",
            when=_dsa,
        ),
        RouteRule(
            id="routing.eevidence",
            regime=R,
            target=Regime.EU_EEVIDENCE,
            article="Reg. (EU) 2023/1543 Art. 1",
            explanation="A European Production or Preservation Order follows the e-Evidence Regulation.",
            when=_epoc,
        ),
        RouteRule(
            id="routing.non_criminal",
            regime=R,
            target=Regime.NON_CRIMINAL,
            article="Reg. (EU) 2023/1543 Art. 2(2); Reg. (EU) 2016/679 Art. 48; "
            "18 U.S.C. 2523(b)(4)(D)(i)",
            explanation="A civil or administrative request outside criminal matters has none of "
            "the criminal channels (e-Evidence, mutual legal assistance in criminal matters, "
            "CLOUD Act agreements, criminal procedure).",
            when=_non_criminal,
        ),
        RouteRule(
            id="routing.executive_agreement",
            regime=R,
            target=Regime.US_SCA,
            article="18 U.S.C. 2523, 2702(b)(9), 2702(c)(7)",
            explanation="An order under a CLOUD Act executive agreement is answered by the "
            "platform's US entity under the SCA's executive-agreement exceptions.",
            when=_executive_agreement,
        ),
        RouteRule(
            id="routing.us_authority",
            regime=R,
            target=Regime.US_SCA,
            article="18 U.S.C. 2701-2713",
            explanation="A US authority obtains stored data from the platform's US entity "
            "under the Stored Communications Act.",
            when=_us_authority,
        ),
        RouteRule(
            id="routing.fr_domestic",
            regime=R,
            target=Regime.FR,
            article="Code de procédure pénale art. 60-1, 77-1-1, 99-3; Reg. (EU) 2023/1543 Art. 1(1)",
            explanation="A French authority's request to the platform's establishment in France "
            "follows French criminal procedure, emergencies included: it is not a cross-border "
            "case.",
            when=_fr_domestic,
        ),
        RouteRule(
            id="routing.domestic_national",
            regime=R,
            target=Regime.MLA,
            article="Reg. (EU) 2023/1543 Art. 1(1)",
            explanation="A request from the authority of the member state where the platform's "
            "addressee is established follows that state's own procedure, emergencies "
            "included; lawdesk does not encode it, so it goes to legal review.",
            when=_domestic_national,
        ),
        RouteRule(
            id="routing.eu_national_cross_border",
            regime=R,
            target=Regime.EU_EEVIDENCE,
            article="Reg. (EU) 2023/1543 Art. 1(1)",
            explanation="A national order from one member state to the platform's "
            "establishment in another is a cross-border request, which e-Evidence governs.",
            when=_eu_national_cross_border,
        ),
        RouteRule(
            id="routing.emergency_us_entity",
            regime=R,
            target=Regime.US_SCA,
            article="18 U.S.C. 2702(b)(8), 2702(c)(4)",
            explanation="An emergency request without compulsory process can be answered "
            "voluntarily by the platform's US entity.",
            when=_emergency_to_us_entity,
        ),
        RouteRule(
            id="routing.no_channel",
            regime=R,
            target=Regime.MLA,
            article="mutual legal assistance treaties; 18 U.S.C. 2523 (CLOUD Act agreements)",
            explanation="lawdesk knows no direct channel for this authority and instrument, "
            "so the request must come through mutual legal assistance.",
        ),
    ),
    duty_rules=(
        counsel_duty(
            R,
            "routing",
            "the privileges and immunities of the law that governs the request (e.g. Reg. (EU) "
            "2023/1543 Art. 5(9), 10(5); Code de procédure pénale art. 56-1 to 56-3, 60-1-1; "
            "28 C.F.R. 50.10)",
            {"any": "review by counsel of the privilege or immunity before anything is given"},
            always=True,
        ),
    ),
)
