"""TCO Art. 4: an order from another member state than the host state may be scrutinised.

When the issuing authority's member state is not the one where the provider has its main
establishment or legal representative (the rule engine's ``establishment.eu_member_state``),
the host state's competent authority may, within 72 hours of receiving the copy of the order,
find that it seriously or manifestly infringes the Regulation or fundamental rights; the order
then ceases to have legal effect and the provider reinstates the content (Art. 4(4)-(7)).
The window is counted here from lawdesk's receipt of the order.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils.translation import gettext as _

from lawdesk.accounts.models import User
from lawdesk.audit.actions import Action
from lawdesk.audit.services import record
from lawdesk.cases import lifecycle
from lawdesk.cases.models import Case
from lawdesk.core.errors import DomainError
from lawdesk.core.origin import Origin
from lawdesk.law.config import load_config
from lawdesk.removal import services
from lawdesk.removal.services import is_tco

WINDOW = timedelta(hours=72)


def host_state() -> str | None:
    return load_config(getattr(settings, "LAWDESK_LAW_CONFIG", None)).establishment.eu_member_state


def window_end(case: Case) -> datetime | None:
    """End of the host state's scrutiny window, or None when the order is not cross-border."""
    host = host_state()
    if not is_tco(case) or host is None or case.agency.country.upper() == host:
        return None
    return case.received_at + WINDOW


def quashed(*, case: Case, actor: User, now: datetime, decision: str,
            origin: Origin | None = None) -> int:
    """The host state's authority found an infringement: reinstate every item (Art. 4(7))."""
    lifecycle.authorize("removal", actor=actor, now=now, case=case, origin=origin)
    end = window_end(case)
    if end is None:
        raise DomainError(_("Only a TCO order from another member state than the host state is "
                            "scrutinised by the host state."), field="decision")
    if len(decision.strip()) < 3:
        raise DomainError(_("Give the reference of the host state's decision."), field="decision")
    restored = services.restore(case=case, actor=actor, now=now, origin=origin,
                                reason=_("Order quashed on scrutiny by the host member state "
                                         "(Regulation (EU) 2021/784, Art. 4(4)), decision %(ref)s")
                                % {"ref": decision.strip()})
    record(Action.REMOVAL_ORDER_QUASHED, actor=actor, target=case, origin=origin, now=now,
           params={"number": case.number, "decision": decision.strip(), "host_state": host_state(),
                   "within_window": now <= end, "reinstated": restored})
    return restored
