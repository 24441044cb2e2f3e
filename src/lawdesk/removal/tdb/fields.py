"""The Transparency Database's field rules (API v1), validated before a statement leaves.

Re-stated from the field list in ``shared/design/INTEROP.md`` §3.1 (the database's
``StatementStoreRequest`` rules as facts, not its code). Values are sent as enumeration *keys*.
The enumerations changed on 2025-07-01, so they are kept as dated versions: a statement is
checked against the version in force when it is sent, and remembers the version it was built
against (a statement built before a change is checked again, and refused if it no longer fits).
Only the version lawdesk has read is encoded; ``KEYWORDS`` is the subset of the ~70
``category_specification`` keys lawdesk uses (an unlisted key is refused here, never guessed).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

MAX_BATCH = 100
PUID = re.compile(r"^[a-zA-Z0-9_-]+$")

DECISION_FIELDS = ("decision_visibility", "decision_monetary", "decision_provision", "decision_account")
ILLEGAL = "DECISION_GROUND_ILLEGAL_CONTENT"
INCOMPATIBLE = "DECISION_GROUND_INCOMPATIBLE_CONTENT"
ILLEGAL_FIELDS = {"illegal_content_legal_ground": 500, "illegal_content_explanation": 2000}
INCOMPATIBLE_FIELDS = {"incompatible_content_ground": 500, "incompatible_content_explanation": 2000}
# Free-text fields: their limits, and the personal-data check runs on every one of them.
FREE_TEXT: dict[str, int] = {
    "decision_facts": 5000,
    "decision_visibility_other": 500,
    "decision_monetary_other": 500,
    "content_type_other": 500,
    "category_specification_other": 500,
    "source_identity": 500,
    **ILLEGAL_FIELDS,
    **INCOMPATIBLE_FIELDS,
}
DATES = {
    "content_date": (date(2000, 1, 1), date(2038, 1, 1)),
    "application_date": (date(2020, 1, 1), date(2038, 1, 1)),
}
END_DATES = (
    "end_date_account_restriction",
    "end_date_monetary_restriction",
    "end_date_service_restriction",
    "end_date_visibility_restriction",
)
LATEST = date(2038, 1, 1)
TERRITORIES = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE IS LI NO".split()  # noqa: SIM905
)
YES_NO = frozenset({"Yes", "No"})
KNOWN_FIELDS = frozenset(
    {
        *DECISION_FIELDS,
        *FREE_TEXT,
        *DATES,
        *END_DATES,
        "decision_ground",
        "decision_ground_reference_url",
        "incompatible_content_illegal",
        "content_type",
        "category",
        "category_addition",
        "category_specification",
        "territorial_scope",
        "content_language",
        "source_type",
        "automated_detection",
        "automated_decision",
        "puid",
        "account_type",
    }
)


@dataclass(frozen=True)
class Enumerations:
    """One dated version of the database's enumerations (keys as sent)."""

    version: str
    valid_from: date
    values: Mapping[str, frozenset[str]] = field(default_factory=dict)


def _keys(prefix: str, names: str) -> frozenset[str]:
    return frozenset(prefix + n for n in names.split())


ENUMS_2025_07 = Enumerations(
    "2025-07-01",
    date(2025, 7, 1),
    {
        "decision_visibility": _keys(
            "DECISION_VISIBILITY_",
            "CONTENT_REMOVED CONTENT_DISABLED CONTENT_DEMOTED "
            "CONTENT_AGE_RESTRICTED CONTENT_INTERACTION_RESTRICTED CONTENT_LABELLED OTHER",
        ),
        "decision_monetary": _keys("DECISION_MONETARY_", "SUSPENSION TERMINATION OTHER"),
        "decision_provision": _keys(
            "DECISION_PROVISION_", "PARTIAL_SUSPENSION TOTAL_SUSPENSION PARTIAL_TERMINATION TOTAL_TERMINATION"
        ),
        "decision_account": _keys("DECISION_ACCOUNT_", "SUSPENDED TERMINATED"),
        "account_type": _keys("ACCOUNT_TYPE_", "BUSINESS PRIVATE"),
        "decision_ground": frozenset({ILLEGAL, INCOMPATIBLE}),
        "content_type": _keys("CONTENT_TYPE_", "APP AUDIO IMAGE PRODUCT SYNTHETIC_MEDIA TEXT VIDEO OTHER"),
        "category": _keys(
            "STATEMENT_CATEGORY_",
            "ANIMAL_WELFARE CONSUMER_INFORMATION CYBER_VIOLENCE "
            "CYBER_VIOLENCE_AGAINST_WOMEN DATA_PROTECTION_AND_PRIVACY_VIOLATIONS "
            "ILLEGAL_OR_HARMFUL_SPEECH INTELLECTUAL_PROPERTY_INFRINGEMENTS "
            "NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS NOT_SPECIFIED_NOTICE "
            "OTHER_VIOLATION_TC PROTECTION_OF_MINORS RISK_FOR_PUBLIC_SECURITY SCAMS_AND_FRAUD "
            "SELF_HARM UNSAFE_AND_PROHIBITED_PRODUCTS VIOLENCE",
        ),
        "category_specification": _keys(
            "KEYWORD_",
            "CHILD_SEXUAL_ABUSE_MATERIAL TERRORIST_CONTENT HATE_SPEECH PHISHING VIOLATION_NATIONAL_LAW OTHER",
        ),
        "source_type": frozenset(
            {
                "SOURCE_ARTICLE_16",
                "SOURCE_TRUSTED_FLAGGER",
                "SOURCE_TYPE_OTHER_NOTIFICATION",
                "SOURCE_VOLUNTARY",
            }
        ),
        "automated_decision": _keys("AUTOMATED_DECISION_", "FULLY PARTIALLY NOT_AUTOMATED"),
    },
)

VERSIONS: list[Enumerations] = [ENUMS_2025_07]


def in_force(on: date) -> Enumerations:
    """The enumerations in force on ``on`` (the newest version that started by then)."""
    started = [v for v in VERSIONS if v.valid_from <= on]
    if not started:
        raise LookupError(f"no enumeration version in force on {on}")
    return max(started, key=lambda v: v.valid_from)


def by_version(version: str) -> Enumerations:
    for v in VERSIONS:
        if v.version == version:
            return v
    raise LookupError(f"unknown enumeration version {version}")


@dataclass(frozen=True)
class FieldError:
    field: str
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "code": self.code, "message": self.message}


def _date(value: Any) -> date | None:
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def validate(statement: Mapping[str, Any], enums: Enumerations) -> list[FieldError]:
    """Every rule the database applies to one statement; an empty list means it may be sent."""
    errors: list[FieldError] = []
    s = {k: v for k, v in statement.items() if v is not None}

    def err(name: str, code: str, message: str) -> None:
        errors.append(FieldError(name, code, message))

    def one_of(name: str, required: bool = True) -> str | None:
        value = s.get(name)
        if value is None:
            if required:
                err(name, "required", f"{name} is required")
            return None
        if value not in enums.values[name]:
            err(name, "enum", f"{value!r} is not a value of {name} in enumerations {enums.version}")
            return None
        return str(value)

    def many_of(name: str, required: bool = False) -> list[str]:
        value = s.get(name)
        if value is None:
            if required:
                err(name, "required", f"{name} is required")
            return []
        if not isinstance(value, list) or (required and not value):
            err(name, "array", f"{name} must be a non-empty list" if required else f"{name} must be a list")
            return []
        for v in value:
            if v not in enums.values[name]:
                err(name, "enum", f"{v!r} is not a value of {name} in enumerations {enums.version}")
        return [str(v) for v in value]

    for name in sorted(set(s) - KNOWN_FIELDS):
        err(name, "unknown", f"{name} is not a field of a statement of reasons")

    # Decisions: at least one; the *_other text iff the OTHER value.
    if not any(s.get(f) not in (None, [], "") for f in DECISION_FIELDS):
        err(
            "decision_visibility",
            "decision_required",
            "at least one of decision_visibility, decision_monetary, decision_provision, "
            "decision_account is required",
        )
    visibility = many_of("decision_visibility")
    monetary = one_of("decision_monetary", required=False)
    one_of("decision_provision", required=False)
    one_of("decision_account", required=False)
    one_of("account_type", required=False)
    for name, chosen in (
        ("decision_visibility_other", "DECISION_VISIBILITY_OTHER" in visibility),
        ("decision_monetary_other", monetary == "DECISION_MONETARY_OTHER"),
    ):
        if chosen and not s.get(name):
            err(name, "required", f"{name} is required with the OTHER value")
        elif not chosen and name in s:
            err(name, "excluded", f"{name} is only sent with the OTHER value")

    # The ground and its conditional fields.
    ground = one_of("decision_ground")
    for fields, wanted in ((ILLEGAL_FIELDS, ILLEGAL), (INCOMPATIBLE_FIELDS, INCOMPATIBLE)):
        for name in fields:
            if ground == wanted and not s.get(name):
                err(name, "required", f"{name} is required when decision_ground is {wanted}")
            elif ground is not None and ground != wanted and name in s:
                err(name, "excluded", f"{name} is excluded when decision_ground is {ground}")
    if ground == INCOMPATIBLE and s.get("incompatible_content_illegal") not in YES_NO:
        err("incompatible_content_illegal", "required", "incompatible_content_illegal must be Yes or No")
    elif ground == ILLEGAL and "incompatible_content_illegal" in s:
        err("incompatible_content_illegal", "excluded", "excluded when the content is illegal")

    content_types = many_of("content_type", required=True)
    if ("CONTENT_TYPE_OTHER" in content_types) != bool(s.get("content_type_other")):
        err(
            "content_type_other",
            "other",
            "content_type_other is sent iff content_type has CONTENT_TYPE_OTHER",
        )
    one_of("category")
    if "category_addition" in s:
        value = s["category_addition"]
        if not isinstance(value, list) or any(v not in enums.values["category"] for v in value):
            err("category_addition", "enum", "category_addition must list statement categories")
    keywords = many_of("category_specification")
    if ("KEYWORD_OTHER" in keywords) != bool(s.get("category_specification_other")):
        err(
            "category_specification_other",
            "other",
            "category_specification_other is sent iff category_specification has KEYWORD_OTHER",
        )

    scope = s.get("territorial_scope")
    if scope is not None:
        if not isinstance(scope, list):
            err("territorial_scope", "array", "territorial_scope must be a list")
        else:
            for code in scope:
                if code == "EL":
                    err("territorial_scope", "greece", "Greece is GR in the database, not EL")
                elif code not in TERRITORIES:
                    err("territorial_scope", "territory", f"{code!r} is not an EU or EEA country code")
    language = s.get("content_language")
    if language is not None and not (isinstance(language, str) and re.fullmatch(r"[A-Z]{2}", language)):
        err("content_language", "language", "content_language is an ISO 639-1 code in upper case")

    applied = None
    for name, (low, high) in DATES.items():
        value = _date(s.get(name))
        if name not in s:
            err(name, "required", f"{name} is required")
        elif value is None:
            err(name, "date", f"{name} must be a date YYYY-MM-DD")
        elif not low <= value <= high:
            err(name, "date_range", f"{name} must be between {low} and {high}")
        elif name == "application_date":
            applied = value
    for name in END_DATES:
        if name in s and s[name] != "":
            value = _date(s[name])
            if value is None or value > LATEST or (applied is not None and value < applied):
                err(name, "end_date", f"{name} must be a date from application_date to {LATEST}")

    for name, limit in FREE_TEXT.items():
        if name in s and (not isinstance(s[name], str) or len(s[name]) > limit):
            err(name, "length", f"{name} is text of at most {limit} characters")
    if not s.get("decision_facts"):
        err("decision_facts", "required", "decision_facts is required")

    source = one_of("source_type")
    if source == "SOURCE_VOLUNTARY" and "source_identity" in s:
        err("source_identity", "excluded", "source_identity is excluded for voluntary decisions")
    if s.get("automated_detection") not in YES_NO:
        err("automated_detection", "required", "automated_detection must be Yes or No")
    one_of("automated_decision")
    url = s.get("decision_ground_reference_url")
    if url is not None and not (isinstance(url, str) and re.fullmatch(r"https?://\S{1,490}", url)):
        err("decision_ground_reference_url", "url", "decision_ground_reference_url must be a URL")

    puid = s.get("puid")
    if not isinstance(puid, str) or not puid:
        err("puid", "required", "puid is required")
    elif len(puid) > 500 or not PUID.match(puid):
        err("puid", "puid", "puid is at most 500 letters, digits, '-' and '_'")
    return errors


def validate_batch(
    statements: Sequence[Mapping[str, Any]], enums: Enumerations
) -> dict[int, list[FieldError]]:
    """Errors by position in the batch: 1 to 100 statements, no puid twice."""
    out: dict[int, list[FieldError]] = {}
    if not 1 <= len(statements) <= MAX_BATCH:
        raise ValueError(f"a batch holds 1 to {MAX_BATCH} statements, not {len(statements)}")
    seen: dict[str, int] = {}
    for i, statement in enumerate(statements):
        errors = validate(statement, enums)
        puid = statement.get("puid")
        if isinstance(puid, str) and puid in seen:
            errors.append(FieldError("puid", "duplicate", f"puid {puid} is twice in the batch"))
        elif isinstance(puid, str):
            seen[puid] = i
        if errors:
            out[i] = errors
    return out
