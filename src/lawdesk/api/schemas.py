"""What the API sends and accepts, and how a case looks to the agency that sent it.

The intake body is :class:`lawdesk.cases.intake.IntakeData` itself (one schema for the portal
and the API); this module only holds the responses and the small action bodies.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from ninja import Field, Schema

from lawdesk.cases.intake import CLARIFICATION_ANSWER, WITHDRAWAL_REASON
from lawdesk.cases.legal_clock import deadline_basis
from lawdesk.cases.models import Case, Message, Proposal, Status
from lawdesk.law.vocabulary import RequestKind

Outcome = Literal["approved", "not_approved", "refused", "preserved", "actioned"]


class ReceiptOut(Schema):
    """Proof of what the platform received, and when its answer is due."""

    id: int
    case_number: str
    status: str
    received_at: datetime
    deadline_at: datetime
    deadline_basis: str
    receipt_sha256: str = Field(description="SHA-256 of the canonical JSON of `receipt` "
                                            "(sorted keys, compact separators, UTF-8).")
    receipt: dict[str, Any]


class CaseSummary(Schema):
    """One request in the agency's list."""

    id: int
    case_number: str
    kind: str
    status: str
    urgency: str
    received_at: datetime
    deadline_at: datetime
    officer: str = Field(description="E-mail of the officer who sent the request.")
    authority_file_number: str


class CasePage(Schema):
    """A page of the agency's requests, newest first."""

    items: list[CaseSummary]
    count: int
    page: int
    page_size: int


class TargetOut(Schema):
    kind: str
    value: str
    port: int | None
    at: datetime | None
    window_start: datetime
    window_end: datetime


class AttachmentOut(Schema):
    name: str
    sha256: str
    size: int


class MessageOut(Schema):
    """A message between the platform and the requesting agency (internal notes never appear)."""

    kind: Literal["clarification_request", "clarification_answer", "notice", "message"]
    body: str
    created_at: datetime


class CategoryOutcome(Schema):
    category: str
    outcome: Outcome


class DecisionOut(Schema):
    """The platform's answer, once given."""

    decided_at: datetime
    status: str
    categories: list[CategoryOutcome]
    refusal_ground: str | None = None
    refusal_text: str | None = None


class CaseDetail(CaseSummary):
    """A request as the requesting agency sees it."""

    deadline_basis: str
    clock_paused: bool = Field(description="True while the platform waits for your "
                                            "clarification: the legal clock is stopped.")
    categories: list[str]
    targets: list[TargetOut]
    attachments: list[AttachmentOut]
    messages: list[MessageOut]
    decision: DecisionOut | None
    withdrawal_reason: str | None
    receipt_sha256: str
    legal_facts: dict[str, Any] = Field(
        default_factory=dict,
        description="The further legal facts you declared (protected status, kind of emergency, "
                    "ex-post validation …), as the platform's rule engine reads them; see "
                    "docs/law/input-format.md.")


class ClarificationIn(Schema):
    answer: CLARIFICATION_ANSWER.type("Your answer to the platform's question.")  # type: ignore[valid-type]


class WithdrawIn(Schema):
    reason: WITHDRAWAL_REASON.type("Why the request is withdrawn.")  # type: ignore[valid-type]


def receipt_out(case: Case) -> dict[str, Any]:
    """The 201 body of an accepted request."""
    return {"id": case.pk, "case_number": case.number, "status": case.status,
            "received_at": case.received_at, "deadline_at": case.deadline_at,
            "deadline_basis": deadline_basis(case), "receipt_sha256": case.receipt_sha256,
            "receipt": case.receipt}


def summary_out(case: Case) -> dict[str, Any]:
    """A case in the list (needs ``officer__user`` selected)."""
    return {"id": case.pk, "case_number": case.number, "kind": case.kind, "status": case.status,
            "urgency": case.urgency, "received_at": case.received_at,
            "deadline_at": case.deadline_at, "officer": case.officer.user.email,
            "authority_file_number": case.authority_file_number}


def decision_out(case: Case) -> dict[str, Any] | None:
    """What the platform decided, per data category, or None while undecided."""
    if case.decided_at is None:
        return None
    approved: Proposal | None = (case.proposals.filter(outcome="approved")
                                 .order_by("-decided_at", "-pk").first())
    if case.status == Status.WITHDRAWN and approved is None:
        return None  # withdrawn before the platform answered: nothing was decided
    outcomes: dict[str, str]
    if case.status == Status.REFUSED:
        outcomes = dict.fromkeys(case.categories, "refused")
    elif case.kind == RequestKind.PRESERVATION:
        outcomes = dict.fromkeys(case.categories, "preserved")
    elif case.kind == RequestKind.REMOVAL:
        outcomes = dict.fromkeys(case.categories, "actioned")
    else:
        chosen = set(approved.categories) if approved else set()
        outcomes = {c: "approved" if c in chosen else "not_approved" for c in case.categories}
    return {
        "decided_at": case.decided_at, "status": case.status,
        "categories": [{"category": c, "outcome": o} for c, o in outcomes.items()],
        "refusal_ground": case.refusal_ground or None,
        "refusal_text": case.refusal_text or None,
    }


def detail_out(case: Case) -> dict[str, Any]:
    """A case as its requesting agency sees it: never internal notes or the legal analysis."""
    messages = (case.messages.exclude(kind=Message.Kind.NOTE)
                .filter(kind__in=[Message.Kind.CLARIFICATION_REQUEST,
                                  Message.Kind.CLARIFICATION_ANSWER, Message.Kind.NOTICE,
                                  Message.Kind.MESSAGE])
                .order_by("created_at", "pk"))
    return {
        **summary_out(case),
        "deadline_basis": deadline_basis(case),
        "clock_paused": case.paused_at is not None,
        "categories": list(case.categories),
        "targets": [{"kind": t.kind, "value": t.value, "port": t.port, "at": t.at,
                     "window_start": t.window_start, "window_end": t.window_end}
                    for t in case.targets.all()],
        "attachments": [{"name": a.original_name, "sha256": a.sha256, "size": a.size}
                        for a in case.attachments.all()],
        "messages": [{"kind": m.kind, "body": m.body, "created_at": m.created_at}
                     for m in messages],
        "decision": decision_out(case),
        "withdrawal_reason": case.withdrawal_reason or None,
        "receipt_sha256": case.receipt_sha256,
        "legal_facts": dict(case.law_facts or {}),
    }
