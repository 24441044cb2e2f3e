"""Legal durations as data, shared by the rule engine and the cases app's clocks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

Unit = Literal["hours", "days"]


@dataclass(frozen=True, order=True)
class Duration:
    """A legal period in whole hours or calendar days."""

    amount: int
    unit: Unit

    def as_timedelta(self) -> timedelta:
        """Return the period as a timedelta."""
        return timedelta(hours=self.amount) if self.unit == "hours" else timedelta(days=self.amount)

    def to_dict(self) -> dict[str, int]:
        """Return ``{"hours": n}`` or ``{"days": n}``."""
        return {self.unit: self.amount}

    def __str__(self) -> str:
        return f"{self.amount} {self.unit if self.amount != 1 else self.unit[:-1]}"


def hours(amount: int) -> Duration:
    """A period of ``amount`` hours."""
    return Duration(amount, "hours")


def days(amount: int) -> Duration:
    """A period of ``amount`` calendar days."""
    return Duration(amount, "days")


def due_at(received_at: datetime, duration: Duration) -> datetime:
    """Return when a period started at ``received_at`` ends (calendar time, no pauses)."""
    if received_at.tzinfo is None:
        raise ValueError("received_at must be timezone-aware")
    return received_at + duration.as_timedelta()


# Statutory periods. Keys are stable: the cases app may store them next to a clock.
EEVIDENCE_PRODUCTION = days(10)  # Reg. (EU) 2023/1543 Art. 10(2)-(3)
EEVIDENCE_EMERGENCY = hours(8)  # Art. 10(4)
EEVIDENCE_ENFORCING_OBJECTION = days(10)  # Art. 10(2): enforcing authority may object
EEVIDENCE_ENFORCING_OBJECTION_EMERGENCY = hours(96)  # Art. 10(4)
EEVIDENCE_EX_POST_VALIDATION = hours(48)  # Art. 4(5)
EEVIDENCE_PRESERVATION = days(60)  # Art. 11(1)
EEVIDENCE_PRESERVATION_EXTENSION = days(30)  # Art. 11(1), Annex VI
TCO_REMOVAL = hours(1)  # Reg. (EU) 2021/784 Art. 3(3)
TCO_PRESERVATION = days(183)  # Reg. (EU) 2021/784 Art. 6(2): six months
US_PRESERVATION = days(90)  # 18 U.S.C. 2703(f)(2)
US_PRESERVATION_RENEWAL = days(90)  # 2703(f)(2)
NCMEC_REPORT_PRESERVATION = days(365)  # 18 U.S.C. 2258A(h)(1)

STATUTORY: dict[str, Duration] = {
    "eevidence_production": EEVIDENCE_PRODUCTION,
    "eevidence_emergency": EEVIDENCE_EMERGENCY,
    "eevidence_enforcing_objection": EEVIDENCE_ENFORCING_OBJECTION,
    "eevidence_enforcing_objection_emergency": EEVIDENCE_ENFORCING_OBJECTION_EMERGENCY,
    "eevidence_ex_post_validation": EEVIDENCE_EX_POST_VALIDATION,
    "eevidence_preservation": EEVIDENCE_PRESERVATION,
    "eevidence_preservation_extension": EEVIDENCE_PRESERVATION_EXTENSION,
    "tco_removal": TCO_REMOVAL,
    "tco_preservation": TCO_PRESERVATION,
    "us_preservation": US_PRESERVATION,
    "us_preservation_renewal": US_PRESERVATION_RENEWAL,
    "ncmec_report_preservation": NCMEC_REPORT_PRESERVATION,
}

# Periods the law leaves open ("without undue delay", "the date on the process"): the
# deployment chooses them (DeploymentConfig.deadlines); these are lawdesk's defaults.
CONFIGURABLE_DEFAULTS: dict[str, Duration] = {
    "dsa_without_undue_delay": hours(72),
    "fr_requisition": days(10),
    "us_legal_process": days(14),
    "emergency_voluntary": hours(8),
    "default_response": days(10),
}
