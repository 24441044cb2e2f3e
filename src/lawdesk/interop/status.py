"""Task status follows the desk: the authority reads it, it can never set it.

An LDTask of a delivered case is ``Disclosed`` when the package holds records about its
identifier and ``DisclosureNotAvailable`` when it holds none (the package's not-held
statements say why); a target left out of a partial approval, or a refused case, is
``Rejected``.

A TDTask (a take-down) reads ``Pending`` until the effect is given on the platform to every
item (the case is actioned): ``Resolved``; a refused or withdrawn order: ``Rejected``; while a
TCO Annex III impossibility waits for the authority's clarification: ``Error`` (the take-down
could not be carried out as sent; it returns to ``Pending`` when the clarification arrives).
"""

from __future__ import annotations

from lawdesk.cases.models import Case, Message, Status, Target
from lawdesk.collection.collector import label
from lawdesk.collection.models import EvidencePackage
from lawdesk.interop.models import AnnexIII, StoredObject

_LD: dict[str, str] = {
    Status.DELIVERED: "Disclosed", Status.CLOSED: "Disclosed",
    Status.REFUSED: "Rejected", Status.WITHDRAWN: "Cancelled",
}
_LP: dict[str, str] = {
    Status.PRESERVED: "Preserved", Status.EXTENDED: "Preserved", Status.CONVERTED: "Preserved",
    Status.RELEASED: "Cancelled", Status.EXPIRED: "Expired", Status.REFUSED: "Rejected",
    Status.WITHDRAWN: "Cancelled",
}


def rows_delivered(case: Case, target: Target) -> int | None:
    """How many records about ``target`` the case's package holds (None: no package yet)."""
    package = EvidencePackage.objects.filter(case=case).first()
    if package is None:
        return None
    name = label(target)
    return sum(int(rows) for key, rows in package.details.get("records", {}).items()
               if key.partition("/")[2] == name or key.partition("/")[2].startswith(name + "-"))


def dictionary(object_type: str) -> str:
    """The ETSI status dictionary of a task type."""
    return {"LDTaskObject": "LDTaskStatus", "LPTaskObject": "LPTaskStatus",
            "TDTaskObject": "TDTaskStatus"}[object_type]


def takedown_status(case: Case) -> str:
    """The TDTaskStatus of a removal case (see the module)."""
    if case.status in (Status.ACTIONED, Status.EFFECT_REPORTED):
        return "Resolved"
    if case.status == Status.CLOSED:
        return "Resolved" if case.removal_items.filter(effect_at__isnull=False).exists() \
            else "Rejected"
    if case.status in (Status.REFUSED, Status.WITHDRAWN):
        return "Rejected"
    if case.status == Status.AWAITING_CLARIFICATION:
        # The open question is an Annex III when it was asked with the impossibility.
        asked = case.messages.filter(kind=Message.Kind.CLARIFICATION_REQUEST) \
            .order_by("-created_at", "-pk").values_list("created_at", flat=True).first()
        if asked is not None and case.impossibilities.filter(declared_at=asked).exists():
            return "Error"
    return "Pending"


def task_status(stored: StoredObject) -> str | None:
    """The LDTaskStatus / LPTaskStatus / TDTaskStatus value of a stored task, from its case."""
    if stored.object_type not in ("LDTaskObject", "LPTaskObject", "TDTaskObject") \
            or stored.case_id is None:
        return None

    case: Case = stored.case  # type: ignore[assignment]
    if stored.object_type == "TDTaskObject":
        return takedown_status(case)
    if AnnexIII.objects.filter(case_id=case.pk).exists():
        return "Invalid"  # the Annex III form said why the order cannot be executed
    if stored.object_type == "LPTaskObject":
        return _LP.get(case.status, "AwaitingPreservation")
    target = stored.target
    if target is not None and target.approved is False and case.decided_at is not None:
        return "Rejected"  # this identifier was left out of a partial approval
    status = _LD.get(case.status, "AwaitingDisclosure")
    if status == "Disclosed" and target is not None and not rows_delivered(case, target):
        return "DisclosureNotAvailable"  # searched: nothing held (the package says why)
    return status
