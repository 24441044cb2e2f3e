"""Principle 1 — a label never widens the law: the underlying basis of a procedural label.

DSA Art. 9 and 10 orders are issued "on the basis of the applicable Union law or national law"
(Reg. (EU) 2022/2065 Art. 9(1), 10(1); recitals 31 and 34) and Art. 10 is without prejudice to
the e-Evidence Regulation. They give no legal basis of their own for obtaining data: in
criminal proceedings the data must pass the gates of the basis the order really rests on —
an EPOC (Reg. (EU) 2023/1543 Art. 4, 5) when a member-state authority addresses the
platform's establishment in another member state, the national procedure otherwise.
"""

from __future__ import annotations

from lawdesk.law.archive.r2026_11_2.facts import Facts
from lawdesk.law.archive.r2026_11_2.rules import Context
from lawdesk.law.archive.r2026_11_2.vocabulary import (
    EEVIDENCE_STATES,
    InstrumentType,
    IssuerRole,
    RequestKind,
)

LABELS: frozenset[InstrumentType] = frozenset(
    {InstrumentType.DSA_ART9_ORDER, InstrumentType.DSA_ART10_ORDER}
)

# The national instrument an issuer of each role would use for the same measure.
NATIONAL_BY_ROLE: dict[IssuerRole, InstrumentType] = {
    IssuerRole.JUDGE: InstrumentType.COURT_ORDER,
    IssuerRole.COURT: InstrumentType.COURT_ORDER,
    IssuerRole.INVESTIGATING_JUDGE: InstrumentType.INVESTIGATING_JUDGE_ORDER,
    IssuerRole.PROSECUTOR: InstrumentType.PROSECUTOR_REQUISITION,
    IssuerRole.POLICE_OFFICER: InstrumentType.POLICE_REQUISITION,
    IssuerRole.ADMINISTRATIVE: InstrumentType.OTHER,
    IssuerRole.OTHER: InstrumentType.OTHER,
}


def in_criminal_matters(facts: Facts) -> bool:
    """Criminal proceedings, or the execution of a custodial sentence."""
    return facts.criminal_proceedings or facts.sentence_to_execute_months is not None


def underlying_basis(ctx: Context) -> Facts | None:
    """The facts of the request the label stands for, or None when there is no label.

    Outside criminal matters the basis is the Union or national law the order cites, which
    lawdesk does not encode; the label's own rules then ask for a legal review (never allowed).
    """
    f = ctx.facts
    if f.instrument not in LABELS or not in_criminal_matters(f):
        return None
    kind = RequestKind.PRESERVATION if f.kind is RequestKind.PRESERVATION else RequestKind.PRODUCTION
    state = ctx.establishment.eu_member_state
    cross_border = (
        f.authority_country in EEVIDENCE_STATES and state is not None and state != f.authority_country
    )
    if cross_border:
        instrument = InstrumentType.EPOC_PR if kind is RequestKind.PRESERVATION else InstrumentType.EPOC
    else:
        instrument = NATIONAL_BY_ROLE[f.issuer_role]
    return f.model_copy(
        update={"instrument": instrument, "request_kind": kind, "emergency": f.is_emergency}
    )
