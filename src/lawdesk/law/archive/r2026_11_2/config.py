"""Deployment configuration of the engine: establishment, platform policy, open deadlines."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_serializer, field_validator

from lawdesk.law.archive.r2026_11_2.deadlines import CONFIGURABLE_DEFAULTS, Duration
from lawdesk.law.archive.r2026_11_2.facts import Establishment
from lawdesk.law.archive.r2026_11_2.vocabulary import DataCategory, IssuerRole

# Field names used in a category result's ``fields`` restriction (see docs/law/input-format.md).
SUBSCRIBER_FIELDS = (
    "name",
    "date_of_birth",
    "address",
    "billing_and_payment",
    "phone_number",
    "email",
    "service_type_and_duration",
    "registration_technical_data",
)
IDENTIFICATION_FIELDS = ("ip_address", "source_port", "timestamp")
CATEGORY_FIELDS: dict[DataCategory, tuple[str, ...]] = {
    DataCategory.SUBSCRIBER: SUBSCRIBER_FIELDS,
    DataCategory.IDENTIFICATION: IDENTIFICATION_FIELDS,
}


_DEFAULT_DISCLOSE: dict[DataCategory, tuple[str, ...] | None] = {
    DataCategory.SUBSCRIBER: ("phone_number",),
    DataCategory.IDENTIFICATION: IDENTIFICATION_FIELDS,
}


class PlatformPolicy(BaseModel):
    """What the platform itself is willing to disclose, on top of what the law allows."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str = Field(
        default="Telegram privacy policy § 8.3 (since September 2024)",
        description="Where the policy is published; cited as the article of policy reasons.",
    )
    # category -> fields the platform discloses; null = the whole category; absent = never.
    disclose: dict[DataCategory, tuple[str, ...] | None] = Field(
        default_factory=lambda: _DEFAULT_DISCLOSE.copy()
    )
    require_judicial_order: bool = True
    judicial_roles: frozenset[IssuerRole] = frozenset(
        {IssuerRole.JUDGE, IssuerRole.COURT, IssuerRole.INVESTIGATING_JUDGE, IssuerRole.PROSECUTOR}
    )
    require_named_suspect: bool = True
    criminal_cases_only: bool = True
    # Telegram's § 8.3 says nothing about emergencies; a deployment may choose to answer them.
    emergency_disclosure: bool = False
    # Forged emergency requests are the known attack: confirm by call-back before answering.
    verify_emergencies: bool = True

    @field_validator("disclose", mode="before")
    @classmethod
    def _all_means_whole_category(cls, value: Any) -> Any:
        # TOML has no null, so "all" spells "the whole category".
        if isinstance(value, dict):
            return {k: None if v == "all" else v for k, v in value.items()}
        return value

    @field_validator("disclose")
    @classmethod
    def _known_fields(
        cls, value: dict[DataCategory, tuple[str, ...] | None]
    ) -> dict[DataCategory, tuple[str, ...] | None]:
        known = {
            DataCategory.SUBSCRIBER: SUBSCRIBER_FIELDS,
            DataCategory.IDENTIFICATION: IDENTIFICATION_FIELDS,
        }
        for category, fields in value.items():
            if fields is None:
                continue
            if category not in known:
                raise ValueError(f'{category.value}: has no field list; use "all"')
            if not fields:
                raise ValueError(f'{category.value}: list the fields, or use "all"')
            unknown = sorted(set(fields) - set(known[category]))
            if unknown:
                raise ValueError(f"unknown {category.value} fields: {', '.join(unknown)}")
        return value

    @field_serializer("judicial_roles")
    def _sorted_roles(self, roles: frozenset[IssuerRole]) -> list[str]:
        return sorted(r.value for r in roles)

    @classmethod
    def permissive(cls) -> PlatformPolicy:
        """A policy that adds no restriction: the platform discloses whatever the law allows."""
        return cls(
            source="no platform restriction (the law only)",
            disclose=dict.fromkeys(DataCategory),
            require_judicial_order=False,
            require_named_suspect=False,
            criminal_cases_only=False,
            emergency_disclosure=True,
        )


class DeploymentConfig(BaseModel):
    """Everything a deployment configures: Django settings can build this from a dict."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    establishment: Establishment = Field(default_factory=Establishment)
    policy: PlatformPolicy = Field(default_factory=PlatformPolicy)
    deadlines: dict[str, Duration] = Field(default_factory=lambda: dict(CONFIGURABLE_DEFAULTS))

    @field_validator("deadlines", mode="before")
    @classmethod
    def _parse_deadlines(cls, value: Any) -> dict[str, Duration]:
        merged = dict(CONFIGURABLE_DEFAULTS)
        for key, spec in dict(value).items():
            if key not in CONFIGURABLE_DEFAULTS:
                raise ValueError(
                    f"unknown deadline {key!r}; known: {', '.join(sorted(CONFIGURABLE_DEFAULTS))}"
                )
            if isinstance(spec, Duration):
                merged[key] = spec
                continue
            if not (isinstance(spec, dict) and len(spec) == 1):
                raise ValueError(f'deadline {key!r}: use {{"hours": n}} or {{"days": n}}')
            ((unit, amount),) = spec.items()
            if unit not in ("hours", "days") or not isinstance(amount, int) or amount <= 0:
                raise ValueError(f'deadline {key!r}: use {{"hours": n}} or {{"days": n}}')
            merged[key] = Duration(amount, unit)
        return merged

    @field_serializer("deadlines")
    def _deadlines_as_units(self, value: dict[str, Duration]) -> dict[str, dict[str, int]]:
        return {key: duration.to_dict() for key, duration in value.items()}

    def deadline(self, key: str) -> Duration:
        """Return the configured duration for an open-ended legal period."""
        return self.deadlines[key]


DEFAULT_CONFIG = DeploymentConfig()


def load_config(source: dict[str, Any] | Path | str | None = None) -> DeploymentConfig:
    """Build a DeploymentConfig from a dict (e.g. Django settings) or a TOML file path."""
    if source is None:
        return DEFAULT_CONFIG
    if isinstance(source, str | Path):
        with Path(source).open("rb") as fh:
            source = tomllib.load(fh)
    return DeploymentConfig.model_validate(source)
