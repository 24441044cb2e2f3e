"""Hypothesis strategies for request facts and platform policies."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from hypothesis import strategies as st
from pydantic import ValidationError

from lawdesk.law.config import IDENTIFICATION_FIELDS, SUBSCRIBER_FIELDS, PlatformPolicy
from lawdesk.law.facts import Facts
from lawdesk.law.vocabulary import (
    AuthorityKind,
    CallbackResult,
    DataCategory,
    DataHolder,
    EmergencyKind,
    EnforcingGround,
    ExPostValidation,
    InstrumentType,
    IssuerRole,
    OffenceCategory,
    ProtectedStatus,
    RequestKind,
)

COUNTRIES = ["FR", "DE", "IE", "DK", "NL", "US", "IN", "GB", "BR"]
EU_SEATS = ["IE", "FR", "DE", "NL"]


def _opt(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


establishments = st.fixed_dictionaries(
    {"eu_member_state": _opt(st.sampled_from(EU_SEATS)), "us_entity": st.booleans()}
)

fact_dicts = st.fixed_dictionaries(
    {
        "authority_country": st.sampled_from(COUNTRIES),
        "authority_kind": st.sampled_from(list(AuthorityKind)),
        "issuer_role": st.sampled_from(list(IssuerRole)),
        "instrument": st.sampled_from(list(InstrumentType)),
        "categories": st.lists(st.sampled_from(list(DataCategory)), min_size=1, unique=True),
    },
    optional={
        "validator_role": _opt(st.sampled_from(list(IssuerRole))),
        "request_kind": st.sampled_from(list(RequestKind)),
        "emergency": st.booleans(),
        "criminal_proceedings": st.booleans(),
        "offence_category": st.sampled_from(list(OffenceCategory)),
        "max_sentence_months": _opt(st.integers(0, 240)),
        "sentence_to_execute_months": _opt(st.integers(0, 60)),
        "offence_committed_online": _opt(st.booleans()),
        "flagrante_delicto": st.booleans(),
        "secret_chat_content": st.booleans(),
        "person_residence": _opt(st.sampled_from(COUNTRIES)),
        "offence_country": _opt(st.sampled_from(COUNTRIES)),
        "enforcing_authority_notified": st.booleans(),
        "user_named_as_suspect": st.booleans(),
        "nondisclosure_order": st.booleans(),
        "nondisclosure_until": _opt(st.dates(date(2026, 1, 1), date(2028, 12, 31))),
        "user_notice_not_before": _opt(st.dates(date(2026, 1, 1), date(2028, 12, 31))),
        "formally_complete": st.booleans(),
        "apparent_csam": st.booleans(),
        "received_at": _opt(
            st.datetimes(datetime(2026, 1, 1), datetime(2027, 12, 31), timezones=st.just(UTC))
        ),
        "establishment": _opt(establishments),
        "protected_status": st.sampled_from(list(ProtectedStatus)),
        "emergency_kind": _opt(st.sampled_from(list(EmergencyKind))),
        "callback_result": _opt(st.sampled_from(list(CallbackResult))),
        "ex_post_validation": _opt(st.sampled_from(list(ExPostValidation))),
        "enforcing_authority_ground": _opt(st.sampled_from(list(EnforcingGround))),
        "victim_own_device": st.booleans(),
        "missing_person_search": st.booleans(),
        "data_held_by": _opt(st.sampled_from(list(DataHolder))),
        "user_location": _opt(st.sampled_from(COUNTRIES)),
    },
)


def _coherent(data: dict[str, Any]) -> dict[str, Any]:
    """Drop the facts that only make sense with another one (the model refuses them alone)."""
    data = dict(data)
    emergency = data.get("emergency") or data["instrument"] == InstrumentType.EMERGENCY_REQUEST
    if not emergency:
        for name in ("emergency_kind", "callback_result", "ex_post_validation"):
            data.pop(name, None)
    if not data.get("enforcing_authority_notified"):
        data.pop("enforcing_authority_ground", None)
    if data["authority_country"] != "FR":
        data.pop("victim_own_device", None)
        data.pop("missing_person_search", None)
    return data


def _valid(data: dict[str, Any]) -> Facts | None:
    try:
        return Facts.model_validate(data)
    except ValidationError:
        return None


facts = fact_dicts.map(_coherent).map(_valid).filter(lambda f: f is not None)

_FIELDS = {DataCategory.SUBSCRIBER: SUBSCRIBER_FIELDS, DataCategory.IDENTIFICATION: IDENTIFICATION_FIELDS}


@st.composite
def policies(draw: st.DrawFn) -> PlatformPolicy:
    """Any platform policy a deployment could configure."""
    disclose: dict[DataCategory, tuple[str, ...] | None] = {}
    for category in draw(st.lists(st.sampled_from(list(DataCategory)), unique=True)):
        known = _FIELDS.get(category)
        if known is None or draw(st.booleans()):
            disclose[category] = None
        else:
            disclose[category] = tuple(
                draw(st.lists(st.sampled_from(known), min_size=1, unique=True))
            )
    return PlatformPolicy(
        disclose=disclose,
        require_judicial_order=draw(st.booleans()),
        judicial_roles=frozenset(draw(st.lists(st.sampled_from(list(IssuerRole)), unique=True))),
        require_named_suspect=draw(st.booleans()),
        criminal_cases_only=draw(st.booleans()),
        emergency_disclosure=draw(st.booleans()),
    )
