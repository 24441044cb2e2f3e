"""The permission vocabulary: ``scope:resource:action`` names mapped to roles in one table.

Every view and service asks ``has_perm(user, "desk:officer:approve")``; nothing else decides
who may do what. A role is either ``officer`` (an approved officer of an active agency) or
one of the platform staff roles.
"""

from __future__ import annotations

from typing import Any

from django.db import models


class Role(models.TextChoices):
    OFFICER = "officer", "Officer"
    INTAKE = "intake", "Intake clerk"
    REVIEWER = "reviewer", "Legal reviewer"
    APPROVER = "approver", "Approver"
    ADMIN = "admin", "Administrator"
    AUDITOR = "auditor", "Auditor"


STAFF_ROLES = frozenset(
    {Role.INTAKE, Role.REVIEWER, Role.APPROVER, Role.ADMIN, Role.AUDITOR}
)
_ALL_STAFF = STAFF_ROLES

PERMISSIONS: dict[str, frozenset[str]] = {
    # Officer portal: always limited to the officer's own agency by the selectors.
    "portal:agency:view": frozenset({Role.OFFICER}),
    "portal:case:view": frozenset({Role.OFFICER}),
    "portal:case:create": frozenset({Role.OFFICER}),
    # Staff desk.
    "desk:home:view": _ALL_STAFF,
    "desk:agency:view": _ALL_STAFF,
    "desk:agency:manage": frozenset({Role.ADMIN}),
    "desk:officer:view": frozenset({Role.INTAKE, Role.REVIEWER, Role.APPROVER, Role.ADMIN, Role.AUDITOR}),
    "desk:officer:approve": frozenset({Role.ADMIN}),
    "desk:officer:suspend": frozenset({Role.ADMIN}),
    "desk:staff:manage": frozenset({Role.ADMIN}),
    "desk:audit:view": frozenset({Role.AUDITOR, Role.ADMIN}),
    # Cases on the desk. Approving a disclosure is kept apart from administering the system.
    "desk:case:view": _ALL_STAFF,
    "desk:case:review": frozenset({Role.INTAKE, Role.REVIEWER, Role.APPROVER}),
    "desk:case:assign": frozenset({Role.INTAKE, Role.REVIEWER, Role.APPROVER, Role.ADMIN}),
    "desk:case:callback": frozenset({Role.INTAKE, Role.REVIEWER, Role.APPROVER}),
    "desk:case:propose": frozenset({Role.REVIEWER, Role.APPROVER}),
    "desk:case:approve": frozenset({Role.APPROVER}),
    "desk:case:refuse": frozenset({Role.REVIEWER, Role.APPROVER}),
    # Writing on a case (internal notes, the thread with the requester): case workers only.
    # The auditor reads everything and writes nothing; the administrator runs the system.
    "desk:case:note": frozenset({Role.INTAKE, Role.REVIEWER, Role.APPROVER}),
    "desk:case:message": frozenset({Role.INTAKE, Role.REVIEWER, Role.APPROVER}),
}

# Every action on a desk case and the permission it needs. The desk view (which actions it
# offers, what a POST may do) and the case services (what they carry out) both read this one
# table, so the page and the rule cannot drift apart.
DESK_ACTIONS: dict[str, str] = {
    "start_review": "desk:case:review",
    "assign": "desk:case:assign",
    "question": "desk:case:review",
    "note": "desk:case:note",
    "message": "desk:case:message",
    "callback": "desk:case:callback",
    "propose": "desk:case:propose",
    "override": "desk:case:propose",
    "reanalyse": "desk:case:review",
    "approve": "desk:case:approve",
    "send_back": "desk:case:approve",
    "refuse": "desk:case:refuse",
    "extend": "desk:case:review",
    "release": "desk:case:review",
    "convert": "desk:case:review",
    "removal": "desk:case:review",
    "report_effect": "desk:case:review",
    "notify_now": "desk:case:review",
    "nondisclosure": "desk:case:review",
    "reissue_link": "desk:case:review",
    "close": "desk:case:review",
}


def roles_of(user: Any) -> frozenset[str]:
    """Return the roles the user holds right now (empty for anonymous or inactive users)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    roles: set[str] = set()
    officer = user.officer_or_none
    if officer is not None and officer.is_active_officer:
        roles.add(Role.OFFICER)
    staff = user.staff_or_none
    if staff is not None and staff.active:
        roles.update(r for r in staff.roles if r in STAFF_ROLES)
    return frozenset(roles)


def has_perm(user: Any, permission: str) -> bool:
    """True when one of the user's roles grants ``permission`` (unknown names raise)."""
    try:
        allowed = PERMISSIONS[permission]
    except KeyError:
        raise KeyError(f"unknown permission {permission!r}; add it to PERMISSIONS") from None
    return bool(roles_of(user) & allowed)


def may(user: Any, action: str) -> bool:
    """True when the user may carry out the desk ``action`` (unknown actions raise)."""
    try:
        permission = DESK_ACTIONS[action]
    except KeyError:
        raise KeyError(f"unknown desk action {action!r}; add it to DESK_ACTIONS") from None
    return has_perm(user, permission)
