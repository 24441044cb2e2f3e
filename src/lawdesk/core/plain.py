"""Plain-language labels for the codes the rule engine and the models store.

Pages and PDFs show these, never the codes (``eu_eevidence``, ``needs_further_process``…).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from lawdesk.law.deadlines import Duration
from lawdesk.law.decision import Decision


def regime_label(code: str) -> str:
    """A body of rules as a person names it."""
    from lawdesk.core.templatetags.lawdesk_tags import regime

    return regime(code)


def _period(duration: Duration) -> str:
    n = duration.amount
    if duration.unit == "hours":
        return _("%(n)s hours") % {"n": n} if n != 1 else _("1 hour")
    return _("%(n)s days") % {"n": n} if n != 1 else _("1 day")


def deadline_basis(case: Any) -> str:
    """Why the case's deadline is what it is, in words: 'EU e-Evidence Regulation, Art. 10(2): …'."""
    legal: Decision | None = getattr(case, "legal", None)
    deadline = legal.deadline if legal is not None else None
    if deadline is not None:
        regime, article = deadline.reason.regime, deadline.reason.article
    else:
        stored = str(getattr(case, "deadline_article", "") or "")
        regime, _sep, article = stored.partition(": ")
        if not article:
            return stored  # a free-text basis (imported history): already words
    from lawdesk.core.citations import cite

    text = _("%(law)s, %(article)s") % {"article": cite(article), "law": regime_label(regime)}
    if deadline is not None:
        text = _("%(basis)s: an answer is due within %(period)s of receipt") % {
            "basis": text, "period": _period(deadline.duration)}
    return text
