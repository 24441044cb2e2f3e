"""Intelligence services, and civil or administrative requests outside criminal matters.

The channels lawdesk encodes serve criminal matters: e-Evidence (Reg. (EU) 2023/1543
Art. 2(2)), mutual legal assistance in criminal matters, CLOUD Act executive agreements
(serious crime, 18 U.S.C. 2523(b)(4)(D)(i)) and national criminal procedure. An intelligence
service, or a civil or administrative authority without a legal channel, is not a route to
mutual legal assistance: the answer is not_allowed, citing the provisions that bar the
disclosure. Where the authority is of the establishment's own state, a lawyer reviews the
power it cites (needs_further_process), because national law may give it one.
"""

from __future__ import annotations

from lawdesk.law.archive.r2026_11_2.regimes.common import domestic_to_eu_establishment, secret_chat_content
from lawdesk.law.archive.r2026_11_2.rules import CONTENT_ONLY, CategoryRule, Context, DeadlineRule, RegimeSpec
from lawdesk.law.archive.r2026_11_2.vocabulary import (
    EU_MEMBER_STATES,
    AuthorityKind,
    Outcome,
    Regime,
)

R = Regime.NON_CRIMINAL
BARS = (
    "Reg. (EU) 2016/679 (GDPR) Art. 48; 18 U.S.C. 2702(a)(1)-(3); Reg. (EU) 2023/1543 Art. 2(2); "
    "18 U.S.C. 2523(b)(4)(D)(i)"
)


def _intelligence(ctx: Context) -> bool:
    return ctx.facts.authority_kind is AuthorityKind.INTELLIGENCE_SERVICE


def _own_state(ctx: Context) -> bool:
    """The authority is of a state where the platform has an entity (EU establishment, US)."""
    return domestic_to_eu_establishment(ctx) or (
        ctx.facts.authority_country == "US" and ctx.establishment.us_entity
    )


def _third_country(ctx: Context) -> bool:
    return ctx.facts.authority_country not in EU_MEMBER_STATES


SPEC = RegimeSpec(
    regime=R,
    title="Intelligence, civil and administrative requests",
    source="Reg. (EU) 2016/679 (GDPR) Art. 48; 18 U.S.C. 2702(a), 2523(b)(4)(D)(i); "
    "Reg. (EU) 2023/1543 Art. 2(2); national law of the establishment's state",
    summary=(
        "Requests from intelligence services, and civil or administrative requests outside "
        "criminal matters. e-Evidence, mutual legal assistance in criminal matters and CLOUD "
        "Act agreements do not cover them; GDPR Art. 48 bars giving effect to a third country's "
        "order without an international agreement; 18 U.S.C. 2702(a) bars voluntary disclosure "
        "outside its exceptions. Such requests are not_allowed with these citations, except "
        "from the platform's own state, where a lawyer reviews the power cited."
    ),
    category_rules=(
        CategoryRule(
            id="noncriminal.secret_chat_content_not_held",
            regime=R,
            categories=CONTENT_ONLY,
            article="platform design: end-to-end encryption without provider keys",
            explanation="Secret-chat content is end-to-end encrypted and the platform holds no "
            "key, so it cannot be produced to anyone.",
            outcome=Outcome.NOT_HELD,
            when=secret_chat_content,
        ),
        CategoryRule(
            id="noncriminal.intelligence_own_state",
            regime=R,
            article="national intelligence law of the establishment's state (e.g. Code de la "
            "sécurité intérieure art. L851-1; 50 U.S.C. 1881a; 18 U.S.C. 2709)",
            explanation="An intelligence service of a state where the platform is established "
            "acts under that state's intelligence law, which lawdesk does not encode: a lawyer "
            "must review the power cited before anything is given.",
            outcome=Outcome.NEEDS_FURTHER_PROCESS,
            process="legal review under the national intelligence law cited",
            when=lambda ctx: _intelligence(ctx) and _own_state(ctx),
        ),
        CategoryRule(
            id="noncriminal.foreign_intelligence_service",
            regime=R,
            article=BARS,
            explanation="A foreign intelligence service has no channel to the platform: "
            "e-Evidence is for criminal proceedings only, mutual legal assistance and CLOUD Act "
            "agreements cover crime, GDPR Art. 48 bars giving effect to a third country's order "
            "without an international agreement, and 2702(a) bars voluntary disclosure outside "
            "its exceptions. Refuse; this is not a route to mutual legal assistance.",
            outcome=Outcome.NOT_ALLOWED,
            when=_intelligence,
        ),
        CategoryRule(
            id="noncriminal.own_state_civil_or_administrative",
            regime=R,
            article="national law of the establishment's state (administrative or civil rights "
            "of communication)",
            explanation="A civil or administrative authority of the establishment's own state "
            "may have a statutory right of communication, which lawdesk does not encode: a "
            "lawyer must review the power cited.",
            outcome=Outcome.NEEDS_FURTHER_PROCESS,
            process="legal review of the civil or administrative power cited",
            when=_own_state,
        ),
        CategoryRule(
            id="noncriminal.third_country_civil_or_administrative",
            regime=R,
            article="Reg. (EU) 2016/679 (GDPR) Art. 48; 18 U.S.C. 2702(a)(1)-(3); "
            "18 U.S.C. 2523(b)(4)(D)(i)",
            explanation="A third country's civil or administrative order may be given effect "
            "only on an international agreement (GDPR Art. 48); mutual legal assistance treaties "
            "and CLOUD Act agreements cover criminal matters, and 2702(a) bars voluntary "
            "disclosure outside its exceptions. Refuse.",
            outcome=Outcome.NOT_ALLOWED,
            when=_third_country,
        ),
        CategoryRule(
            id="noncriminal.eu_cross_border_civil_or_administrative",
            regime=R,
            article="Reg. (EU) 2023/1543 Art. 2(2); Reg. (EU) 2020/1783; 18 U.S.C. 2702(a)(1)-(3)",
            explanation="Another member state's civil or administrative order has no effect on "
            "the platform's establishment: e-Evidence is for criminal proceedings only, and the "
            "authority must use the cooperation instrument of its field (e.g. Reg. (EU) "
            "2020/1783 for evidence in civil matters) or a DSA Art. 10 order. Refuse as sent.",
            outcome=Outcome.NOT_ALLOWED,
        ),
    ),
    deadline_rules=(
        DeadlineRule(
            id="noncriminal.default_response",
            regime=R,
            article="lawdesk deployment setting (no statutory period)",
            explanation="No law sets a period; the refusal or the review is answered within the "
            "deployment's default response time.",
            config_key="default_response",
        ),
    ),
)
