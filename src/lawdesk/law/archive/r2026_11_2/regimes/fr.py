"""France: judicial requisitions under the Code de procédure pénale (national regime)."""

from __future__ import annotations

from types import MappingProxyType

from lawdesk.law.archive.r2026_11_2.basis import in_criminal_matters
from lawdesk.law.archive.r2026_11_2.regimes.common import (
    incomplete,
    is_preservation,
    national_instrument,
    secret_chat_content,
)
from lawdesk.law.archive.r2026_11_2.regimes.privileges import counsel_duty, kind_is, protected, unknown_rule
from lawdesk.law.archive.r2026_11_2.rules import (
    CONTENT_ONLY,
    CategoryRule,
    Context,
    DeadlineRule,
    DutyRule,
    RegimeSpec,
)
from lawdesk.law.archive.r2026_11_2.vocabulary import (
    PROTECTED,
    DataCategory,
    Duty,
    InstrumentType,
    IssuerRole,
    Outcome,
    ProtectedStatus,
    Regime,
)

R = Regime.FR
CPP = "Code de procédure pénale"
SUBSCRIBER_ONLY = frozenset({DataCategory.SUBSCRIBER})
IDENTIFICATION_ONLY = frozenset({DataCategory.IDENTIFICATION})
CONNECTION_DATA = frozenset({DataCategory.IDENTIFICATION, DataCategory.TRAFFIC})
AUTHORISING = frozenset(
    {IssuerRole.PROSECUTOR, IssuerRole.INVESTIGATING_JUDGE, IssuerRole.JUDGE, IssuerRole.COURT}
)
JUDGES = frozenset({IssuerRole.INVESTIGATING_JUDGE, IssuerRole.JUDGE, IssuerRole.COURT})
SERIOUS_MONTHS = 36  # art. 60-1-2 1°: crime or délit punishable by at least 3 years
ONLINE_MONTHS = 12  # art. 60-1-2 2°: délit of at least 1 year committed online, to identify


def _police_without_authorisation(ctx: Context) -> bool:
    f = ctx.facts
    return (
        f.instrument is InstrumentType.POLICE_REQUISITION
        and not f.flagrante_delicto
        and not ctx.issued_or_validated_by(AUTHORISING)
    )


def _sentence_unknown(ctx: Context) -> bool:
    return ctx.facts.max_sentence_months is None


def _serious(ctx: Context) -> bool:
    months = ctx.facts.max_sentence_months
    return months is not None and months >= SERIOUS_MONTHS


def _one_year_or_more(ctx: Context) -> bool:
    months = ctx.facts.max_sentence_months
    return months is not None and months >= ONLINE_MONTHS


def _online_identification(ctx: Context) -> bool:
    return ctx.facts.offence_committed_online is True and _one_year_or_more(ctx)


def _online_unknown(ctx: Context) -> bool:
    """Art. 60-1-2 2°: an offence of 1 to 3 years; whether it was committed online decides."""
    return ctx.facts.offence_committed_online is None and _one_year_or_more(ctx) and not _serious(ctx)


def _not_a_requisition(ctx: Context) -> bool:
    return not national_instrument(ctx)


def _not_criminal(ctx: Context) -> bool:
    # A missing-person search (art. 74-1, 80-4) is a judicial procedure without an offence.
    return not in_criminal_matters(ctx.facts) and not ctx.facts.missing_person_search


def _missing_person(ctx: Context) -> bool:
    return ctx.facts.missing_person_search


def _victim_device(ctx: Context) -> bool:
    months = ctx.facts.max_sentence_months
    return ctx.facts.victim_own_device and months is not None and months > 0


def _other_protected(ctx: Context) -> bool:
    """Protected, but not by one of the statuses with their own rule (legacy immunity flag)."""
    return protected(ctx) and ctx.facts.protected_status not in PROTECTED and not is_preservation(ctx)


def _criminal(ctx: Context) -> bool:
    return in_criminal_matters(ctx.facts)


SPEC = RegimeSpec(
    regime=R,
    title="France: judicial requisitions",
    source="Code de procédure pénale art. 11, 56-1 to 56-3, 60-1, 60-1-1, 60-1-2, 60-2, 77-1-1, "
    "99-3, 706-95-1, 706-95-2; loi du 29 juillet 1881 art. 2; "
    "Code des postes et des communications électroniques art. L34-1",
    summary=(
        "A French authority's national order to the platform's establishment in France: a "
        "requisition by a judicial police officer in a flagrante delicto inquiry (art. 60-1), in "
        "a preliminary inquiry with the prosecutor's authorisation (art. 77-1-1), or by or for "
        "an investigating judge (art. 99-3). Connection and traffic data are further limited "
        "by art. 60-1-2. Cross-border requests from France to another member state follow "
        "e-Evidence."
    ),
    category_rules=(
        CategoryRule(
            id="fr.secret_chat_content_not_held",
            regime=R,
            categories=CONTENT_ONLY,
            article=f"{CPP} art. 60-1 al. 1",
            explanation="A requisition reaches information the platform holds; secret-chat "
            "content is end-to-end encrypted and the platform holds no key.",
            outcome=Outcome.NOT_HELD,
            when=secret_chat_content,
        ),
        CategoryRule(
            id="fr.not_criminal",
            regime=R,
            article=f"{CPP} art. 60-1, 77-1-1, 99-3",
            explanation="Judicial requisitions serve a criminal inquiry or investigation; a civil "
            "or administrative authority's request rests on its own statutory right of "
            "communication, which lawdesk does not encode: a lawyer must review it.",
            outcome=Outcome.NEEDS_FURTHER_PROCESS,
            process="legal review of the administrative right of communication cited",
            when=_not_criminal,
        ),
        CategoryRule(
            id="fr.not_a_requisition",
            regime=R,
            article=f"{CPP} art. 60-1, 77-1-1, 99-3, 60-1-2",
            explanation="A French authority addressing the platform's establishment in France "
            "uses a judicial requisition, emergencies included (in an emergency, a judicial "
            "police officer's requisition in a flagrante delicto inquiry, art. 60-1); this "
            "request is not one, and an EPOC is for cross-border cases only.",
            outcome=Outcome.NEEDS_FURTHER_PROCESS,
            process="French judicial requisition (Code de procédure pénale art. 60-1, 77-1-1 or "
            "99-3, within art. 60-1-2)",
            when=_not_a_requisition,
        ),
        CategoryRule(
            id="fr.incomplete_requisition",
            regime=R,
            article=f"{CPP} art. 60-1 al. 1",
            explanation="The requisition is incomplete or has a manifest error: ask the "
            "requesting officer or magistrate to correct it.",
            outcome=Outcome.NEEDS_FURTHER_PROCESS,
            process="clarification by the requesting authority",
            when=incomplete,
        ),
        CategoryRule(
            id="fr.art77_1_1.prosecutor_authorisation",
            regime=R,
            article=f"{CPP} art. 60-1, 77-1-1, 151",
            explanation="Outside a flagrante delicto inquiry a judicial police officer's "
            "requisition needs the prosecutor's authorisation (preliminary inquiry, art. "
            "77-1-1) or an investigating judge's rogatory commission (art. 151).",
            outcome=Outcome.NEEDS_FURTHER_PROCESS,
            process="authorisation of the prosecutor or an investigating judge",
            when=_police_without_authorisation,
        ),
        CategoryRule(
            id="fr.art60_1_1.lawyer_connection_data",
            regime=R,
            categories=CONNECTION_DATA,
            article=f"{CPP} art. 60-1 al. 3, 60-1-1",
            explanation="The connection data of a lawyer may be requisitioned only on a reasoned "
            "order of the liberty and custody judge, at the prosecutor's request.",
            outcome=Outcome.NEEDS_FURTHER_PROCESS,
            process="reasoned order of the juge des libertés et de la détention (CPP art. 60-1-1)",
            when=kind_is(ProtectedStatus.LAWYER),
        ),
        CategoryRule(
            id="fr.art56_1.lawyer_professional_secrecy",
            regime=R,
            article=f"{CPP} art. 56-1, 60-1 al. 3",
            explanation="The data of a lawyer is covered by professional secrecy and the rights "
            "of the defence: counsel must review the requisition before anything is given.",
            outcome=Outcome.NEEDS_FURTHER_PROCESS,
            process="review by counsel of the lawyer's professional secrecy (CPP art. 56-1)",
            when=kind_is(ProtectedStatus.LAWYER),
        ),
        CategoryRule(
            id="fr.loi1881_art2.secrecy_of_sources",
            regime=R,
            article=f"{CPP} art. 56-2, 60-1; loi du 29 juillet 1881 art. 2",
            explanation="The secrecy of a journalist's sources may be interfered with only when an "
            "overriding requirement of public interest justifies it and the measure is strictly "
            "necessary and proportionate: counsel must review the requisition.",
            outcome=Outcome.NEEDS_FURTHER_PROCESS,
            process="review by counsel of the overriding public interest (loi du 29 juillet 1881 "
            "art. 2)",
            when=kind_is(ProtectedStatus.JOURNALIST),
        ),
        CategoryRule(
            id="fr.art56_3.medical_secrecy",
            regime=R,
            article=f"{CPP} art. 56-3, 60-1 al. 3",
            explanation="A doctor's data is covered by medical secrecy: counsel must review the "
            "requisition before anything is given.",
            outcome=Outcome.NEEDS_FURTHER_PROCESS,
            process="review by counsel of medical secrecy (CPP art. 56-3)",
            when=kind_is(ProtectedStatus.DOCTOR),
        ),
        CategoryRule(
            id="fr.constitution_art26.parliamentary_immunity",
            regime=R,
            article="Constitution du 4 octobre 1958 art. 26",
            explanation="A member of parliament may not be subjected to coercive measures without "
            "the authorisation of the bureau of their assembly, except in flagrante delicto: "
            "counsel must review the requisition.",
            outcome=Outcome.NEEDS_FURTHER_PROCESS,
            process="review by counsel of parliamentary immunity (Constitution art. 26)",
            when=kind_is(ProtectedStatus.MEMBER_OF_PARLIAMENT),
        ),
        CategoryRule(
            id="fr.vienna_convention.immunity",
            regime=R,
            article="Vienna Convention on Diplomatic Relations art. 24, 27, 29-31",
            explanation="The person has diplomatic or another immunity: their archives and "
            "correspondence are inviolable; counsel must review the requisition.",
            outcome=Outcome.NEEDS_FURTHER_PROCESS,
            process="review by counsel of the immunity",
            when=lambda ctx: kind_is(ProtectedStatus.DIPLOMATIC_OR_OTHER_IMMUNITY)(ctx)
            or _other_protected(ctx),
        ),
        unknown_rule(R, "fr", f"{CPP} art. 56-1 to 56-3, 60-1 al. 3, 60-1-1"),
        CategoryRule(
            id="fr.art60_2.preservation",
            regime=R,
            article=f"{CPP} art. 60-2 al. 2",
            explanation="On a requisition the platform must take without delay every measure to "
            "preserve the data asked for, for at most one year.",
            outcome=Outcome.ALLOWED,
            when=is_preservation,
        ),
        CategoryRule(
            id="fr.art60_1.subscriber",
            regime=R,
            categories=SUBSCRIBER_ONLY,
            article=f"{CPP} art. 60-1, 77-1-1, 99-3; CPCE art. L34-1 II bis 1°-2°",
            explanation="A judicial requisition may obtain the user's civil identity, account and "
            "payment data for any offence.",
            outcome=Outcome.ALLOWED,
        ),
        CategoryRule(
            id="fr.art60_1_2_4.missing_person",
            regime=R,
            categories=CONNECTION_DATA,
            article=f"{CPP} art. 60-1-2 4°, 74-1, 80-4",
            explanation="Connection and traffic data may be requisitioned to find a missing "
            "person (art. 74-1, 80-4), whatever the sentence.",
            outcome=Outcome.ALLOWED,
            when=_missing_person,
        ),
        CategoryRule(
            id="fr.art60_1_2_3.victim_device",
            regime=R,
            categories=CONNECTION_DATA,
            article=f"{CPP} art. 60-1-2 3°",
            explanation="Connection and traffic data of the victim's own terminal equipment may "
            "be requisitioned at the victim's request for a délit punishable by imprisonment.",
            outcome=Outcome.ALLOWED,
            when=_victim_device,
        ),
        CategoryRule(
            id="fr.art60_1_2.sentence_unknown",
            regime=R,
            categories=CONNECTION_DATA,
            article=f"{CPP} art. 60-1-2",
            explanation="Connection and traffic data depend on the maximum sentence, which the "
            "requisition does not state: ask the requesting authority.",
            outcome=Outcome.NEEDS_FURTHER_PROCESS,
            process="clarification of the maximum sentence",
            when=_sentence_unknown,
        ),
        CategoryRule(
            id="fr.art60_1_2.serious_offence",
            regime=R,
            categories=CONNECTION_DATA,
            article=f"{CPP} art. 60-1-2 1°",
            explanation="Connection and traffic data may be requisitioned for a crime or an "
            "offence punishable by at least 3 years' imprisonment.",
            outcome=Outcome.ALLOWED,
            when=_serious,
        ),
        CategoryRule(
            id="fr.art60_1_2.online_offence_identification",
            regime=R,
            categories=IDENTIFICATION_ONLY,
            article=f"{CPP} art. 60-1-2 2°",
            explanation="The connection data identifying the author may be requisitioned, for that "
            "sole purpose, for a délit punishable by at least 1 year's imprisonment committed "
            "through an electronic communications network.",
            outcome=Outcome.ALLOWED,
            when=_online_identification,
        ),
        CategoryRule(
            id="fr.art60_1_2.online_unknown",
            regime=R,
            categories=IDENTIFICATION_ONLY,
            article=f"{CPP} art. 60-1-2 2°",
            explanation="For an offence punishable by 1 to 3 years, the identifying connection "
            "data may be requisitioned only if the offence was committed through an electronic "
            "communications network, and the requisition does not say: ask the requesting "
            "authority.",
            outcome=Outcome.NEEDS_FURTHER_PROCESS,
            process="clarification whether the offence was committed through an electronic "
            "communications network",
            when=_online_unknown,
        ),
        CategoryRule(
            id="fr.art60_1_2.below_threshold",
            regime=R,
            categories=CONNECTION_DATA,
            article=f"{CPP} art. 60-1-2",
            explanation="Connection and traffic data may not be requisitioned outside the cases of "
            "art. 60-1-2: an offence of at least 3 years (1°), a délit of at least 1 year "
            "committed online to identify its author (2°), the victim's own device at their "
            "request (3°), a missing person (4°).",
            outcome=Outcome.NOT_ALLOWED,
        ),
        CategoryRule(
            id="fr.art706_95_1.content_needs_judge",
            regime=R,
            categories=CONTENT_ONLY,
            article=f"{CPP} art. 99-3, 706-95-1, 706-95-2",
            explanation="Stored correspondence needs a judge: the investigating judge (art. 99-3, "
            "706-95-2) or the liberty and custody judge's authorisation (art. 706-95-1), not a "
            "police or prosecutor's requisition alone.",
            outcome=Outcome.NEEDS_FURTHER_PROCESS,
            process="order or authorisation of a judge",
            when=lambda ctx: not ctx.issued_or_validated_by(JUDGES),
        ),
        CategoryRule(
            id="fr.art99_3.content_judge",
            regime=R,
            categories=CONTENT_ONLY,
            article=f"{CPP} art. 99-3, 706-95-1, 706-95-2",
            explanation="On the investigating judge's order or the liberty and custody judge's "
            "authorisation, stored correspondence may be obtained from the platform.",
            outcome=Outcome.ALLOWED,
        ),
    ),
    deadline_rules=(
        DeadlineRule(
            id="fr.art60_1.requisition_deadline",
            regime=R,
            article=f"{CPP} art. 60-1",
            explanation="Answer within the period the requisition sets; refusing without a "
            "legitimate reason is an offence. The deployment's default applies when none is "
            "stated.",
            config_key="fr_requisition",
        ),
    ),
    duty_rules=(
        counsel_duty(
            R,
            "fr",
            f"{CPP} art. 56-1 to 56-3, 60-1 al. 3, 60-1-1; loi du 29 juillet 1881 art. 2",
            {
                "lawyer": "order of the juge des libertés et de la détention (CPP art. 60-1-1) "
                "for connection data; professional secrecy review otherwise",
                "journalist": "overriding public interest (loi du 29 juillet 1881 art. 2)",
                "doctor": "medical secrecy review (CPP art. 56-3)",
                "member_of_parliament": "parliamentary immunity review (Constitution art. 26)",
                "diplomatic_or_other_immunity": "immunity review (Vienna Convention)",
                "unknown": "clarification by the requesting authority",
            },
        ),
        DutyRule(
            id="fr.art11.secrecy_of_the_inquiry",
            regime=R,
            article=f"{CPP} art. 11",
            explanation="The inquiry and the investigation are secret: the platform does not tell "
            "the user about the requisition.",
            duty=Duty.KEEP_CONFIDENTIAL,
            params=MappingProxyType({"platform_notifies": False}),
            when=_criminal,
        ),
        DutyRule(
            id="fr.art60_2.preserve",
            regime=R,
            article=f"{CPP} art. 60-2 al. 2",
            explanation="Preserve the data asked for, for at most one year.",
            duty=Duty.PRESERVE,
            params=MappingProxyType({"max_days": 365}),
            when=lambda ctx: is_preservation(ctx) and not _police_without_authorisation(ctx),
        ),
    ),
)
