"""EU e-Evidence: Regulation (EU) 2023/1543 on European Production and Preservation Orders."""

from __future__ import annotations

from datetime import UTC, datetime
from types import MappingProxyType

from lawdesk.law.archive.r2026_11_2 import deadlines as d
from lawdesk.law.archive.r2026_11_2.regimes.common import (
    domestic_to_eu_establishment,
    incomplete,
    is_emergency,
    is_preservation,
    is_production,
    national_instrument,
    secret_chat_content,
)
from lawdesk.law.archive.r2026_11_2.regimes.privileges import (
    counsel_duty,
    protected_disclosure,
    unknown_rule,
)
from lawdesk.law.archive.r2026_11_2.rules import (
    CONTENT_ONLY,
    HIGH_TIER,
    JUDGES,
    JUDGES_AND_PROSECUTORS,
    LOW_TIER,
    CategoryRule,
    Context,
    DeadlineRule,
    DutyRule,
    RegimeSpec,
)
from lawdesk.law.archive.r2026_11_2.vocabulary import (
    LISTED_ALWAYS,
    LISTED_IF_ONLINE,
    CallbackResult,
    DataCategory,
    Duty,
    EmergencyKind,
    ExPostValidation,
    Outcome,
    RefusalGround,
    Regime,
)

R = Regime.EU_EEVIDENCE
REG = "Reg. (EU) 2023/1543"
APPLIES_FROM = datetime(2026, 8, 18, tzinfo=UTC)  # Art. 34
THRESHOLD_MONTHS = 36  # Art. 5(4)(a): maximum custodial sentence of at least 3 years
SENTENCE_EXECUTION_MONTHS = 4  # Art. 5(3), 5(4)(d)


def _not_yet_applicable(ctx: Context) -> bool:
    at = ctx.reference_time
    return at is not None and at < APPLIES_FROM


def _denmark(ctx: Context) -> bool:
    return ctx.facts.authority_country == "DK"


def _no_eu_addressee(ctx: Context) -> bool:
    return ctx.establishment.eu_member_state is None


def _domestic(ctx: Context) -> bool:
    return domestic_to_eu_establishment(ctx) and not national_instrument(ctx)


def _not_criminal(ctx: Context) -> bool:
    return not ctx.facts.criminal_proceedings and not _sentence_execution(ctx)


def in_scope(ctx: Context) -> bool:
    """The order is one the provider must execute under e-Evidence (scope rules all pass)."""
    return not (
        _not_yet_applicable(ctx)
        or _denmark(ctx)
        or _no_eu_addressee(ctx)
        or _domestic(ctx)
        or national_instrument(ctx)
        or _not_criminal(ctx)
    )


def _emergency_case(ctx: Context) -> bool:
    """An emergency case in the sense of Art. 3(18): a threat to life, physical integrity or
    safety of a person, or to critical infrastructure (whose disruption would threaten people)."""
    return is_emergency(ctx) and ctx.facts.emergency_kind in (
        EmergencyKind.THREAT_TO_LIFE_OR_PHYSICAL_INTEGRITY,
        EmergencyKind.CRITICAL_INFRASTRUCTURE,
    )


def _validated_low_tier(ctx: Context) -> bool:
    return (
        ctx.issued_or_validated_by(JUDGES_AND_PROSECUTORS)
        or ctx.facts.ex_post_validation is ExPostValidation.OBTAINED
    )


def _low_tier_issuer_missing(ctx: Context) -> bool:
    # Art. 4(5): in an emergency case the non-judicial authority may act without prior validation.
    return not _validated_low_tier(ctx) and not _emergency_case(ctx)


def _high_tier_issuer_missing(ctx: Context) -> bool:
    return not ctx.issued_or_validated_by(JUDGES)


def _unvalidated_emergency(ctx: Context) -> bool:
    return is_emergency(ctx) and not _validated_low_tier(ctx)


def _emergency_kind_unknown(ctx: Context) -> bool:
    return _unvalidated_emergency(ctx) and ctx.facts.emergency_kind is None


def _validation_refused(ctx: Context) -> bool:
    return is_emergency(ctx) and ctx.facts.ex_post_validation is ExPostValidation.REFUSED


def _ground_raised(ctx: Context) -> bool:
    return ctx.facts.enforcing_authority_ground is not None


def _callback_failed(ctx: Context) -> bool:
    return is_emergency(ctx) and ctx.facts.callback_result is CallbackResult.FAILED


def _listed(ctx: Context) -> bool:
    """Art. 5(4)(b)-(c): a listed offence whose conditions are known to be met."""
    f = ctx.facts
    return f.offence_category in LISTED_ALWAYS or (
        f.offence_category in LISTED_IF_ONLINE and f.offence_committed_online is True
    )


def _online_unknown(ctx: Context) -> bool:
    """Art. 5(4)(b): whether the listed offence was committed by means of an information system
    decides the order, and nobody said (below or without a known 3-year maximum)."""
    f = ctx.facts
    return (
        f.offence_category in LISTED_IF_ONLINE
        and f.offence_committed_online is None
        and not _threshold_met(ctx)
    )


def _domestic_fr(ctx: Context) -> bool:
    return _domestic(ctx) and ctx.facts.authority_country == "FR"


def _sentence_execution(ctx: Context) -> bool:
    months = ctx.facts.sentence_to_execute_months
    return months is not None and months >= SENTENCE_EXECUTION_MONTHS


def _threshold_met(ctx: Context) -> bool:
    months = ctx.facts.max_sentence_months
    return months is not None and months >= THRESHOLD_MONTHS


def _threshold_unknown(ctx: Context) -> bool:
    return ctx.facts.max_sentence_months is None and not _listed(ctx)


def _receipt_time_unknown(ctx: Context) -> bool:
    return ctx.reference_time is None


def _notification_missing(ctx: Context) -> bool:
    # Art. 8(2): no notification needed only when both the offence and the person are in the
    # issuing state; a known foreign residence without notification is a defect to clarify.
    f = ctx.facts
    abroad = [c for c in (f.person_residence, f.offence_country) if c is not None]
    return not f.enforcing_authority_notified and any(c != f.authority_country for c in abroad)


def _production_in_scope(ctx: Context) -> bool:
    return in_scope(ctx) and is_production(ctx)


def _preservation_in_scope(ctx: Context) -> bool:
    return in_scope(ctx) and is_preservation(ctx)


def _high_tier_notified(ctx: Context) -> bool:
    return (
        _production_in_scope(ctx)
        and ctx.asks(HIGH_TIER)
        and ctx.facts.enforcing_authority_notified
        and not _ground_raised(ctx)
    )


def _secret_chat_in_scope(ctx: Context) -> bool:
    return in_scope(ctx) and secret_chat_content(ctx)


def _incomplete_in_scope(ctx: Context) -> bool:
    return in_scope(ctx) and incomplete(ctx)


def _emergency_production(ctx: Context) -> bool:
    return (
        _production_in_scope(ctx)
        and is_emergency(ctx)
        and ctx.facts.emergency_kind is not EmergencyKind.OTHER
    )


SPEC = RegimeSpec(
    regime=R,
    title="EU e-Evidence Regulation",
    source="Regulation (EU) 2023/1543 (European Production and Preservation Orders), "
    "applicable from 18 August 2026; Directive (EU) 2023/1544 (legal representatives)",
    summary=(
        "Authorities of the member states bound by the Regulation order the platform's EU "
        "establishment or legal representative in another member state to produce (EPOC) or "
        "preserve (EPOC-PR) data. The provider does not re-judge necessity; it checks formal "
        "completeness, manifest errors, immunities, conflicting law and whether it holds the data."
    ),
    category_rules=(
        CategoryRule(
            id="eevidence.annex3.secret_chat_content_not_held",
            regime=R,
            article=f"{REG} Art. 10(7), Annex III",
            explanation="Secret chats are end-to-end encrypted and the platform holds no key, so "
            "their content cannot be produced; answer with Annex III, de-facto impossibility "
            "(Art. 10(7)).",
            categories=CONTENT_ONLY,
            outcome=Outcome.NOT_HELD,
            when=secret_chat_content,
        ),
        CategoryRule(
            id="eevidence.art34.receipt_time_unknown",
            regime=R,
            article=f"{REG} Art. 34, Art. 10(2)-(4)",
            explanation="Whether the Regulation applies (from 18 August 2026) and when the "
            "answer is due both depend on when the order was received, which the facts do not "
            "say: record the time of receipt (received_at).",
            outcome=Outcome.NEEDS_FURTHER_PROCESS,
            process="clarification: the time the order was received (received_at)",
            when=_receipt_time_unknown,
        ),
        CategoryRule(
            id="eevidence.art34.not_yet_applicable",
            regime=R,
            article=f"{REG} Art. 34",
            explanation="The e-Evidence Regulation applies only from 18 August 2026; an earlier "
            "request needs a European Investigation Order or mutual legal assistance.",
            outcome=Outcome.NEEDS_FURTHER_PROCESS,
            process="European Investigation Order or mutual legal assistance",
            when=_not_yet_applicable,
        ),
        CategoryRule(
            id="eevidence.denmark_not_bound",
            regime=R,
            article="Protocol No 22 on the position of Denmark, Art. 1-2; "
            f"{REG} (adopted under Art. 82(1) TFEU)",
            explanation="Denmark does not take part in the e-Evidence Regulation, so a Danish "
            "authority cannot issue an EPOC and must use mutual legal assistance.",
            outcome=Outcome.NEEDS_FURTHER_PROCESS,
            process="mutual legal assistance",
            when=_denmark,
        ),
        CategoryRule(
            id="eevidence.art7.no_eu_addressee",
            regime=R,
            article=f"{REG} Art. 7; Directive (EU) 2023/1544 Art. 3",
            explanation="The deployment has no EU establishment or legal representative to "
            "receive the order, so it cannot be executed under e-Evidence (fix the "
            "establishment configuration).",
            outcome=Outcome.NEEDS_FURTHER_PROCESS,
            process="mutual legal assistance",
            when=_no_eu_addressee,
        ),
        CategoryRule(
            id="eevidence.art1_1.domestic_order_fr",
            regime=R,
            article=f"{REG} Art. 1(1); Code de procédure pénale art. 60-1, 77-1-1, 99-3, 60-1-2",
            explanation="An EPOC is for cross-border cases; a French authority addressing the "
            "platform's establishment in France uses a judicial requisition under the Code de "
            "procédure pénale, emergencies included.",
            outcome=Outcome.NEEDS_FURTHER_PROCESS,
            process="French judicial requisition (Code de procédure pénale art. 60-1, 77-1-1 or "
            "99-3, within art. 60-1-2)",
            when=_domestic_fr,
        ),
        CategoryRule(
            id="eevidence.art1_1.domestic_order",
            regime=R,
            article=f"{REG} Art. 1(1)",
            explanation="An EPOC is for cross-border cases; an authority of the member state "
            "where the platform is established must use its national procedure, emergencies "
            "included.",
            outcome=Outcome.NEEDS_FURTHER_PROCESS,
            process="national order of the establishment's member state",
            when=_domestic,
        ),
        CategoryRule(
            id="eevidence.art1_1.national_order_cross_border",
            regime=R,
            article=f"{REG} Art. 1(1), Art. 34",
            explanation="Since 18 August 2026 a national order does not reach the platform's "
            "establishment in another member state; the authority must issue an EPOC or "
            "EPOC-PR.",
            outcome=Outcome.NEEDS_FURTHER_PROCESS,
            process="European Production Order (EPOC) or Preservation Order (EPOC-PR)",
            when=national_instrument,
        ),
        CategoryRule(
            id="eevidence.art2.criminal_proceedings_only",
            regime=R,
            article=f"{REG} Art. 2(2)",
            explanation="EPOCs and EPOC-PRs may only be issued in the framework and for the "
            "purposes of criminal proceedings, or to execute a custodial sentence or detention "
            "order of at least 4 months; a civil, administrative or intelligence matter has no "
            "e-Evidence channel.",
            outcome=Outcome.NOT_ALLOWED,
            when=_not_criminal,
        ),
        CategoryRule(
            id="eevidence.art4_5.validation_refused",
            regime=R,
            article=f"{REG} Art. 4(5)",
            explanation="Ex-post validation of the emergency order was refused: the issuing "
            "authority must withdraw the order at once and delete, or restrict the use of, any "
            "data already obtained. Produce nothing more.",
            outcome=Outcome.NOT_ALLOWED,
            when=_validation_refused,
        ),
        CategoryRule(
            id="eevidence.art12.ground_for_refusal_raised",
            regime=R,
            article=f"{REG} Art. 10(2), Art. 10(4), Art. 12(1)",
            explanation="The enforcing authority raised a ground for refusal: the data must not "
            "be transferred, or must stop being transferred.",
            outcome=Outcome.NOT_ALLOWED,
            when=_ground_raised,
        ),
        CategoryRule(
            id="eevidence.art10_6.unconfirmed_emergency",
            regime=R,
            article=f"{REG} Art. 10(6), Annex III",
            explanation="Calling the authority back on its independently sourced number did not "
            "confirm this emergency order: it may be forged. Produce nothing and ask the issuing "
            "authority, through a channel you source yourself, to confirm it.",
            outcome=Outcome.NEEDS_FURTHER_PROCESS,
            process="confirmation of the order's authenticity by the issuing authority",
            when=_callback_failed,
        ),
        CategoryRule(
            id="eevidence.art10_6.incomplete_order",
            regime=R,
            article=f"{REG} Art. 10(6), Annex III",
            explanation="The order is incomplete or has a manifest error: ask the issuing "
            "authority for clarification; the clock pauses until it answers.",
            outcome=Outcome.NEEDS_FURTHER_PROCESS,
            process="clarification by the issuing authority",
            when=incomplete,
        ),
        CategoryRule(
            id="eevidence.annex3.immunities_or_press_freedom",
            regime=R,
            article=f"{REG} Art. 10(5), Art. 12(1)(a), Annex III",
            explanation="The person is protected by an immunity or privilege (lawyer, journalist, "
            "doctor, member of parliament, immunity) or press freedom is at stake in the "
            "enforcing state: inform the issuing and enforcing authorities with Annex III and "
            "wait for their decision; the enforcing authority may refuse the order.",
            outcome=Outcome.NEEDS_FURTHER_PROCESS,
            process="decision of the issuing and enforcing authorities on the immunity or "
            "privilege (Art. 10(5), Annex III; ground for refusal Art. 12(1)(a))",
            when=protected_disclosure,
        ),
        unknown_rule(R, "eevidence", f"{REG} Art. 5(9), Art. 10(5), Art. 10(6)"),
        CategoryRule(
            id="eevidence.art17.conflicting_obligations",
            regime=R,
            article=f"{REG} Art. 17(1)-(5)",
            explanation="Producing the data would breach the law of a third country: send a "
            "reasoned objection; the issuing authority reviews the order and may refer it to "
            "the competent court of its state.",
            outcome=Outcome.NEEDS_FURTHER_PROCESS,
            process="review of the reasoned objection by the issuing authority",
            when=lambda ctx: is_production(ctx) and ctx.facts.conflicting_third_country_law,
        ),
        CategoryRule(
            id="eevidence.art3_18.emergency_kind_unknown",
            regime=R,
            article=f"{REG} Art. 3(18), Art. 4(5)",
            explanation="Without prior validation an order is lawful only in an emergency case — "
            "an imminent threat to a person's life, physical integrity or safety, or to critical "
            "infrastructure — and the order does not say which: ask the issuing authority.",
            outcome=Outcome.NEEDS_FURTHER_PROCESS,
            process="clarification of the kind of emergency (Art. 3(18))",
            when=_emergency_kind_unknown,
        ),
        # Preservation (EPOC-PR).
        CategoryRule(
            id="eevidence.art4_3.preservation_issuer",
            regime=R,
            article=f"{REG} Art. 4(3)",
            explanation="An EPOC-PR must be issued or validated by a judge, court, investigating "
            "judge or prosecutor, except in an emergency case (Art. 3(18), 4(5)).",
            outcome=Outcome.NEEDS_FURTHER_PROCESS,
            process="validation by a judge, court, investigating judge or prosecutor",
            when=lambda ctx: is_preservation(ctx) and _low_tier_issuer_missing(ctx),
        ),
        CategoryRule(
            id="eevidence.art6.preservation",
            regime=R,
            article=f"{REG} Art. 4(3), Art. 6(3)",
            explanation="A preservation order may be issued for any criminal offence for which "
            "a production order could follow; preserve the data asked for.",
            outcome=Outcome.ALLOWED,
            when=is_preservation,
        ),
        # Production (EPOC): subscriber data and data to identify the user.
        CategoryRule(
            id="eevidence.art4_1.issuer_not_validated",
            regime=R,
            categories=LOW_TIER,
            article=f"{REG} Art. 4(1)(b)",
            explanation="An EPOC for subscriber or identification data from a police or other "
            "authority needs validation by a judge, court, investigating judge or prosecutor "
            "(outside an emergency case, Art. 3(18), 4(5)).",
            outcome=Outcome.NEEDS_FURTHER_PROCESS,
            process="validation by a judge, court, investigating judge or prosecutor",
            when=_low_tier_issuer_missing,
        ),
        CategoryRule(
            id="eevidence.art4_5.emergency_without_validation",
            regime=R,
            categories=LOW_TIER,
            article=f"{REG} Art. 4(5), Art. 5(3)",
            explanation="In an emergency a non-judicial authority may order subscriber or "
            "identification data without prior validation; validation must follow within 48 "
            "hours.",
            outcome=Outcome.ALLOWED,
            when=_unvalidated_emergency,
        ),
        CategoryRule(
            id="eevidence.art4_1.subscriber_prosecutor",
            regime=R,
            categories=LOW_TIER,
            article=f"{REG} Art. 4(1), Art. 5(3)",
            explanation="A judge, court, investigating judge or prosecutor may order subscriber "
            "and identification data for any criminal offence.",
            outcome=Outcome.ALLOWED,
        ),
        # Production (EPOC): traffic and content data.
        CategoryRule(
            id="eevidence.art4_2.needs_judge",
            regime=R,
            categories=HIGH_TIER,
            article=f"{REG} Art. 4(2)",
            explanation="Traffic and content data may only be ordered by a judge, court or "
            "investigating judge, or with their validation; a prosecutor's order is not enough.",
            outcome=Outcome.NEEDS_FURTHER_PROCESS,
            process="order or validation by a judge, court or investigating judge",
            when=_high_tier_issuer_missing,
        ),
        CategoryRule(
            id="eevidence.art5_4.threshold_unknown",
            regime=R,
            categories=HIGH_TIER,
            article=f"{REG} Art. 5(4), Annex I section H, Art. 10(6)",
            explanation="The order does not state the maximum sentence, which decides whether "
            "traffic or content data may be ordered: ask the issuing authority.",
            outcome=Outcome.NEEDS_FURTHER_PROCESS,
            process="clarification of the maximum sentence by the issuing authority",
            when=_threshold_unknown,
        ),
        CategoryRule(
            id="eevidence.art5_4_b.online_unknown",
            regime=R,
            categories=HIGH_TIER,
            article=f"{REG} Art. 5(4)(b), Art. 10(6)",
            explanation="Below the 3-year threshold, child sexual abuse, non-cash payment fraud "
            "and attacks on information systems count only if wholly or partly committed by "
            "means of an information system, and the order does not say whether this one was: "
            "ask the issuing authority.",
            outcome=Outcome.NEEDS_FURTHER_PROCESS,
            process="clarification whether the offence was committed by means of an information "
            "system",
            when=_online_unknown,
        ),
        CategoryRule(
            id="eevidence.art5_4.below_threshold",
            regime=R,
            categories=HIGH_TIER,
            article=f"{REG} Art. 5(4)(a)-(c)",
            explanation="Traffic and content data may only be ordered for offences punishable by "
            "a maximum of at least 3 years, for child sexual abuse (Dir. 2011/93/EU Art. 3-7), "
            "non-cash payment fraud (Dir. (EU) 2019/713 Art. 3-8) and attacks on information "
            "systems (Dir. 2013/40/EU Art. 3-8) wholly or partly committed by means of an "
            "information system, or for terrorist offences (Dir. (EU) 2017/541 Art. 3-12, 14).",
            outcome=Outcome.NOT_ALLOWED,
            when=lambda ctx: not (_threshold_met(ctx) or _listed(ctx)),
        ),
        CategoryRule(
            id="eevidence.art8_1.notification_missing",
            regime=R,
            categories=HIGH_TIER,
            article=f"{REG} Art. 8(1)-(2), Art. 10(6)",
            explanation="The person lives, or the offence took place, outside the issuing state, "
            "so the enforcing authority should have been notified of this traffic or content "
            "order: ask for clarification.",
            outcome=Outcome.NEEDS_FURTHER_PROCESS,
            process="notification of the enforcing authority (clarification)",
            when=_notification_missing,
        ),
        CategoryRule(
            id="eevidence.art5_4.traffic_content_judge",
            regime=R,
            categories=HIGH_TIER,
            article=f"{REG} Art. 4(2), Art. 5(4)",
            explanation="A judge, court or investigating judge may order traffic and content data "
            "for an offence punishable by at least 3 years or a listed offence on the conditions "
            "of Art. 5(4)(b)-(c).",
            outcome=Outcome.ALLOWED,
        ),
    ),
    deadline_rules=(
        DeadlineRule(
            id="eevidence.art11_1.preservation_period",
            regime=R,
            article=f"{REG} Art. 11(1)",
            explanation="Preserve for 60 days, extendable by 30 days (Annex VI) or until "
            "production once a follow-up request is confirmed (Annex V).",
            duration=d.EEVIDENCE_PRESERVATION,
            when=_preservation_in_scope,
        ),
        DeadlineRule(
            id="eevidence.art10_4.emergency",
            regime=R,
            article=f"{REG} Art. 10(4)",
            explanation="In an emergency the data must be produced without undue delay and at "
            "the latest within 8 hours of receipt.",
            duration=d.EEVIDENCE_EMERGENCY,
            when=_emergency_production,
        ),
        DeadlineRule(
            id="eevidence.art10_2.production",
            regime=R,
            article=f"{REG} Art. 10(2)-(3)",
            explanation="The data must be produced at the latest within 10 days of receipt.",
            duration=d.EEVIDENCE_PRODUCTION,
            when=_production_in_scope,
        ),
    ),
    duty_rules=(
        DutyRule(
            id="eevidence.art10_1.preserve_on_receipt",
            regime=R,
            article=f"{REG} Art. 10(1)",
            explanation="On receipt of a production order, preserve the data asked for at once.",
            duty=Duty.PRESERVE_ON_RECEIPT,
            when=_production_in_scope,
        ),
        DutyRule(
            id="eevidence.art11_1.preserve",
            regime=R,
            article=f"{REG} Art. 11(1), Annex V, Annex VI",
            explanation="Preserve the data for 60 days; 30 more on an extension, or until "
            "production once a production request is confirmed.",
            duty=Duty.PRESERVE,
            params=MappingProxyType({"days": 60, "extension_days": 30}),
            when=_preservation_in_scope,
        ),
        DutyRule(
            id="eevidence.art10_4.enforcing_authority_emergency",
            regime=R,
            article=f"{REG} Art. 8, Art. 10(4)",
            explanation="The enforcing authority was notified: it may raise a ground for refusal "
            "within 96 hours; on objection the traffic or content data must stop being sent.",
            duty=Duty.AWAIT_ENFORCING_AUTHORITY,
            params=MappingProxyType(
                {
                    "hours": 96,
                    "suspensive": False,
                    "categories": [DataCategory.TRAFFIC.value, DataCategory.CONTENT.value],
                }
            ),
            when=lambda ctx: _high_tier_notified(ctx) and is_emergency(ctx),
        ),
        DutyRule(
            id="eevidence.art10_2.enforcing_authority",
            regime=R,
            article=f"{REG} Art. 8, Art. 10(2)",
            explanation="The enforcing authority was notified: hold the traffic and content data "
            "until it confirms or the 10 days end; on objection do not send them.",
            duty=Duty.AWAIT_ENFORCING_AUTHORITY,
            params=MappingProxyType(
                {
                    "days": 10,
                    "suspensive": True,
                    "categories": [DataCategory.TRAFFIC.value, DataCategory.CONTENT.value],
                }
            ),
            when=lambda ctx: _high_tier_notified(ctx) and not is_emergency(ctx),
        ),
        DutyRule(
            id="eevidence.art4_5.ex_post_validation",
            regime=R,
            article=f"{REG} Art. 4(5)",
            explanation="The emergency order was issued without prior validation: validation "
            "must follow within 48 hours, otherwise the order is withdrawn and the data may not "
            "be used.",
            duty=Duty.EX_POST_VALIDATION,
            params=MappingProxyType({"hours": 48}),
            when=lambda ctx: (
                in_scope(ctx)
                and _unvalidated_emergency(ctx)
                and ctx.facts.ex_post_validation is not ExPostValidation.REFUSED
            ),
        ),
        DutyRule(
            id="eevidence.art4_5.stop_after_refused_validation",
            regime=R,
            article=f"{REG} Art. 4(5)",
            explanation="Ex-post validation was refused: stop executing the order, produce "
            "nothing more, and tell the issuing authority exactly what was already produced so "
            "it deletes that data or restricts its use, as Art. 4(5) requires of it.",
            duty=Duty.STOP_EXECUTION,
            params=MappingProxyType(
                {
                    "stop": True,
                    "data_already_produced": "issuing authority deletes it or restricts its use",
                    "tell_issuing_authority": "what was produced and when",
                }
            ),
            when=lambda ctx: in_scope(ctx) and _validation_refused(ctx),
        ),
        DutyRule(
            id="eevidence.art12.stop_on_ground_for_refusal",
            regime=R,
            article=f"{REG} Art. 10(2), Art. 10(4), Art. 12(1)",
            explanation="The enforcing authority raised a ground for refusal: outside an "
            "emergency the data is held until then and is not transferred (suspensive); in an "
            "emergency, transfers stop and the issuing authority must delete, or restrict the "
            "use of, data already transferred.",
            duty=Duty.STOP_EXECUTION,
            when=lambda ctx: in_scope(ctx) and _ground_raised(ctx),
        ),
        counsel_duty(
            R,
            "eevidence",
            f"{REG} Art. 5(9), Art. 10(5), Art. 12(1)(a), Annex III",
            {
                "lawyer": "Annex III notice; decision of the issuing and enforcing authorities",
                "journalist": "Annex III notice; decision of the issuing and enforcing authorities",
                "doctor": "Annex III notice; decision of the issuing and enforcing authorities",
                "member_of_parliament": "Annex III notice; decision of the issuing and "
                "enforcing authorities",
                "diplomatic_or_other_immunity": "Annex III notice; decision of the issuing and "
                "enforcing authorities",
                "unknown": "clarification by the issuing authority",
            },
        ),
        DutyRule(
            id="eevidence.art13_4.confidentiality",
            regime=R,
            article=f"{REG} Art. 13",
            explanation="The issuing authority, not the platform, informs the person whose data "
            "is sought; the platform keeps the order and the data confidential and intact and "
            "does not notify the user itself.",
            duty=Duty.KEEP_CONFIDENTIAL,
            params=MappingProxyType({"user_notice_by": "issuing_authority", "platform_notifies": False}),
            when=in_scope,
        ),
        DutyRule(
            id="eevidence.art10_6.request_clarification",
            regime=R,
            article=f"{REG} Art. 10(6), Annex III",
            explanation="Ask the issuing authority for clarification with Annex III without undue "
            "delay; the deadline pauses until it answers.",
            duty=Duty.REQUEST_CLARIFICATION,
            params=MappingProxyType(
                {
                    "ground": RefusalGround.INCOMPLETE_OR_MANIFEST_ERROR.value,
                    "pauses_deadline": True,
                }
            ),
            when=lambda ctx: (
                _incomplete_in_scope(ctx)
                or (_production_in_scope(ctx) and ctx.asks(HIGH_TIER) and _notification_missing(ctx))
            ),
        ),
        DutyRule(
            id="eevidence.annex3.immunities_notice",
            regime=R,
            article=f"{REG} Art. 10(5), Annex III",
            explanation="Inform the issuing and enforcing authorities with Annex III that the "
            "order may interfere with immunities, privileges or press freedom.",
            duty=Duty.ANNEX_III_NOTICE,
            params=MappingProxyType({"ground": RefusalGround.IMMUNITIES_OR_PRESS_FREEDOM.value}),
            when=lambda ctx: in_scope(ctx) and protected_disclosure(ctx),
        ),
        DutyRule(
            id="eevidence.art17.reasoned_objection",
            regime=R,
            article=f"{REG} Art. 17(1)-(2), Annex III",
            explanation="Send a reasoned objection on the conflicting third-country law within "
            "10 days of receipt, using Annex III.",
            duty=Duty.ANNEX_III_NOTICE,
            params=MappingProxyType({"ground": RefusalGround.CONFLICTING_OBLIGATIONS.value, "days": 10}),
            when=lambda ctx: _production_in_scope(ctx) and ctx.facts.conflicting_third_country_law,
        ),
        DutyRule(
            id="eevidence.annex3.de_facto_impossibility",
            regime=R,
            article=f"{REG} Art. 10(7), Annex III",
            explanation="Tell the issuing authority with Annex III that the secret-chat content "
            "cannot be produced (de-facto impossibility).",
            duty=Duty.ANNEX_III_NOTICE,
            params=MappingProxyType(
                {"ground": RefusalGround.DE_FACTO_IMPOSSIBILITY.value, "categories": ["content"]}
            ),
            when=_secret_chat_in_scope,
        ),
    ),
)
