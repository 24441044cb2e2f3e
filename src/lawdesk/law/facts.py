"""The facts of one request: the engine's only input besides the deployment configuration."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any, Self

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from lawdesk.law.vocabulary import (
    COUNTRY_CODE_HINTS,
    DEFAULT_REQUEST_KIND,
    ISO_3166_ALPHA2,
    PRODUCTION_ONLY,
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


def _country(value: str) -> str:
    code = value.strip().upper()
    if code in COUNTRY_CODE_HINTS:
        raise ValueError(f"{value!r} is not an ISO 3166-1 alpha-2 code; use {COUNTRY_CODE_HINTS[code]!r}")
    if code not in ISO_3166_ALPHA2:
        raise ValueError(f"{value!r} is not an ISO 3166-1 alpha-2 country code")
    return code


Country = Annotated[str, AfterValidator(_country)]


class Establishment(BaseModel):
    """Where the platform is established: EU establishment or representative, and US entity."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    eu_member_state: Country | None = Field(
        default="IE",
        description="Member state of the establishment or legal representative designated "
        "to receive e-Evidence orders (Directive (EU) 2023/1544); null if none.",
    )
    us_entity: bool = Field(default=True, description="The platform has a US entity that holds the data.")

    @model_validator(mode="after")
    def _eu_state_is_member(self) -> Self:
        from lawdesk.law.vocabulary import EU_MEMBER_STATES

        if self.eu_member_state is not None and self.eu_member_state not in EU_MEMBER_STATES:
            raise ValueError(f"eu_member_state {self.eu_member_state!r} is not an EU member state")
        return self


class Facts(BaseModel):
    """The facts of one request from a public authority, as the rule engine needs them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    authority_country: Country
    authority_kind: AuthorityKind
    issuer_role: IssuerRole
    validator_role: IssuerRole | None = Field(
        default=None, description="Role of the authority that validated the order, if any."
    )
    instrument: InstrumentType
    request_kind: RequestKind | None = Field(
        default=None, description="Derived from the instrument when omitted."
    )
    emergency: bool = False
    criminal_proceedings: bool = True
    offence_category: OffenceCategory = OffenceCategory.OTHER
    max_sentence_months: int | None = Field(
        default=None, ge=0, le=1200, description="Maximum custodial sentence; 1200 for life."
    )
    sentence_to_execute_months: int | None = Field(
        default=None, ge=0, le=1200, description="Custodial sentence being executed, if any."
    )
    offence_committed_online: bool | None = Field(
        default=None,
        description="Whether the offence was committed wholly or partly by means of an "
        "information system / electronic communications network; null = unknown.",
    )
    flagrante_delicto: bool = False
    categories: list[DataCategory] = Field(default_factory=list)
    secret_chat_content: bool = False
    person_residence: Country | None = None
    offence_country: Country | None = None
    enforcing_authority_notified: bool = False
    user_named_as_suspect: bool = False
    nondisclosure_order: bool = False
    nondisclosure_until: date | None = None
    user_notice_not_before: date | None = Field(
        default=None,
        description="The time the issuing authority set for informing the user "
        "(DSA Art. 9(5), 10(5); e-Evidence Art. 13(2)).",
    )
    formally_complete: bool = True
    immunity_or_press_freedom: bool = False
    conflicting_third_country_law: bool = False
    apparent_csam: bool = False
    received_at: AwareDatetime | None = None
    establishment: Establishment | None = None
    protected_status: ProtectedStatus = Field(
        default=ProtectedStatus.NONE,
        description="Privilege or immunity of the person whose data is sought; unknown when "
        "there is an indication nobody has established.",
    )
    emergency_kind: EmergencyKind | None = Field(
        default=None, description="The kind of emergency claimed; null = not stated."
    )
    callback_result: CallbackResult | None = Field(
        default=None, description="Result of the call-back verification; null = not yet done."
    )
    ex_post_validation: ExPostValidation | None = Field(
        default=None, description="Ex-post validation of an emergency order (Art. 4(5))."
    )
    enforcing_authority_ground: EnforcingGround | None = Field(
        default=None, description="Ground for refusal raised by the enforcing authority (Art. 12)."
    )
    victim_own_device: bool = Field(
        default=False,
        description="French requisition for the victim's own terminal equipment, at the "
        "victim's request (CPP art. 60-1-2 3°).",
    )
    missing_person_search: bool = Field(
        default=False,
        description="French requisition to find a missing person (CPP art. 60-1-2 4°, 74-1, 80-4).",
    )
    data_held_by: DataHolder | None = Field(
        default=None, description="Which entity of the platform holds the data; null = not known."
    )
    user_location: Country | None = Field(
        default=None, description="Where the user is located, where known."
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if len(set(self.categories)) != len(self.categories):
            raise ValueError("categories: each data category may appear only once")
        kind = self.kind
        if kind is not RequestKind.REMOVAL and not self.categories:
            raise ValueError(f"categories: a {kind.value} request must ask for at least one data category")
        implied = DEFAULT_REQUEST_KIND.get(self.instrument)
        if (
            self.request_kind is not None
            and implied in (RequestKind.PRESERVATION, RequestKind.REMOVAL)
            and self.request_kind is not implied
        ):
            raise ValueError(
                f"request_kind: a {self.instrument.value} is a {implied.value} request, "
                f"not {self.request_kind.value}"
            )
        if self.instrument in PRODUCTION_ONLY and self.request_kind in (
            RequestKind.PRESERVATION, RequestKind.REMOVAL
        ):
            raise ValueError(
                f"instrument: a {self.instrument.value} {PRODUCTION_ONLY[self.instrument]}; it "
                f"cannot carry a {self.request_kind.value} request"
            )
        if self.nondisclosure_until is not None and not self.nondisclosure_order:
            raise ValueError("nondisclosure_until: set nondisclosure_order to true as well")
        for name in ("emergency_kind", "callback_result", "ex_post_validation"):
            if getattr(self, name) is not None and not self.is_emergency:
                raise ValueError(
                    f"{name}: only for an emergency request (set emergency to true, or use the "
                    "emergency_request instrument)"
                )
        if self.enforcing_authority_ground is not None and not self.enforcing_authority_notified:
            raise ValueError(
                "enforcing_authority_ground: only an enforcing authority that was notified "
                "(Art. 8) can raise a ground for refusal; set enforcing_authority_notified to true"
            )
        for name in ("victim_own_device", "missing_person_search"):
            if getattr(self, name) and self.authority_country != "FR":
                raise ValueError(f"{name}: a French requisition ground (CPP art. 60-1-2); the "
                                 "authority is not French")
        return self

    @property
    def kind(self) -> RequestKind:
        """The request kind, given or implied by the instrument."""
        if self.request_kind is not None:
            return self.request_kind
        return DEFAULT_REQUEST_KIND.get(self.instrument, RequestKind.PRODUCTION)

    @property
    def is_emergency(self) -> bool:
        """Whether the request claims an emergency (e-Evidence Art. 3(18))."""
        return self.emergency or self.instrument is InstrumentType.EMERGENCY_REQUEST


class FactsError(ValueError):
    """Malformed facts; ``errors`` lists ``(field, message)`` pairs for people."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{field}: {msg}" for field, msg in errors))


def _field_errors(exc: ValidationError) -> list[tuple[str, str]]:
    out = []
    for err in exc.errors():
        field = ".".join(str(p) for p in err["loc"]) or "(document)"
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown field (check the spelling; see docs/law/input-format.md)"
        elif err["type"] == "value_error":
            msg = msg.removeprefix("Value error, ")
            # Model-level checks name their field at the start of the message.
            head, sep, rest = msg.partition(": ")
            if field == "(document)" and sep and head.isidentifier():
                field, msg = head, rest
        out.append((field, msg))
    return out


def parse_facts(data: Any) -> Facts:
    """Validate a decoded JSON document into Facts, raising FactsError naming each bad field."""
    try:
        return Facts.model_validate(data)
    except ValidationError as exc:
        raise FactsError(_field_errors(exc)) from exc


def parse_facts_json(text: str) -> Facts:
    """Parse a JSON text into Facts, raising FactsError for bad JSON or bad fields."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FactsError(
            [("(document)", f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}")]
        ) from exc
    if not isinstance(data, dict):
        raise FactsError([("(document)", "expected a JSON object with the request's facts")])
    return parse_facts(data)
