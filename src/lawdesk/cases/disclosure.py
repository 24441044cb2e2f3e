"""Four eyes on a disclosure: the emergency call-back, the reviewer's proposal within what the
legal analysis allows, and a different person's approval or sending back."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.utils.translation import gettext

from lawdesk.accounts.models import User
from lawdesk.audit.actions import Action
from lawdesk.audit.services import record
from lawdesk.cases.analysis import (
    allowed_categories,
    why_not_allowed,
)
from lawdesk.cases.lifecycle import desk_action, lock, move, require
from lawdesk.cases.models import Case, Proposal, Status
from lawdesk.cases.policy import proposal_waiting, takes_proposals
from lawdesk.core.errors import DomainError
from lawdesk.core.origin import Origin


@desk_action("callback")
def confirm_callback(*, case: Case, actor: User, now: datetime, person: str, supervisor: str,
                     origin: Origin | None = None) -> Case:
    """Confirm an emergency request by calling the agency back on its registered number."""
    case = lock(case)
    require(case.is_emergency, gettext("Only emergency requests need a call-back."), field="person")
    require(case.agency.callback_phone, gettext("The agency has no registered call-back number; record "
            "one from an independent source first."), field="person", code="no_callback")
    require(len(person.strip()) >= 3, gettext("Name the person who confirmed the request on the call."),
            field="person", code="required")
    require(len(supervisor.strip()) >= 3, gettext("Name the supervisor who confirmed the emergency."),
            field="supervisor", code="required")
    case.callback_confirmed_at, case.callback_confirmed_by = now, actor
    case.callback_number = case.agency.callback_phone
    case.callback_person, case.callback_supervisor = person.strip(), supervisor.strip()
    case.flags = [f for f in case.flags if f != "emergency_callback_required"]
    case.save()
    record(Action.CALLBACK_CONFIRMED, actor=actor, target=case, origin=origin, now=now,
           params={"number": case.number, "called": case.callback_number,
                   "person": case.callback_person, "supervisor": case.callback_supervisor})
    return case


@desk_action("propose")
def propose_disclosure(*, case: Case, actor: User, now: datetime, categories: Sequence[str],
                       target_ids: Sequence[int], legal_basis: str,
                       window_start: datetime | None = None, window_end: datetime | None = None,
                       origin: Origin | None = None) -> Proposal:
    """A reviewer proposes what to disclose; a second person must approve it."""
    case = lock(case)
    require(takes_proposals(case),
            gettext("Only production and emergency requests get a disclosure proposal."), field="status")
    require(case.status == Status.IN_REVIEW,
            gettext("Only a case in review can get a disclosure proposal."), field="status")
    require(not proposal_waiting(case), gettext("A proposal is already waiting for approval."),
            field="categories")
    chosen = list(dict.fromkeys(categories))
    require(chosen, gettext("Choose at least one data category to disclose."), field="categories")
    not_asked = set(chosen) - set(case.categories)
    require(not not_asked, gettext("Not asked for in the request: %(categories)s.")
            % {"categories": ", ".join(sorted(not_asked))},
            field="categories")
    not_allowed = set(chosen) - allowed_categories(case)
    if not_allowed:
        raise DomainError("The legal analysis does not allow disclosing "
                          + "; ".join(why_not_allowed(case, sorted(not_allowed)))
                          + ". See the legal analysis.",
                          field="categories", code="not_allowed_by_law")
    ids = {t.pk: t for t in case.targets.all()}
    chosen_targets = [int(i) for i in dict.fromkeys(target_ids)]
    require(chosen_targets and set(chosen_targets) <= set(ids),
            gettext("Choose the targets to disclose, among the request's targets."), field="target_ids")
    require(len(legal_basis.strip()) >= 10,
            gettext("State the legal basis of the disclosure (at least 10 characters)."),
            field="legal_basis", code="required")
    require(not (window_start and window_end and window_end <= window_start),
            gettext("The window must end after it starts."), field="window_end")
    earliest = min(ids[i].window_start for i in chosen_targets)
    latest = max(ids[i].window_end for i in chosen_targets)
    require(not ((window_start and window_start < earliest) or (window_end and window_end > latest)),
            gettext("The window can only narrow what was asked."), field="window_start")
    partial = (set(chosen) != set(case.categories) or set(chosen_targets) != set(ids)
               or bool(window_start and window_start > earliest)
               or bool(window_end and window_end < latest))
    proposal = Proposal.objects.create(
        case=case, proposed_by=actor, proposed_at=now, partial=partial, categories=chosen,
        target_ids=chosen_targets, window_start=window_start, window_end=window_end,
        legal_basis=legal_basis.strip(),
    )
    record(Action.DISCLOSURE_PROPOSED, actor=actor, target=case, origin=origin, now=now,
           params={"number": case.number, "proposal": proposal.pk, "categories": chosen,
                   "targets": chosen_targets, "partial": partial,
                   "legal_basis": proposal.legal_basis})
    return proposal


@desk_action("approve")
def approve_proposal(*, proposal: Proposal, actor: User, now: datetime, note: str = "",
                     origin: Origin | None = None) -> Case:
    """Second pair of eyes: approve a proposed disclosure (never one's own, and for an
    emergency never before the call-back). Each refusal stays on the audit trail."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    case = lock(proposal.case)
    require(proposal.open, gettext("This proposal was already decided."), field="proposal")
    require(proposal.proposed_by_id != actor.pk, gettext("Four eyes: the approver must be a different "
            "person from the reviewer who proposed the disclosure."),
            code="four_eyes_own_proposal", denied=True)
    require(not case.needs_callback, gettext("Emergency request: confirm the call-back on the agency's "
            "registered number before approving any disclosure."),
            field="callback", code="callback_required")
    proposal.decided_by, proposal.decided_at = actor, now
    proposal.outcome, proposal.decision_note = "approved", note.strip()
    proposal.save()
    for target in case.targets.all():
        target.approved = target.pk in proposal.target_ids
        target.save(update_fields=["approved"])
    status = Status.PARTIALLY_APPROVED if proposal.partial else Status.APPROVED
    move(case, status, actor=actor, now=now, action=Action.CASE_APPROVED, reason=note.strip(),
         params={"proposal": proposal.pk, "proposed_by": proposal.proposed_by.email,
                 "categories": proposal.categories, "targets": proposal.target_ids,
                 "legal_basis": proposal.legal_basis},
         origin=origin)
    return case


@desk_action("send_back")
def reject_proposal(*, proposal: Proposal, actor: User, now: datetime, note: str,
                     origin: Origin | None = None) -> Case:
    """The approver sends the proposal back; the case stays in review."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    require(proposal.open, gettext("This proposal was already decided."), field="proposal")
    require(len(note.strip()) >= 5, gettext("Say why the proposal is sent back."), field="note",
            code="required")
    proposal.decided_by, proposal.decided_at = actor, now
    proposal.outcome, proposal.decision_note = "rejected", note.strip()
    proposal.save()
    record(Action.DISCLOSURE_SENT_BACK, actor=actor, target=proposal.case, origin=origin,
           now=now, params={"number": proposal.case.number, "proposal": proposal.pk,
                            "note": note.strip()})
    return proposal.case
