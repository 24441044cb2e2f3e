"""EU Digital Services Act, Regulation (EU) 2022/2065: Art. 9 and Art. 10 orders."""

from __future__ import annotations

from types import MappingProxyType

from lawdesk.law.archive.r2026_11_2.basis import in_criminal_matters
from lawdesk.law.archive.r2026_11_2.regimes.common import incomplete, instrument_is, secret_chat_content
from lawdesk.law.archive.r2026_11_2.rules import (
    CONTENT_ONLY,
    ActionRule,
    CategoryRule,
    Context,
    DeadlineRule,
    DutyRule,
    RegimeSpec,
)
from lawdesk.law.archive.r2026_11_2.vocabulary import DataCategory, Duty, InstrumentType, Outcome, Regime

R = Regime.EU_DSA
REG = "Reg. (EU) 2022/2065"

_art9 = instrument_is(InstrumentType.DSA_ART9_ORDER)
_art10 = instrument_is(InstrumentType.DSA_ART10_ORDER)

NON_CONTENT = frozenset({DataCategory.SUBSCRIBER, DataCategory.IDENTIFICATION, DataCategory.TRAFFIC})


def _criminal(ctx: Context) -> bool:
    return in_criminal_matters(ctx.facts)


def _non_criminal(ctx: Context) -> bool:
    return not _criminal(ctx)


def _confidential(ctx: Context) -> bool:
    """The order keeps the matter confidential, or it is a criminal matter with no time set
    for informing the user (the criminal procedure's secrecy then governs)."""
    f = ctx.facts
    return f.nondisclosure_order or (_criminal(ctx) and f.user_notice_not_before is None)


def _art9_complete(ctx: Context) -> bool:
    return _art9(ctx) and not incomplete(ctx)


def _art10_complete(ctx: Context) -> bool:
    return _art10(ctx) and not incomplete(ctx)


SPEC = RegimeSpec(
    regime=R,
    title="EU Digital Services Act (orders)",
    source="Regulation (EU) 2022/2065, Art. 9 (orders to act against illegal content) and "
    "Art. 10 (orders to provide information)",
    summary=(
        "Judicial or administrative authorities of any member state may order the platform to "
        "act against specific illegal content (Art. 9) or to provide specific information about "
        "specific users (Art. 10), on a legal basis in Union or national law. The DSA sets what "
        "the order must contain and the platform's duties to report its effect and to inform "
        "the user."
    ),
    category_rules=(
        CategoryRule(
            id="dsa.secret_chat_content_not_held",
            regime=R,
            categories=CONTENT_ONLY,
            article=f"{REG} Art. 10(1)",
            explanation="A DSA order reaches only information the platform has collected and "
            "controls; secret-chat content is end-to-end encrypted and not held.",
            outcome=Outcome.NOT_HELD,
            when=secret_chat_content,
        ),
        CategoryRule(
            id="dsa.art9.no_data_disclosure",
            regime=R,
            article=f"{REG} Art. 9(1)",
            explanation="An order to act against illegal content does not oblige the platform to "
            "hand over data; data needs an order for information on the legal basis that "
            "allows it (an EPOC or a national order in criminal matters). The answer is never "
            "more permissive than that basis.",
            outcome=Outcome.NEEDS_FURTHER_PROCESS,
            process="production order on the underlying legal basis (e-Evidence EPOC or national "
            "order)",
            when=_art9,
            via_basis=True,
        ),
        CategoryRule(
            id="dsa.art10_2.incomplete_order",
            regime=R,
            article=f"{REG} Art. 10(2)",
            explanation="The order lacks an element Art. 10(2) requires (legal basis, issuing "
            "authority, identifiers, statement of reasons, redress): ask for clarification.",
            outcome=Outcome.NEEDS_FURTHER_PROCESS,
            process="clarification by the issuing authority",
            when=incomplete,
            via_basis=True,
        ),
        CategoryRule(
            id="dsa.art10_1.non_criminal_basis_review",
            regime=R,
            article=f"{REG} Art. 10(1), Art. 10(2)(a)(i)",
            explanation="An order to provide information rests on the Union or national law it "
            "cites, which lawdesk does not encode outside criminal matters: a lawyer must check "
            "that this law empowers the authority to obtain this data before it is given.",
            outcome=Outcome.NEEDS_FURTHER_PROCESS,
            process="legal review of the Union or national legal basis cited in the order",
            when=_non_criminal,
        ),
        CategoryRule(
            id="dsa.art10.content_needs_production_order",
            regime=R,
            categories=CONTENT_ONLY,
            article=f"{REG} Art. 10(1); Reg. (EU) 2023/1543 Art. 4(2), Art. 5(4)",
            explanation="An order to provide information concerns specific information about "
            "specific recipients; the content of their communications needs a production order "
            "on its own legal basis (an EPOC issued or validated by a judge, or a national "
            "order).",
            outcome=Outcome.NEEDS_FURTHER_PROCESS,
            process="production order (e-Evidence EPOC or national order)",
            via_basis=True,
        ),
        CategoryRule(
            id="dsa.art10_1.information_already_collected",
            regime=R,
            categories=NON_CONTENT,
            article=f"{REG} Art. 10(1)-(2), recital 34",
            explanation="In criminal matters the platform provides the specific information about "
            "the named users that it has already collected and controls, and only as far as the "
            "legal basis the order rests on allows (an EPOC's issuer and threshold gates across "
            "borders, the national procedure at home): the DSA label adds no power of its own.",
            outcome=Outcome.ALLOWED,
            scope="already_collected",
            via_basis=True,
        ),
    ),
    action_rules=(
        ActionRule(
            id="dsa.art9_2.incomplete_order",
            regime=R,
            article=f"{REG} Art. 9(2)",
            explanation="The order lacks an element Art. 9(2) requires (legal basis, reasons, "
            "exact location, redress, territorial scope, language): ask for clarification.",
            outcome=Outcome.NEEDS_FURTHER_PROCESS,
            process="clarification by the issuing authority",
            when=lambda ctx: _art9(ctx) and incomplete(ctx),
        ),
        ActionRule(
            id="dsa.art9_1.act_against_content",
            regime=R,
            article=f"{REG} Art. 9(1)",
            explanation="Act against the specific illegal content named in the order, within the "
            "territorial scope it sets.",
            outcome=Outcome.ALLOWED,
            when=_art9,
        ),
    ),
    deadline_rules=(
        DeadlineRule(
            id="dsa.without_undue_delay",
            regime=R,
            article=f"{REG} Art. 9(1), Art. 10(1)",
            explanation="The platform informs the authority of the effect given to the order "
            "without undue delay; the period is the deployment's reading of that phrase.",
            config_key="dsa_without_undue_delay",
        ),
    ),
    duty_rules=(
        DutyRule(
            id="dsa.art9_1.report_effect",
            regime=R,
            article=f"{REG} Art. 9(1)",
            explanation="Inform the issuing authority, without undue delay, if and when effect "
            "was given to the order, and how.",
            duty=Duty.REPORT_EFFECT,
            params=MappingProxyType({"if_and_when": True}),
            when=_art9_complete,
        ),
        DutyRule(
            id="dsa.art9_5.inform_uploader",
            regime=R,
            article=f"{REG} Art. 9(5)",
            explanation="Inform the user who provided the content of the order and its effect, "
            "with the statement of reasons, the redress available and the territorial scope, at "
            "the latest when effect is given or at the time the issuing authority set.",
            duty=Duty.INFORM_UPLOADER,
            when=lambda ctx: _art9_complete(ctx) and not _confidential(ctx),
        ),
        DutyRule(
            id="dsa.art9_5.uploader_notice_deferred",
            regime=R,
            article=f"{REG} Art. 9(5), Art. 9(2)(a)(ii)",
            explanation="The order keeps the matter confidential, or it concerns criminal "
            "matters and sets no time for informing the user: do not inform the uploader until "
            "the issuing authority sets that time.",
            duty=Duty.NO_USER_NOTICE,
            params=MappingProxyType({"until": "the time set by the issuing authority"}),
            when=lambda ctx: _art9_complete(ctx) and _confidential(ctx),
        ),
        DutyRule(
            id="dsa.art10_1.confirm_and_report_effect",
            regime=R,
            article=f"{REG} Art. 10(1)",
            explanation="Confirm receipt and inform the issuing authority, without undue delay, "
            "if and when effect was given to the order.",
            duty=Duty.REPORT_EFFECT,
            params=MappingProxyType({"if_and_when": True, "confirm_receipt": True}),
            when=_art10_complete,
        ),
        DutyRule(
            id="dsa.art10_5.inform_user",
            regime=R,
            article=f"{REG} Art. 10(5)",
            explanation="Inform the user concerned of the order and its effect, with the "
            "statement of reasons and redress, at the latest when effect is given or at the "
            "time the issuing authority set in the order.",
            duty=Duty.USER_NOTICE,
            when=lambda ctx: _art10_complete(ctx) and not _confidential(ctx),
        ),
        DutyRule(
            id="dsa.art10_5.user_notice_deferred",
            regime=R,
            article=f"{REG} Art. 10(5), Art. 10(2)(a)(ii)",
            explanation="The order keeps the matter confidential, or it concerns criminal "
            "matters and sets no time for informing the user: do not inform the user until the "
            "issuing authority sets that time.",
            duty=Duty.NO_USER_NOTICE,
            params=MappingProxyType({"until": "the time set by the issuing authority"}),
            when=lambda ctx: _art10_complete(ctx) and _confidential(ctx),
        ),
        DutyRule(
            id="dsa.art15.transparency_report",
            regime=R,
            article=f"{REG} Art. 15(1)(a)",
            explanation="Count the order in the yearly transparency report by type of illegal "
            "content and member state, with the median times to acknowledge and to give effect.",
            duty=Duty.TRANSPARENCY_REPORT,
        ),
    ),
)
