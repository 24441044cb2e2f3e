"""US Stored Communications Act, 18 U.S.C. 2701-2713 (and the NCMEC report, 2258A)."""

from __future__ import annotations

from types import MappingProxyType

from lawdesk.law.archive.r2026_11_2 import deadlines as d
from lawdesk.law.archive.r2026_11_2.regimes.common import (
    discloses,
    instrument_is,
    is_emergency,
    is_preservation,
    is_production,
    secret_chat_content,
)
from lawdesk.law.archive.r2026_11_2.regimes.privileges import counsel_duty, kind_is, protected, unknown_rule
from lawdesk.law.archive.r2026_11_2.rules import (
    ALL_CATEGORIES,
    CONTENT_ONLY,
    JUDGES,
    LOW_TIER,
    CategoryRule,
    Context,
    DeadlineRule,
    DutyRule,
    RegimeSpec,
)
from lawdesk.law.archive.r2026_11_2.vocabulary import (
    EXECUTIVE_AGREEMENT_PARTNERS,
    PROTECTED,
    CallbackResult,
    DataCategory,
    DataHolder,
    Duty,
    EmergencyKind,
    InstrumentType,
    OffenceCategory,
    Outcome,
    ProtectedStatus,
    Regime,
)

R = Regime.US_SCA
USC = "18 U.S.C."
NON_CONTENT = LOW_TIER | {DataCategory.TRAFFIC}
TRAFFIC_ONLY = frozenset({DataCategory.TRAFFIC})

_warrant_instrument = instrument_is(InstrumentType.SEARCH_WARRANT)
_d_order_instrument = instrument_is(InstrumentType.US_2703D_ORDER)
_subpoena_instrument = instrument_is(InstrumentType.US_SUBPOENA)


def _no_us_entity(ctx: Context) -> bool:
    return not ctx.establishment.us_entity


def _us_authority(ctx: Context) -> bool:
    return ctx.facts.authority_country == "US"


# A foreign "search warrant" is not US process: every compulsory rule checks the authority.
def _warrant(ctx: Context) -> bool:
    return _us_authority(ctx) and _warrant_instrument(ctx)


def _d_order(ctx: Context) -> bool:
    return _us_authority(ctx) and _d_order_instrument(ctx)


def _subpoena(ctx: Context) -> bool:
    return _us_authority(ctx) and _subpoena_instrument(ctx)


def voluntary_emergency(ctx: Context) -> bool:
    """A US governmental entity's emergency: 2702(b)(8), (c)(4) allow voluntary disclosure."""
    return is_emergency(ctx) and _us_authority(ctx)


def _foreign_emergency(ctx: Context) -> bool:
    """A foreign authority's emergency: not a "governmental entity" (2711(4))."""
    return is_emergency(ctx) and not _us_authority(ctx)


_agreement_order = instrument_is(InstrumentType.EXECUTIVE_AGREEMENT_ORDER)
SERIOUS_CRIME_MONTHS = 36


def _voluntary_path(ctx: Context) -> bool:
    """An emergency answered under 2702 (not compulsory process, not an agreement order)."""
    return is_emergency(ctx) and not _agreement_order(ctx)


def _callback_failed(ctx: Context) -> bool:
    return _voluntary_path(ctx) and ctx.facts.callback_result is CallbackResult.FAILED


def _kind(ctx: Context) -> EmergencyKind | None:
    return ctx.facts.emergency_kind


def _kind_unknown(ctx: Context) -> bool:
    return _voluntary_path(ctx) and _kind(ctx) is None


def _kind_infrastructure(ctx: Context) -> bool:
    return _voluntary_path(ctx) and _kind(ctx) is EmergencyKind.CRITICAL_INFRASTRUCTURE


def _kind_other(ctx: Context) -> bool:
    return _voluntary_path(ctx) and _kind(ctx) is EmergencyKind.OTHER


def _data_held_abroad(ctx: Context) -> bool:
    return discloses(ctx) and ctx.facts.data_held_by is DataHolder.EU_ESTABLISHMENT


def _other_protected(ctx: Context) -> bool:
    return protected(ctx) and ctx.facts.protected_status not in PROTECTED and discloses(ctx)


def _agreement_not_partner(ctx: Context) -> bool:
    return _agreement_order(ctx) and ctx.facts.authority_country not in EXECUTIVE_AGREEMENT_PARTNERS


def _agreement_targets_us(ctx: Context) -> bool:
    return _agreement_order(ctx) and ctx.facts.user_location == "US"


def _agreement_location_unknown(ctx: Context) -> bool:
    return _agreement_order(ctx) and ctx.facts.user_location is None


def _agreement_no_review(ctx: Context) -> bool:
    return _agreement_order(ctx) and not ctx.issued_or_validated_by(JUDGES)


def _agreement_sentence_unknown(ctx: Context) -> bool:
    return _agreement_order(ctx) and ctx.facts.max_sentence_months is None


def _agreement_not_serious(ctx: Context) -> bool:
    months = ctx.facts.max_sentence_months
    return _agreement_order(ctx) and months is not None and months < SERIOUS_CRIME_MONTHS


def _us_preservation(ctx: Context) -> bool:
    return _us_authority(ctx) and is_preservation(ctx) and not _no_us_entity(ctx)


def _us_process(ctx: Context) -> bool:
    return _us_authority(ctx) and is_production(ctx) and not _no_us_entity(ctx)


def _emergency_with_entity(ctx: Context) -> bool:
    return is_emergency(ctx) and not _no_us_entity(ctx)


def _ncmec(ctx: Context) -> bool:
    f = ctx.facts
    return ctx.establishment.us_entity and (
        f.apparent_csam or f.offence_category is OffenceCategory.CHILD_SEXUAL_ABUSE
    )


SPEC = RegimeSpec(
    regime=R,
    title="US Stored Communications Act",
    source="18 U.S.C. 2701-2713 (Stored Communications Act); 18 U.S.C. 2258A (NCMEC reports)",
    summary=(
        "US federal and state authorities compel the platform's US entity with a subpoena "
        "(basic subscriber information), a 2703(d) court order (other non-content records) or a "
        "search warrant (content). Without process the platform may disclose only under the "
        "2702 exceptions, such as an emergency involving danger of death or serious injury. "
        "Foreign authorities get no compulsory process under the SCA."
    ),
    category_rules=(
        CategoryRule(
            id="sca.secret_chat_content_not_held",
            regime=R,
            categories=CONTENT_ONLY,
            article=f"{USC} 2703(a)-(b)",
            explanation="Secret-chat content is end-to-end encrypted and the platform holds no "
            "key, so no process can make it produce that content.",
            outcome=Outcome.NOT_HELD,
            when=secret_chat_content,
        ),
        CategoryRule(
            id="sca.no_us_entity",
            regime=R,
            article=f"{USC} 2703, 2713",
            explanation="The deployment has no US entity holding the data: whether US process "
            "served on the platform abroad binds it is a question of jurisdiction for a lawyer; "
            "otherwise the authority uses mutual legal assistance.",
            outcome=Outcome.NEEDS_FURTHER_PROCESS,
            process="mutual legal assistance",
            when=_no_us_entity,
        ),
        CategoryRule(
            id="sca.2713.data_held_by_eu_establishment",
            regime=R,
            article=f"{USC} 2713",
            explanation="The data is held by the platform's EU establishment, not its US entity: "
            "US process and 2702 disclosures reach data in the US entity's possession, custody "
            "or control, which a lawyer must establish first.",
            outcome=Outcome.NEEDS_FURTHER_PROCESS,
            process="legal review: whether the US entity has possession, custody or control of "
            "the data (18 U.S.C. 2713)",
            when=_data_held_abroad,
        ),
        CategoryRule(
            id="sca.28cfr50_10.news_media",
            regime=R,
            article="28 C.F.R. 50.10",
            explanation="Compulsory process for a member of the news media's records needs the "
            "Attorney General's authorisation under the Justice Department's news-media "
            "policy: counsel must review the request.",
            outcome=Outcome.NEEDS_FURTHER_PROCESS,
            process="review by counsel of the news-media authorisation (28 C.F.R. 50.10)",
            when=kind_is(ProtectedStatus.JOURNALIST),
        ),
        CategoryRule(
            id="sca.fre501.privilege",
            regime=R,
            article="Fed. R. Evid. 501",
            explanation="The person is a lawyer, a doctor or a member of Congress: privileges "
            "(attorney-client, physician-patient, Speech or Debate Clause) may protect the data, "
            "so counsel must review the request before anything is given.",
            outcome=Outcome.NEEDS_FURTHER_PROCESS,
            process="privilege review by counsel",
            when=kind_is(
                ProtectedStatus.LAWYER, ProtectedStatus.DOCTOR, ProtectedStatus.MEMBER_OF_PARLIAMENT
            ),
        ),
        CategoryRule(
            id="sca.vienna_convention.immunity",
            regime=R,
            article="Vienna Convention on Diplomatic Relations art. 24, 27, 29-31",
            explanation="The person has diplomatic or another immunity: their archives and "
            "correspondence are inviolable; counsel must review the request.",
            outcome=Outcome.NEEDS_FURTHER_PROCESS,
            process="review by counsel of the immunity",
            when=lambda ctx: kind_is(ProtectedStatus.DIPLOMATIC_OR_OTHER_IMMUNITY)(ctx)
            or _other_protected(ctx),
        ),
        unknown_rule(R, "sca", "28 C.F.R. 50.10; Fed. R. Evid. 501"),
        CategoryRule(
            id="sca.2703_f.preservation",
            regime=R,
            article=f"{USC} 2703(f)",
            explanation="On a US government request the platform must preserve the records and "
            "content it holds pending legal process.",
            outcome=Outcome.ALLOWED,
            when=_us_preservation,
        ),
        CategoryRule(
            id="sca.2703_a_b.warrant",
            regime=R,
            article=f"{USC} 2703(a), 2703(b)(1)(A), 2703(c)(1)(A)",
            explanation="A search warrant based on probable cause compels content and all "
            "non-content records.",
            outcome=Outcome.ALLOWED,
            when=_warrant,
        ),
        CategoryRule(
            id="sca.2703_d.non_content",
            regime=R,
            categories=NON_CONTENT,
            article=f"{USC} 2703(c)(1)(B), 2703(d)",
            explanation="A 2703(d) court order on specific and articulable facts compels "
            "non-content records such as logs, IP history and correspondents.",
            outcome=Outcome.ALLOWED,
            when=_d_order,
        ),
        CategoryRule(
            id="sca.2703_c2.subpoena_basic_subscriber",
            regime=R,
            categories=LOW_TIER,
            article=f"{USC} 2703(c)(2)",
            explanation="A subpoena compels basic subscriber information: name, address, session "
            "times, service type, phone number, temporarily assigned IP address, means of payment.",
            outcome=Outcome.ALLOWED,
            when=_subpoena,
        ),
        CategoryRule(
            id="sca.2523.not_an_agreement_partner",
            regime=R,
            article=f"{USC} 2523(b), 2702(b)(9), 2702(c)(7)",
            explanation="The issuing state has no CLOUD Act executive agreement in force with the "
            "United States (in force: United Kingdom, Australia), so the order is not one "
            "2702(b)(9) or (c)(7) lets the platform answer: mutual legal assistance.",
            outcome=Outcome.NEEDS_FURTHER_PROCESS,
            process="mutual legal assistance",
            when=_agreement_not_partner,
        ),
        CategoryRule(
            id="sca.2523_b_4_a.targets_person_in_us",
            regime=R,
            article=f"{USC} 2523(b)(4)(A)-(B)",
            explanation="An order under an executive agreement may not target a US person or a "
            "person located in the United States, and this user is located there.",
            outcome=Outcome.NOT_ALLOWED,
            when=_agreement_targets_us,
        ),
        CategoryRule(
            id="sca.2523_b_4_a.user_location_unknown",
            regime=R,
            article=f"{USC} 2523(b)(4)(A)-(B)",
            explanation="An order under an executive agreement may not target a US person or a "
            "person located in the United States; where the user is located is not known: ask "
            "the issuing authority.",
            outcome=Outcome.NEEDS_FURTHER_PROCESS,
            process="clarification of where the user is located (and that they are not a US "
            "person)",
            when=_agreement_location_unknown,
        ),
        CategoryRule(
            id="sca.2523_b_4_d_v.independent_review",
            regime=R,
            article=f"{USC} 2523(b)(4)(D)(v)",
            explanation="An order under an executive agreement must be subject to review or "
            "oversight by a court, judge, magistrate or other independent authority, and this "
            "one shows none.",
            outcome=Outcome.NEEDS_FURTHER_PROCESS,
            process="review or oversight of the order by a court, judge or other independent "
            "authority",
            when=_agreement_no_review,
        ),
        CategoryRule(
            id="sca.2523_b_4_d_i.sentence_unknown",
            regime=R,
            article=f"{USC} 2523(b)(4)(D)(i)",
            explanation="An order under an executive agreement must concern serious crime, and the "
            "order does not state the maximum sentence: ask the issuing authority.",
            outcome=Outcome.NEEDS_FURTHER_PROCESS,
            process="clarification of the maximum sentence",
            when=_agreement_sentence_unknown,
        ),
        CategoryRule(
            id="sca.2523_b_4_d_i.not_serious_crime",
            regime=R,
            article=f"{USC} 2523(b)(4)(D)(i); US-UK Agreement on Access to Electronic Data "
            "Art. 1 (Serious Crime)",
            explanation="An order under an executive agreement must concern serious crime — under "
            "the agreements, an offence punishable by a maximum of at least three years' "
            "imprisonment — and this offence is not.",
            outcome=Outcome.NOT_ALLOWED,
            when=_agreement_not_serious,
        ),
        CategoryRule(
            id="sca.2702_b9_c7.executive_agreement_order",
            regime=R,
            article=f"{USC} 2702(b)(9), 2702(c)(7), 2523",
            explanation="An order of a partner state under a CLOUD Act executive agreement, "
            "reviewed by an independent authority, for serious crime and not targeting a person "
            "in the United States: the SCA lets the platform disclose content and records in "
            "answer to it.",
            outcome=Outcome.ALLOWED,
            voluntary=True,
            when=_agreement_order,
        ),
        CategoryRule(
            id="sca.2702.callback_failed",
            regime=R,
            article=f"{USC} 2702(a), 2702(b)(8), 2702(c)(4), 2702(c)(6)",
            explanation="Calling the agency back on its independently sourced number did not "
            "confirm the emergency: the request may be forged and there is no good-faith belief "
            "in an emergency, so nothing may be disclosed voluntarily.",
            outcome=Outcome.NOT_ALLOWED,
            when=_callback_failed,
        ),
        CategoryRule(
            id="sca.2702.emergency_kind_unknown",
            regime=R,
            article=f"{USC} 2702(b)(8), 2702(c)(4)",
            explanation="Voluntary emergency disclosure needs a good-faith belief in an emergency "
            "involving danger of death or serious physical injury, and the request does not say "
            "what the danger is: ask the agency.",
            outcome=Outcome.NEEDS_FURTHER_PROCESS,
            process="clarification of the emergency (danger of death or serious physical injury)",
            when=_kind_unknown,
        ),
        CategoryRule(
            id="sca.2702.critical_infrastructure_needs_danger_to_people",
            regime=R,
            article=f"{USC} 2702(b)(8), 2702(c)(4)",
            explanation="A threat to critical infrastructure is an emergency under 2702 only if "
            "it involves danger of death or serious physical injury to a person: ask the agency "
            "to confirm that it does.",
            outcome=Outcome.NEEDS_FURTHER_PROCESS,
            process="confirmation of danger of death or serious physical injury to a person",
            when=_kind_infrastructure,
        ),
        CategoryRule(
            id="sca.2702.not_an_emergency",
            regime=R,
            article=f"{USC} 2702(a), 2702(b)(8), 2702(c)(4)",
            explanation="The danger claimed is not one of death or serious physical injury, so the "
            "emergency exception does not apply: the agency needs legal process.",
            outcome=Outcome.NEEDS_FURTHER_PROCESS,
            process="legal process (subpoena, 2703(d) order or search warrant) or mutual legal "
            "assistance",
            when=_kind_other,
        ),
        CategoryRule(
            id="sca.2702_c4.emergency_non_content",
            regime=R,
            categories=NON_CONTENT,
            article=f"{USC} 2702(c)(4)",
            explanation="In an emergency involving danger of death or serious physical injury "
            "the platform may, in good faith, disclose non-content records relating to the "
            "emergency; it is voluntary and limited to that data.",
            outcome=Outcome.ALLOWED,
            scope="relating_to_emergency",
            voluntary=True,
            when=voluntary_emergency,
        ),
        CategoryRule(
            id="sca.2702_b8.emergency_content",
            regime=R,
            categories=CONTENT_ONLY,
            article=f"{USC} 2702(b)(8)",
            explanation="In an emergency involving danger of death or serious physical injury "
            "the platform may, in good faith, disclose content relating to the emergency; it is "
            "voluntary and limited to that data.",
            outcome=Outcome.ALLOWED,
            scope="relating_to_emergency",
            voluntary=True,
            when=voluntary_emergency,
        ),
        CategoryRule(
            id="sca.2702_c6.foreign_emergency_non_content",
            regime=R,
            categories=NON_CONTENT,
            article=f"{USC} 2702(c)(6), 2711(4); 2702(a)(3)",
            explanation="A foreign authority is not a 'governmental entity' (2711(4)), so the "
            "SCA's bar on giving records to the government (2702(a)(3)) and its emergency "
            "exception (2702(c)(4)) do not apply; 2702(c)(6) lets the platform disclose "
            "non-content records relating to the emergency voluntarily, in good faith, and "
            "no more.",
            outcome=Outcome.ALLOWED,
            scope="relating_to_emergency",
            voluntary=True,
            when=_foreign_emergency,
        ),
        CategoryRule(
            id="sca.2702_a.foreign_emergency_content_prohibited",
            regime=R,
            categories=CONTENT_ONLY,
            article=f"{USC} 2702(a)(1)-(2), 2702(b)(8), 2702(b)(9), 2711(4)",
            explanation="2702(a)(1)-(2) prohibit disclosing the content of communications to "
            "anyone outside the listed exceptions; the emergency exception (2702(b)(8)) is for "
            "US governmental entities only, so a foreign authority gets content only with an "
            "order under a CLOUD Act executive agreement (2702(b)(9)) or through mutual legal "
            "assistance.",
            outcome=Outcome.NEEDS_FURTHER_PROCESS,
            process="order under a CLOUD Act executive agreement (18 U.S.C. 2702(b)(9), 2523) or "
            "mutual legal assistance",
            when=_foreign_emergency,
        ),
        CategoryRule(
            id="sca.foreign_authority",
            regime=R,
            article=f"{USC} 2711(4), 2523",
            explanation="A foreign authority gets no compulsory process under the SCA; outside an "
            "emergency it must use mutual legal assistance or a CLOUD Act agreement.",
            outcome=Outcome.NEEDS_FURTHER_PROCESS,
            process="mutual legal assistance or a CLOUD Act agreement",
            when=lambda ctx: not _us_authority(ctx),
        ),
        CategoryRule(
            id="sca.2703_d.traffic_needs_d_order",
            regime=R,
            categories=TRAFFIC_ONLY,
            article=f"{USC} 2703(c)(1)(B), 2703(d)",
            explanation="Message metadata and other non-content records beyond basic subscriber "
            "information need a 2703(d) court order or a warrant; a subpoena is not enough.",
            outcome=Outcome.NEEDS_FURTHER_PROCESS,
            process="2703(d) court order",
            when=_subpoena,
        ),
        CategoryRule(
            id="sca.2703_b.content_needs_warrant",
            regime=R,
            categories=CONTENT_ONLY,
            article=f"{USC} 2703(b); United States v. Warshak (6th Cir. 2010)",
            explanation="Content needs a search warrant based on probable cause (provider "
            "practice since Warshak).",
            outcome=Outcome.NEEDS_FURTHER_PROCESS,
            process="search warrant",
            when=lambda ctx: _subpoena(ctx) or _d_order(ctx),
        ),
        CategoryRule(
            id="sca.unrecognised_process",
            regime=R,
            categories=ALL_CATEGORIES,
            article=f"{USC} 2703",
            explanation="This instrument is not one the SCA names; compelled disclosure needs a "
            "subpoena, a 2703(d) order or a search warrant.",
            outcome=Outcome.NEEDS_FURTHER_PROCESS,
            process="subpoena, 2703(d) court order or search warrant",
        ),
    ),
    deadline_rules=(
        DeadlineRule(
            id="sca.2703_f_2.preservation_period",
            regime=R,
            article=f"{USC} 2703(f)(2)",
            explanation="Preserve for 90 days, renewable for another 90 on a renewed request.",
            duration=d.US_PRESERVATION,
            when=_us_preservation,
        ),
        DeadlineRule(
            id="sca.2702.emergency_response",
            regime=R,
            article=f"{USC} 2702(b)(8), 2702(c)(4)",
            explanation="The law sets no period for a voluntary emergency disclosure; the "
            "deployment's emergency response time applies.",
            config_key="emergency_voluntary",
            when=_emergency_with_entity,
        ),
        DeadlineRule(
            id="sca.2703.return_date",
            regime=R,
            article=f"{USC} 2703",
            explanation="The SCA sets no period; answer by the return date on the process, or "
            "the deployment's default when none is stated.",
            config_key="us_legal_process",
            when=_us_process,
        ),
    ),
    duty_rules=(
        DutyRule(
            id="sca.2703_f.preserve",
            regime=R,
            article=f"{USC} 2703(f)(2)",
            explanation="Preserve the records for 90 days; renew for 90 more on request.",
            duty=Duty.PRESERVE,
            params=MappingProxyType({"days": 90, "renewal_days": 90}),
            when=_us_preservation,
        ),
        DutyRule(
            id="sca.2702.verify_emergency",
            regime=R,
            article=f"{USC} 2702(b)(8), 2702(c)(4) (good faith)",
            explanation="Disclosure is lawful only on a good-faith belief in the emergency: "
            "confirm the request by calling back the agency's independently sourced number.",
            duty=Duty.VERIFY_EMERGENCY,
            params=MappingProxyType({"call_back": True, "supervisor_confirmation": True}),
            when=_emergency_with_entity,
        ),
        DutyRule(
            id="sca.2702.limit_to_emergency",
            regime=R,
            article=f"{USC} 2702(b)(8), 2702(c)(4)",
            explanation="Disclose only data relating to the emergency, and ask the authority to "
            "follow up with regular legal process.",
            duty=Duty.LIMIT_TO_EMERGENCY,
            when=_emergency_with_entity,
        ),
        DutyRule(
            id="sca.2705_b.nondisclosure_order",
            regime=R,
            article=f"{USC} 2705(b)",
            explanation="A non-disclosure order is in force: do not tell the user while it runs; "
            "re-check notice when it expires.",
            duty=Duty.NO_USER_NOTICE,
            when=lambda ctx: _us_authority(ctx) and ctx.facts.nondisclosure_order,
        ),
        DutyRule(
            id="sca.2705_b.user_notice_permitted",
            regime=R,
            article=f"{USC} 2705(b)",
            explanation="No non-disclosure order is in force, so the platform may notify the user "
            "of the request after disclosure.",
            duty=Duty.USER_NOTICE,
            when=lambda ctx: _us_process(ctx) and not ctx.facts.nondisclosure_order,
        ),
        counsel_duty(
            R,
            "sca",
            "28 C.F.R. 50.10; Fed. R. Evid. 501; Vienna Convention on Diplomatic Relations",
            {
                "lawyer": "privilege review (attorney-client)",
                "journalist": "Attorney General authorisation (28 C.F.R. 50.10)",
                "doctor": "privilege review (physician-patient)",
                "member_of_parliament": "Speech or Debate Clause review",
                "diplomatic_or_other_immunity": "immunity review",
                "unknown": "clarification by the requesting agency",
            },
        ),
        DutyRule(
            id="sca.2258a.report_to_ncmec",
            regime=R,
            article=f"{USC} 2258A(a), 2258A(h)",
            explanation="When the platform learns of apparent child sexual abuse material it "
            "must report it to NCMEC as soon as reasonably possible and keep the report's "
            "contents for one year.",
            duty=Duty.REPORT_TO_NCMEC,
            params=MappingProxyType(
                {
                    "when": "as_soon_as_reasonably_possible",
                    "preserve_days": 365,
                    "condition": "apparent child sexual abuse material known to the platform",
                }
            ),
            when=_ncmec,
            always=True,
        ),
    ),
)
