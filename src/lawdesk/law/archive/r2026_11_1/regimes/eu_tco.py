"""EU Terrorist Content Online, Regulation (EU) 2021/784: one-hour removal orders."""

from __future__ import annotations

from types import MappingProxyType

from lawdesk.law.archive.r2026_11_1 import deadlines as d
from lawdesk.law.archive.r2026_11_1.regimes.common import incomplete, secret_chat_content
from lawdesk.law.archive.r2026_11_1.rules import (
    CONTENT_ONLY,
    ActionRule,
    CategoryRule,
    Context,
    DeadlineRule,
    DutyRule,
    RegimeSpec,
)
from lawdesk.law.archive.r2026_11_1.vocabulary import Duty, Outcome, Regime

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
            article=f"{REG} Art. 3(7)-(8), Annex III",
            explanation="The order has a manifest error or lacks information: tell the authority "
            "with the Annex III template; the hour starts once it is clarified (check).",
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
            "disabling and when it took effect (check paragraph).",
            duty=Duty.REPORT_EFFECT,
            when=_complete,
        ),
        DutyRule(
            id="tco.art6.preserve_removed_content",
            regime=R,
            article=f"{REG} Art. 6",
            explanation="Preserve the removed content and related data for six months for "
            "review and investigations (check).",
            duty=Duty.PRESERVE_REMOVED_CONTENT,
            params=MappingProxyType({"months": 6}),
            when=_complete,
        ),
        DutyRule(
            id="tco.art11.inform_content_provider",
            regime=R,
            article=f"{REG} Art. 11",
            explanation="Inform the user who provided the content of the removal and the "
            "reasons, unless the authority withholds this on public-security grounds (check).",
            duty=Duty.INFORM_UPLOADER,
            params=MappingProxyType({"unless_withheld_for_public_security": True}),
            when=_complete,
        ),
    ),
)
