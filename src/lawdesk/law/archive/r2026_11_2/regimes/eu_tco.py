"""EU Terrorist Content Online, Regulation (EU) 2021/784: one-hour removal orders."""

from __future__ import annotations

from types import MappingProxyType

from lawdesk.law.archive.r2026_11_2 import deadlines as d
from lawdesk.law.archive.r2026_11_2.regimes.common import incomplete, secret_chat_content
from lawdesk.law.archive.r2026_11_2.rules import (
    CONTENT_ONLY,
    ActionRule,
    CategoryRule,
    Context,
    DeadlineRule,
    DutyRule,
    RegimeSpec,
)
from lawdesk.law.archive.r2026_11_2.vocabulary import Duty, Outcome, Regime

R = Regime.EU_TCO
REG = "Reg. (EU) 2021/784"


def _complete(ctx: Context) -> bool:
    return not incomplete(ctx)


SPEC = RegimeSpec(
    regime=R,
    title="EU Terrorist Content Online Regulation",
    source="Regulation (EU) 2021/784 on addressing the dissemination of terrorist content online",
    summary=(
        "The competent authority of any member state may order the platform to remove "
        "terrorist content or disable access to it in all member states within one hour. "
        "The order is about content, not data disclosure."
    ),
    category_rules=(
        CategoryRule(
            id="tco.secret_chat_content_not_held",
            regime=R,
            categories=CONTENT_ONLY,
            article=f"{REG} Art. 3",
            explanation="Secret-chat content is end-to-end encrypted and the platform holds no "
            "key; a removal order cannot reach it and no data is handed over.",
            outcome=Outcome.NOT_HELD,
            when=secret_chat_content,
        ),
        CategoryRule(
            id="tco.art3.no_data_disclosure",
            regime=R,
            article=f"{REG} Art. 3",
            explanation="A removal order does not oblige the platform to hand over data; data "
            "needs a production order.",
            outcome=Outcome.NEEDS_FURTHER_PROCESS,
            process="production order (e-Evidence EPOC or national order)",
        ),
    ),
    action_rules=(
        ActionRule(
            id="tco.art3_8.manifest_error",
            regime=R,
            article=f"{REG} Art. 3(8), Annex III",
            explanation="The order has a manifest error or lacks information: tell the authority "
            "with the Annex III template; the hour starts to run once the clarification is received.",
            outcome=Outcome.NEEDS_FURTHER_PROCESS,
            process="clarification by the competent authority",
            when=incomplete,
        ),
        ActionRule(
            id="tco.art3_3.remove",
            regime=R,
            article=f"{REG} Art. 3(3)",
            explanation="Remove the terrorist content or disable access to it in all member "
            "states within one hour of receiving the order.",
            outcome=Outcome.ALLOWED,
        ),
    ),
    deadline_rules=(
        DeadlineRule(
            id="tco.art3_3.one_hour",
            regime=R,
            article=f"{REG} Art. 3(3)",
            explanation="The removal is due within one hour of receipt; force majeure, de-facto "
            "impossibility or manifest errors stop the clock until resolved.",
            duration=d.TCO_REMOVAL,
        ),
    ),
    duty_rules=(
        DutyRule(
            id="tco.art3_6.report_effect",
            regime=R,
            article=f"{REG} Art. 3(6), Annex II",
            explanation="Inform the competent authority without undue delay of the removal or "
            "disabling, indicating the time it took effect, with the Annex II template.",
            duty=Duty.REPORT_EFFECT,
            when=_complete,
        ),
        DutyRule(
            id="tco.art6.preserve_removed_content",
            regime=R,
            article=f"{REG} Art. 6(1)-(2)",
            explanation="Preserve the removed content and related data for six months from the "
            "removal, for review, redress and investigations, and longer if the competent "
            "authority or a court asks.",
            duty=Duty.PRESERVE_REMOVED_CONTENT,
            params=MappingProxyType({"months": 6}),
            when=_complete,
        ),
        DutyRule(
            id="tco.art11.inform_content_provider",
            regime=R,
            article=f"{REG} Art. 11(1)-(2)",
            explanation="Make information on the removal available to the user who provided the "
            "content and, on request, give the reasons and the right to challenge the order.",
            duty=Duty.INFORM_UPLOADER,
            when=lambda ctx: _complete(ctx) and not ctx.facts.nondisclosure_order,
        ),
        DutyRule(
            id="tco.art11_3.information_withheld",
            regime=R,
            article=f"{REG} Art. 11(3)",
            explanation="The competent authority asked, for reasons of public security, that "
            "nothing be disclosed to the content provider: say nothing for as long as it asks, "
            "at most six weeks from its decision unless it extends the period.",
            duty=Duty.NO_USER_NOTICE,
            params=MappingProxyType({"max_weeks": 6}),
            when=lambda ctx: _complete(ctx) and ctx.facts.nondisclosure_order,
        ),
    ),
)
