"""Who may act on a case as its requester, and which cases take a disclosure proposal.

One predicate per rule, used by the pages, the API and the services alike.
"""

from __future__ import annotations

from typing import Any

from lawdesk.cases.models import Case
from lawdesk.core.permissions import has_perm
from lawdesk.law.vocabulary import RequestKind

# Only these kinds disclose data after a reviewer's proposal and a second person's approval.
PROPOSAL_KINDS = frozenset({RequestKind.PRODUCTION, RequestKind.EMERGENCY_DISCLOSURE})


def is_requester_of(user: Any, case: Case) -> bool:
    """``user`` is an active officer of the agency that sent ``case``."""
    officer = getattr(user, "officer_or_none", None)
    return (officer is not None and officer.agency_id == case.agency_id
            and has_perm(user, "portal:case:view"))


def takes_proposals(case: Case) -> bool:
    """Whether the case's kind is answered by a disclosure proposal (not preservation or
    removal, which are answered by holds and measures)."""
    return case.kind in PROPOSAL_KINDS


def proposal_waiting(case: Case) -> bool:
    """A disclosure proposal of the case waits for a second person's decision."""
    return case.proposals.filter(decided_at__isnull=True).exists()
