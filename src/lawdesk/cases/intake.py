"""The intake schema shared by the officer portal and the JSON API, with field-level errors."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Self

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from lawdesk.core.errors import DomainError
from lawdesk.law.vocabulary import (
    COUNTRY_CODE_HINTS,
    EU_MEMBER_STATES,
    ISO_3166_ALPHA2,
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
from lawdesk.platform.identifiers import (
    IdentifierError,
    _,
    parse_identifier,
    parse_ip_port,
    parse_time,
)

_IP_LINE = re.compile(r"^\s*(?P<addr>\S+)\s*@\s*(?P<at>\S+)\s*$")


# --- Text fields: each constraint declared once, for the OpenAPI document and the server -----

def text_pattern(min_chars: int) -> str:
    """The regular expression of a text with at least ``min_chars`` characters once stripped of
    surrounding whitespace, and no NUL (which no text column can store). Written to run in
    linear time (no nested repetition); the same pattern goes into the JSON Schema."""
    if min_chars <= 0:
        return r"^[^\x00]*$"
    if min_chars == 1:
        return r"^\s*[^\s\x00][^\x00]*$"
    return rf"^\s*[^\s\x00][^\x00]{{{min_chars - 2},}}[^\s\x00]\s*$"


@dataclass(frozen=True)
class TextRule:
    """What a text field accepts: at most ``max_length`` characters as sent, at least
    ``min_chars`` once stripped of surrounding whitespace, no NUL. It is stored stripped."""

    min_chars: int
    max_length: int

    @property
    def pattern(self) -> str:
        return text_pattern(self.min_chars)

    def problem(self, value: str) -> PydanticCustomError | None:
        """Why ``value`` is refused (the same pattern as the JSON Schema's), or None."""
        if "\x00" in value:
            return PydanticCustomError("text_nul", _("Remove the NUL (\\u0000) character."))
        try:
            value.encode()
        except UnicodeEncodeError:  # a lone surrogate (a "\\ud800" escape): not Unicode text
            return PydanticCustomError("text_unicode", _("Remove the invalid character (a lone "
                                                         "UTF-16 surrogate)."))
        if len(value) > self.max_length:
            return PydanticCustomError("text_too_long", _("Write at most {max_length} characters."),
                                       {"max_length": self.max_length})
        if not re.fullmatch(self.pattern, value):
            if self.min_chars == 1:
                return PydanticCustomError("text_required", _("This field is required."))
            return PydanticCustomError("text_too_short", _("Write at least {min_chars} characters."),
                                       {"min_chars": self.min_chars})
        return None

    def type(self, description: str | None = None) -> Any:
        """The pydantic type: checked by :meth:`problem`, stripped, with the JSON Schema that
        says exactly the same (``maxLength``, ``minLength``, ``pattern``)."""
        extra: dict[str, Any] = {"pattern": self.pattern, "maxLength": self.max_length}
        if self.min_chars:
            extra["minLength"] = self.min_chars
        if description:
            extra["description"] = description

        def check(value: Any) -> Any:
            problem = self.problem(value) if isinstance(value, str) else None
            if problem is not None:
                raise problem
            return value  # a non-string gets pydantic's own type error

        return Annotated[str, BeforeValidator(check), AfterValidator(str.strip),
                         WithJsonSchema({"type": "string", **extra})]


def Text(min_chars: int, max_length: int, description: str | None = None) -> Any:
    """The pydantic type of a text field (see :class:`TextRule`)."""
    return TextRule(min_chars, max_length).type(description)


# Texts of the officer's actions on a case (portal and API); the services check them too.
WITHDRAWAL_REASON = TextRule(3, 2_000)
CLARIFICATION_ANSWER = TextRule(2, 10_000)


def max_window() -> timedelta:
    """The longest time window a request may ask for (configurable)."""
    return timedelta(days=int(getattr(settings, "LAWDESK_MAX_WINDOW_DAYS", 366)))


class TargetIn(BaseModel):
    """One identifier; IP targets give the moment of use (``at``), others a time window."""

    model_config = ConfigDict(extra="forbid")

    identifier: Text(1, 300, "+E.164 phone, @username, account id, public link, or an IP "  # type: ignore[valid-type]
                            "address with optional port (203.0.113.7:4711).")
    window_start: AwareDatetime | None = None
    window_end: AwareDatetime | None = None
    at: AwareDatetime | None = Field(default=None, description="IP targets: when it was used.")


class ParsedTarget(BaseModel):
    """A target after parsing: its kind and normalised value."""

    kind: str
    raw: str
    value: str
    port: int | None = None
    at: datetime | None = None
    window_start: datetime
    window_end: datetime


EMERGENCY_THREAT_MIN_CHARS = 20

#: Where a DSA Art. 9 order may have effect: the member states and the EEA states (Iceland,
#: Liechtenstein, Norway), ISO 3166-1 codes (Greece is GR, not the EU's EL). ``EU`` stands for
#: every member state.
SCOPE_STATES: frozenset[str] = EU_MEMBER_STATES | {"IS", "LI", "NO"}


def _conditions(schema: dict[str, Any]) -> None:
    """The requirements that depend on other fields, as JSON Schema ``if``/``then``: the same
    rules :meth:`IntakeData._rules` checks (the window's order and length, and the identifiers'
    syntax, are beyond JSON Schema: they are in the descriptions and answered field by field)."""
    def when(field: str, value: str | None = None) -> dict[str, Any]:
        kind: dict[str, Any] = {"const": value} if value is not None else {"not": {"type": "null"}}
        return {"properties": {field: kind}, "required": [field]}

    def text(field: str, min_chars: int) -> dict[str, Any]:
        return {"properties": {field: {"pattern": text_pattern(min_chars)}}, "required": [field]}

    absent_or_null = {"type": "null"}
    schema["allOf"] = [
        {"if": when("kind", RequestKind.EMERGENCY_DISCLOSURE.value),
         "then": text("emergency_threat", EMERGENCY_THREAT_MIN_CHARS),
         "else": {"properties": {"emergency_kind": absent_or_null,
                                 "ex_post_validation": absent_or_null}}},
        {"if": when("enforcing_authority_ground"),
         "then": {"properties": {"enforcing_authority_notified": {"const": True}},
                  "required": ["enforcing_authority_notified"]}},
        {"if": when("kind", RequestKind.REMOVAL.value),
         "then": text("content_locations", 1),
         "else": {"properties": {"categories": {"minItems": 1}}, "required": ["categories"]}},
        {"if": when("nondisclosure_until"),
         "then": {"properties": {"nondisclosure_order": {"const": True}},
                  "required": ["nondisclosure_order"]}},
        {"if": when("validator_role"), "then": text("validator_name", 1)},
    ]


class IntakeData(BaseModel):
    """Everything an authority sends with a request."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=lambda schema: _conditions(schema))

    kind: RequestKind
    instrument_type: InstrumentType
    instrument_reference: Text(1, 200)  # type: ignore[valid-type]
    instrument_date: date
    issuer_name: Text(1, 200)  # type: ignore[valid-type]
    issuer_role: IssuerRole
    validator_name: Text(0, 200) = ""  # type: ignore[valid-type]
    validator_role: IssuerRole | None = None
    authority_file_number: Text(1, 100)  # type: ignore[valid-type]
    offence_category: OffenceCategory
    offence_description: Text(10, 5000)  # type: ignore[valid-type]
    max_sentence_years: int | None = Field(default=None, ge=0, le=100)
    user_named_as_suspect: bool = False
    categories: list[DataCategory] = Field(default_factory=list,
                                           json_schema_extra={"uniqueItems": True})
    targets: list[TargetIn] = Field(min_length=1, max_length=100)
    window_start: AwareDatetime | None = None
    window_end: AwareDatetime | None = None
    emergency_threat: Text(0, 5000) = ""  # type: ignore[valid-type]
    nondisclosure_order: bool = False
    nondisclosure_until: date | None = None
    content_locations: Text(0, 10000) = ""  # type: ignore[valid-type]
    territorial_scope: list[str] = Field(
        default_factory=list, max_length=31,
        description="DSA Art. 9 orders: the territorial scope the order states (Art. 9(2)(b)), "
        "as ISO 3166-1 codes of EU and EEA states (GR for Greece), or [\"EU\"] for every member "
        "state; empty when the order does not say.",
        json_schema_extra={"uniqueItems": True,
                           "items": {"type": "string", "enum": ["EU", *sorted(SCOPE_STATES)]}})
    # Facts the rule engine needs (issue 13; docs/law/input-format.md), all optional.
    criminal_proceedings: bool = Field(default=True, description="The request is made in "
                                       "criminal proceedings (false: civil or administrative).")
    offence_committed_online: bool | None = Field(
        default=None, description="The offence was committed wholly or partly by means of an "
        "information system; null = unknown.")
    protected_status: ProtectedStatus = Field(
        default=ProtectedStatus.NONE, description="Privilege or immunity of the person concerned.")
    emergency_kind: EmergencyKind | None = Field(
        default=None, description="Emergency requests: the kind of emergency.")
    ex_post_validation: ExPostValidation | None = Field(
        default=None, description="Emergency orders issued without prior validation: its "
        "ex-post validation (e-Evidence Art. 4(5)).")
    user_notice_not_before: date | None = Field(
        default=None, description="The time the order sets for informing the user.")
    enforcing_authority_notified: bool = False
    enforcing_authority_ground: EnforcingGround | None = Field(
        default=None, description="A ground for refusal raised by the enforcing authority.")
    victim_own_device: bool = Field(default=False, description="French requisition for the "
                                    "victim's own device, at their request (CPP art. 60-1-2 3°).")
    missing_person_search: bool = Field(default=False, description="French requisition to find "
                                        "a missing person (CPP art. 60-1-2 4°).")
    user_location: str | None = Field(default=None, description="ISO 3166-1 alpha-2 code of "
                                      "where the user is located, where known.")
    data_held_by: DataHolder | None = Field(
        default=None, description="Which entity of the platform holds the data, where known "
        "(eu_establishment, us_entity, both).")
    supervisor_name: Text(0, 200) = ""  # type: ignore[valid-type]
    supervisor_email: Text(0, 254) = ""  # type: ignore[valid-type]
    language: str = Field(default="en", pattern=r"^[a-z]{2}$")

    @model_validator(mode="before")
    @classmethod
    def _no_control_characters(cls, value: Any) -> Any:
        # A NUL cannot be stored by PostgreSQL and has no place in a legal request.
        def bad(item: Any) -> bool:
            if isinstance(item, str):
                return "\x00" in item
            if isinstance(item, dict):
                return any(bad(k) or bad(v) for k, v in item.items())
            if isinstance(item, list):
                return any(bad(v) for v in item)
            return False

        if isinstance(value, dict):
            fields = [str(k) for k, v in value.items() if bad(k) or bad(v)]
            if fields:
                raise IntakeErrors([(f.replace("\x00", ""), _("Remove the NUL character (\\x00)."))
                                    for f in fields])
        return value

    @field_validator("categories")
    @classmethod
    def _unique(cls, value: list[DataCategory]) -> list[DataCategory]:
        if len(set(value)) != len(value):
            raise ValueError(_("each data category may be asked only once"))
        return value

    @field_validator("user_location")
    @classmethod
    def _country(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        code = value.strip().upper()
        if code in COUNTRY_CODE_HINTS:
            raise ValueError(_("Use the ISO code %(iso)s for %(code)s.")
                             % {"iso": COUNTRY_CODE_HINTS[code], "code": code})
        if code not in ISO_3166_ALPHA2:
            raise ValueError(_("Enter a two-letter ISO 3166-1 country code, e.g. FR."))
        return code

    @field_validator("territorial_scope")
    @classmethod
    def _scope(cls, value: list[str]) -> list[str]:
        codes = [c.strip().upper() for c in value if c.strip()]
        for code in codes:
            if code in COUNTRY_CODE_HINTS:
                raise ValueError(_("Use the ISO code %(iso)s for %(code)s.")
                                 % {"iso": COUNTRY_CODE_HINTS[code], "code": code})
        unknown = [c for c in codes if c != "EU" and c not in SCOPE_STATES]
        if unknown:
            raise ValueError(_("Not a member state of the EU or the EEA: %(codes)s.")
                             % {"codes": ", ".join(unknown)})
        if len(set(codes)) != len(codes):
            raise ValueError(_("Name each state once."))
        return sorted(codes)

    @field_validator("supervisor_email")
    @classmethod
    def _email(cls, value: str) -> str:
        if value:
            try:
                validate_email(value)
            except DjangoValidationError:
                raise ValueError(_("Enter a valid e-mail address.")) from None
        return value.lower()

    @model_validator(mode="after")
    def _rules(self) -> Self:
        errors: list[tuple[str, str]] = []
        if (self.kind == RequestKind.EMERGENCY_DISCLOSURE
                and len(self.emergency_threat) < EMERGENCY_THREAT_MIN_CHARS):
            errors.append(("emergency_threat", _("An emergency request must describe the imminent "
                           "threat to life, physical integrity or safety (at least 20 characters).")))
        if self.kind != RequestKind.REMOVAL and not self.categories:
            errors.append(("categories", _("Choose at least one data category.")))
        if self.kind == RequestKind.REMOVAL and not self.content_locations.strip():
            errors.append(("content_locations", _("A removal order must give the exact location "
                           "(URL or identifier) of each item of content.")))
        if self.territorial_scope and self.instrument_type != InstrumentType.DSA_ART9_ORDER:
            errors.append(("territorial_scope", _("Only a DSA Art. 9 order states a territorial "
                           "scope here: leave this empty.")))
        if self.nondisclosure_until is not None and not self.nondisclosure_order:
            errors.append(("nondisclosure_until", _("Tick the non-disclosure order box, or leave "
                           "the end date empty.")))
        if self.kind != RequestKind.EMERGENCY_DISCLOSURE:
            if self.emergency_kind is not None:
                errors.append(("emergency_kind", _("Only for an emergency request: choose "
                               "“Emergency disclosure” as the type, or leave this empty.")))
            if self.ex_post_validation is not None:
                errors.append(("ex_post_validation", _("Ex-post validation concerns emergency "
                               "orders only: leave this empty.")))
        if self.enforcing_authority_ground is not None and not self.enforcing_authority_notified:
            errors.append(("enforcing_authority_ground", _("Only a notified enforcing authority "
                           "can raise a ground for refusal: tick “The enforcing authority was "
                           "notified”, or leave this empty.")))
        if self.validator_role is not None and not self.validator_name:
            errors.append(("validator_name", _("Name the validating authority.")))
        if self.window_start and self.window_end:
            self._check_window(self.window_start, self.window_end, "window_end", errors)
        if errors:
            raise IntakeErrors(errors)
        return self

    @staticmethod
    def _check_window(start: datetime, end: datetime, field: str,
                      errors: list[tuple[str, str]]) -> None:
        if end <= start:
            errors.append((field, _("The window must end after it starts.")))
        elif end - start > max_window():
            errors.append((field, _("The window is %(days)s days long; the maximum is %(max)s "
                                    "days.") % {"days": (end - start).days,
                                                "max": max_window().days}))

    def parsed_targets(self) -> list[ParsedTarget]:
        """Parse every identifier; raise IntakeErrors naming the target that fails."""
        parsed: list[ParsedTarget] = []
        errors: list[tuple[str, str]] = []
        for index, target in enumerate(self.targets):
            where = f"targets.{index}"
            try:
                parsed.append(self._parse_one(target))
            except IdentifierError as exc:
                errors.append((f"{where}.identifier", _target(index, exc.message)))
            except _WindowProblem as exc:
                errors.append((f"{where}.{exc.field}", _target(index, str(exc))))
        if errors:
            raise IntakeErrors(errors)
        return parsed

    def _parse_one(self, target: TargetIn) -> ParsedTarget:
        text = target.identifier.strip()
        at = target.at
        match = _IP_LINE.match(text)
        if match:  # "203.0.113.7:4711 @ 2026-10-01T10:00:00Z" as typed in the portal

            text, at = match.group("addr"), parse_time(match.group("at"))
        if _looks_like_ip(text):
            address, port = parse_ip_port(text)
            if at is None:
                raise _WindowProblem("at", _("an IP address needs the moment it was used "
                                             "(e.g. 203.0.113.7:4711 @ 2026-10-01T10:00:00Z)."))
            # Carrier-grade NAT: without a port the address may name hundreds of users.
            return ParsedTarget(kind="ip", raw=target.identifier, value=str(address), port=port,
                                at=at, window_start=at - timedelta(minutes=5),
                                window_end=at + timedelta(minutes=5))
        identifier = parse_identifier(text)
        start = target.window_start or self.window_start
        end = target.window_end or self.window_end
        if self.kind == RequestKind.REMOVAL and start is None and end is None:
            # A removal order names content, not a period of data: the portal asks no window,
            # so the target's account is looked at over the year up to the order's date.
            end = datetime.combine(self.instrument_date + timedelta(days=1), datetime.min.time(),
                                   tzinfo=UTC)
            start = end - timedelta(days=365)
        if start is None or end is None:
            raise _WindowProblem("window_start", _("give the time window (start and end) for "
                                                   "this identifier."))
        if end <= start:
            raise _WindowProblem("window_end", _("the window must end after it starts."))
        if end - start > max_window():
            raise _WindowProblem("window_end", _("the window is %(days)s days long; the maximum "
                                                 "is %(max)s days.")
                                 % {"days": (end - start).days, "max": max_window().days})
        return ParsedTarget(kind=identifier.kind, raw=target.identifier, value=identifier.value,
                            window_start=start, window_end=end)


class _WindowProblem(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _looks_like_ip(text: str) -> bool:
    candidate = text.strip()
    if candidate.startswith("["):
        return True
    host = candidate.rsplit(":", 1)[0] if candidate.count(":") == 1 else candidate
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def law_facts_from(data: IntakeData) -> dict[str, Any]:
    """The rule-engine facts an intake carries beyond the case's own columns (only those set)."""
    facts: dict[str, Any] = {}
    if not data.criminal_proceedings:
        facts["criminal_proceedings"] = False
    if data.offence_committed_online is not None:
        facts["offence_committed_online"] = data.offence_committed_online
    if data.protected_status is not ProtectedStatus.NONE:
        facts["protected_status"] = data.protected_status.value
    for name in ("emergency_kind", "ex_post_validation", "enforcing_authority_ground",
                 "data_held_by"):
        value = getattr(data, name)
        if value is not None:
            facts[name] = value.value
    if data.user_notice_not_before is not None:
        facts["user_notice_not_before"] = data.user_notice_not_before.isoformat()
    for name in ("enforcing_authority_notified", "victim_own_device", "missing_person_search"):
        if getattr(data, name):
            facts[name] = True
    if data.user_location:
        facts["user_location"] = data.user_location
    return facts


class IntakeErrors(ValueError):
    """Field-level errors: a list of (field path, message) pairs."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{f}: {m}" for f, m in errors))
        self.errors = errors

    def as_dict(self) -> dict[str, list[str]]:
        result: dict[str, list[str]] = {}
        for field, message in self.errors:
            result.setdefault(field, []).append(message)
        return result


_FRIENDLY = {
    "missing": gettext_lazy("This field is required."),
    "string_too_short": gettext_lazy("This field is required."),
    "enum": gettext_lazy("Choose one of the listed values."),
    "date_from_datetime_parsing": gettext_lazy("Enter a date as YYYY-MM-DD."),
    "date_parsing": gettext_lazy("Enter a date as YYYY-MM-DD."),
    "timezone_aware": gettext_lazy("Give a time zone: add Z for UTC or an offset like +02:00."),
    "extra_forbidden": gettext_lazy("Unknown field."),
    # pydantic's own messages, for the types an officer's form or API client can get wrong
    "bool_parsing": gettext_lazy("Give true or false."),
    "bool_type": gettext_lazy("Give true or false."),
    "int_parsing": gettext_lazy("Enter a whole number."),
    "int_type": gettext_lazy("Enter a whole number."),
    "int_from_float": gettext_lazy("Enter a whole number."),
    "greater_than_equal": gettext_lazy("Enter a number that is not negative."),
    "less_than_equal": gettext_lazy("This number is too large."),
    "datetime_parsing": gettext_lazy("Enter a date and time as YYYY-MM-DDTHH:MM:SSZ."),
    "datetime_from_date_parsing": gettext_lazy("Enter a date and time as YYYY-MM-DDTHH:MM:SSZ."),
    "datetime_type": gettext_lazy("Enter a date and time as YYYY-MM-DDTHH:MM:SSZ."),
    "date_type": gettext_lazy("Enter a date as YYYY-MM-DD."),
    "string_type": gettext_lazy("Enter text."),
    "string_pattern_mismatch": gettext_lazy("This value has the wrong form."),
    "list_type": gettext_lazy("Give a list."),
    "too_short": gettext_lazy("Give at least one."),
    "too_long": gettext_lazy("Too many items."),
    "model_type": gettext_lazy("Give an object with the documented fields."),
    "dict_type": gettext_lazy("Give an object with the documented fields."),
    "value_error": None,  # our own validators' messages, already in the request's language
}


def validate_intake(payload: dict[str, Any]) -> tuple[IntakeData | None, list[ParsedTarget],
                                                        dict[str, list[str]]]:
    """Validate a request; return (data, parsed targets, errors by field path)."""
    try:
        data = IntakeData.model_validate(payload)
    except (ValidationError, IntakeErrors) as exc:
        errors = _pydantic_errors(exc) if isinstance(exc, ValidationError) else exc.as_dict()
        # Report bad identifiers in the same answer, not one round-trip later.
        for field, messages in identifier_errors(payload).items():
            errors.setdefault(field, messages)
        return None, [], errors
    try:
        targets = data.parsed_targets()
    except IntakeErrors as exc:
        return None, [], exc.as_dict()
    return data, targets, {}


def _pydantic_errors(exc: ValidationError) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for error in exc.errors():
        ctx_error = (error.get("ctx") or {}).get("error")
        if isinstance(ctx_error, IntakeErrors):
            for field, messages in ctx_error.as_dict().items():
                result.setdefault(field, []).extend(messages)
            continue
        field = ".".join(str(p) for p in error["loc"]) or "__all__"
        friendly = _FRIENDLY.get(error["type"])
        message = str(friendly) if friendly is not None else _own_message(error)
        if error["type"] == "string_too_short" and error.get("ctx", {}).get("min_length", 1) > 1:
            message = _("Write at least %(n)s characters.") % {"n": error["ctx"]["min_length"]}
        result.setdefault(field, []).append(message)
    return result


def _target(index: int, message: str) -> str:
    return _("Target %(n)s: %(message)s") % {"n": index + 1, "message": message}


def _own_message(error: Any) -> str:
    """A validator's own message (already translated) without pydantic's 'Value error, '."""
    message = str(error.get("msg", ""))
    return message.removeprefix("Value error, ")


def identifier_errors(payload: dict[str, Any]) -> dict[str, list[str]]:
    """Check each target's identifier on its own, whatever the rest of the form looks like."""
    errors: dict[str, list[str]] = {}
    targets = payload.get("targets") or []
    if not isinstance(targets, list):
        return errors
    for index, target in enumerate(targets):
        text = str(target.get("identifier", "") if isinstance(target, dict) else "").strip()
        match = _IP_LINE.match(text)
        try:
            if match or _looks_like_ip(text):

                parse_ip_port(match.group("addr") if match else text)
                if match:
                    parse_time(match.group("at"))
                elif not (isinstance(target, dict) and target.get("at")):
                    raise IdentifierError(_("an IP address needs the moment it was used, "
                                            "e.g. 203.0.113.7:4711 @ 2026-10-01T10:00:00Z"))
            else:
                parse_identifier(text)
        except IdentifierError as exc:
            errors[f"targets.{index}.identifier"] = [_target(index, exc.message)]
    return errors


def live_errors(payload: dict[str, Any], touched: set[str]) -> dict[str, list[str]]:
    """Errors to show while the officer types: only for fields they have filled in.

    Cross-field rules run as soon as their fields are there, even if the rest of the form is
    still incomplete (pydantic would skip them until every field is valid).
    """
    _data, _targets, errors = validate_intake(payload)
    shown = {f: m for f, m in errors.items() if f.split(".")[0] in touched}
    if "targets" in touched:
        for field, messages in identifier_errors(payload).items():
            if field not in shown:
                shown[field] = messages
    kind = payload.get("kind")
    threat = str(payload.get("emergency_threat") or "")
    if kind == RequestKind.EMERGENCY_DISCLOSURE and "emergency_threat" in touched and len(threat) < 20:
        shown.setdefault("emergency_threat", [_("Describe the imminent threat (at least 20 "
                                                "characters).")])
    start, end = payload.get("window_start"), payload.get("window_end")
    if start and end and ({"window_start", "window_end"} & touched) and "window_end" not in shown:
        try:
            window_errors: list[tuple[str, str]] = []
            IntakeData._check_window(datetime.fromisoformat(str(start).replace("Z", "+00:00")),
                                     datetime.fromisoformat(str(end).replace("Z", "+00:00")),
                                     "window_end", window_errors)
            for field, message in window_errors:
                shown.setdefault(field, []).append(message)
        except (ValueError, TypeError):
            pass
    return shown


class IntakeRefused(DomainError):
    """Field-level validation errors of a submitted request."""

    code = "invalid_request"

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("The request has errors: " + "; ".join(
            f"{f}: {' '.join(m)}" for f, m in errors.items()))
        self.errors = errors
