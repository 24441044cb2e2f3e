"""Task status follows the desk: the authority reads it, it can never set it."""

from __future__ import annotations

from lawdesk.cases.models import Case, Status
from lawdesk.interop.models import StoredObject

_LD: dict[str, str] = {
    Status.DELIVERED: "Disclosed", Status.CLOSED: "Disclosed",
    Status.REFUSED: "Rejected", Status.WITHDRAWN: "Cancelled",
}
_LP: dict[str, str] = {
    Status.PRESERVED: "Preserved", Status.EXTENDED: "Preserved", Status.CONVERTED: "Preserved",
    Status.RELEASED: "Cancelled", Status.EXPIRED: "Expired", Status.REFUSED: "Rejected",
    Status.WITHDRAWN: "Cancelled",
}


def task_status(stored: StoredObject) -> str | None:
    """The LDTaskStatus / LPTaskStatus value of a stored task, from its case and target."""
    if stored.object_type not in ("LDTaskObject", "LPTaskObject") or stored.case_id is None:
        return None
    case: Case = stored.case  # type: ignore[assignment]
    if stored.object_type == "LPTaskObject":
        return _LP.get(case.status, "AwaitingPreservation")
    target = stored.target
    if target is not None and target.approved is False and case.decided_at is not None:
        return "Rejected"  # this identifier was left out of a partial approval
    return _LD.get(case.status, "AwaitingDisclosure")
