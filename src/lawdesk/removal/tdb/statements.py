"""The statement of reasons of a measure lawdesk took on one item (DSA Art. 17).

Every measure on content gets one: it goes to the uploader with the notice (``uploader_text``)
and, unless the measure followed a DSA Art. 9 order (which Art. 17 and the database do not
cover, INTEROP.md §3.1), to the DSA Transparency Database through the outbox. It is built from
lawdesk's own fixed texts and the order's description of the content, validated against the
enumerations in force and checked for personal data when recorded; a refused statement waits
on the desk until someone rewrites its facts. The database texts are English on purpose (one
public record, not a page for a reader).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from lawdesk.accounts.models import User
from lawdesk.audit.actions import Action
from lawdesk.audit.services import record
from lawdesk.cases import lifecycle
from lawdesk.cases.models import Case
from lawdesk.core.errors import DomainError
from lawdesk.core.illegal_content import CATEGORIES, OTHER_CATEGORY
from lawdesk.core.origin import Origin
from lawdesk.platform.connector import UnknownAccount
from lawdesk.removal.models import RemovalItem, StatementOfReasons
from lawdesk.removal.tdb import fields, personal_data

ART9 = "dsa_art9_order"
TCO = "tco_removal_order"
EEA = ("IS", "LI", "NO")
TCO_URL = "https://eur-lex.europa.eu/eli/reg/2021/784/oj"


def for_database(case: Case) -> bool:
    """Art. 17 and the database exclude DSA Art. 9 orders; every other measure is submitted."""
    return case.instrument_type != ART9


def puid(item: RemovalItem) -> str:
    raw = f"lawdesk-{item.case.number or item.case_id}-{item.position}"
    return re.sub(r"[^A-Za-z0-9_-]", "-", raw)[:500]


def _scope(measure: str, countries: list[str]) -> list[str]:
    if measure == RemovalItem.Measure.REMOVE or "EU" in countries:
        wanted = (
            set(fields.TERRITORIES)
            if measure == RemovalItem.Measure.REMOVE
            else (set(fields.TERRITORIES) - set(EEA)) | (set(countries) & set(EEA))
        )
    else:
        wanted = set(countries) & fields.TERRITORIES
    return sorted(wanted)


def build(item: RemovalItem, *, countries: list[str], message: Any | None) -> dict[str, Any]:
    """The statement, as the database receives it (keys of the enumerations in force)."""
    case = item.case
    tco = case.instrument_type == TCO
    category, keywords = CATEGORIES.get(case.offence_category, OTHER_CATEGORY)
    removed = item.measure == RemovalItem.Measure.REMOVE
    effect = item.effect_at or case.received_at
    content_types = ["CONTENT_TYPE_TEXT"]
    if message is not None and getattr(message, "media_ref", None):
        content_types.append("CONTENT_TYPE_OTHER")
    if tco:
        ground = "Regulation (EU) 2021/784 (terrorist content online), Art. 3: removal order"
        explanation = (
            "A competent authority of a member state issued a removal order finding the "
            "content to be terrorist content (Art. 2(7)); the order must be given effect "
            "in all member states within one hour of receipt."
        )
    else:
        ground = f"Order of a competent authority under the law of {case.agency.country}"
        explanation = (
            "A competent authority ordered the platform to act against this content as "
            "illegal under the law it applies; the platform gave effect to the order."
        )
    facts = (
        f"Order received on {case.received_at:%Y-%m-%d}; the content was "
        f"{'removed' if removed else 'made inaccessible'} on {effect:%Y-%m-%d}. "
        f"The order describes the content as follows: {case.offence_description.strip()}"
    )
    content_day = max(message.ts.date(), fields.DATES["content_date"][0]) if message else effect.date()
    body: dict[str, Any] = {
        "decision_visibility": [
            "DECISION_VISIBILITY_CONTENT_REMOVED" if removed else "DECISION_VISIBILITY_CONTENT_DISABLED"
        ],
        "decision_ground": fields.ILLEGAL,
        "illegal_content_legal_ground": ground,
        "illegal_content_explanation": explanation,
        "decision_facts": facts[:5000],
        "content_type": content_types,
        "category": category,
        "territorial_scope": _scope(item.measure, countries) or None,
        "content_date": f"{content_day}",
        "application_date": f"{effect:%Y-%m-%d}",
        "source_type": "SOURCE_TYPE_OTHER_NOTIFICATION",
        "automated_detection": "No",
        "automated_decision": "AUTOMATED_DECISION_NOT_AUTOMATED",
        "puid": puid(item),
    }
    if "CONTENT_TYPE_OTHER" in content_types:
        body["content_type_other"] = "attached media file"
    if keywords:
        body["category_specification"] = keywords
    if tco:
        body["decision_ground_reference_url"] = TCO_URL
    return body


def identifiers(account_id: int | None) -> list[personal_data.AccountIdentifiers]:
    """The uploader's identifiers on the platform, for the personal-data check (not stored)."""
    if account_id is None:
        return []
    # reason: import cycle: removal.services imports this module
    from lawdesk.removal.services import connector

    try:
        sub = connector().subscriber(account_id)
    except UnknownAccount:
        return [personal_data.AccountIdentifiers(account_id=account_id)]
    names = tuple(
        {*(u.username for u in sub.usernames), *([sub.account.username] if sub.account.username else [])}
    )
    return [
        personal_data.AccountIdentifiers(
            account_id=account_id,
            phone=sub.account.phone,
            usernames=names,
            display_name=sub.account.display_name,
        )
    ]


def check(
    body: dict[str, Any], enums: fields.Enumerations, accounts: list[personal_data.AccountIdentifiers]
) -> list[dict[str, str]]:
    """Field rules, then personal data in every free-text field."""
    errors = [e.as_dict() for e in fields.validate(body, enums)]
    for name in fields.FREE_TEXT:
        value = body.get(name)
        if isinstance(value, str):
            for finding in personal_data.find(value, accounts):
                errors.append(
                    {
                        "field": name,
                        "code": "personal_data",
                        "message": f"personal data in {name} ({finding.kind})",
                    }
                )
    return errors


def record_for(
    item: RemovalItem, *, countries: list[str], message: Any | None, now: datetime
) -> StatementOfReasons:
    """Record the statement of a measure just taken (idempotent: one per item)."""
    existing = StatementOfReasons.objects.filter(item=item).first()
    if existing is not None:
        return existing
    case = item.case
    enums = fields.in_force(now.date())
    body = build(item, countries=countries, message=message)
    errors = check(body, enums, identifiers(item.sender_id))
    state = (
        StatementOfReasons.State.EXCLUDED
        if not for_database(case)
        else StatementOfReasons.State.REFUSED
        if errors
        else StatementOfReasons.State.PENDING
    )
    due = item.uploader_notice_due or now
    statement = StatementOfReasons.objects.create(
        item=item,
        case=case,
        puid=body["puid"],
        enum_version=enums.version,
        body=body,
        state=state,
        errors=errors,
        due_at=due,
        next_attempt_at=due,
        created_at=now,
    )
    record(
        Action.REMOVAL_STATEMENT_RECORDED,
        actor=None,
        target=case,
        now=now,
        params={
            "number": case.number,
            "puid": statement.puid,
            "state": state,
            "errors": sorted({f"{e['field']}:{e['code']}" for e in errors}),
        },
    )
    return statement


def rewrite_facts(
    *,
    statement: StatementOfReasons,
    actor: User,
    now: datetime,
    facts: str,
    origin: Origin | None = None,
) -> StatementOfReasons:
    """The desk rewrites a statement's facts; it is checked again and queued if it now passes."""
    lifecycle.authorize("removal", actor=actor, now=now, case=statement.case, origin=origin)
    if statement.state not in (StatementOfReasons.State.REFUSED, StatementOfReasons.State.PENDING):
        raise DomainError(_("This statement can no longer be changed."), field="facts")
    if not facts.strip():
        raise DomainError(_("Write the facts and circumstances of the decision."), field="facts")
    body = {**statement.body, "decision_facts": facts.strip()[:5000]}
    enums = fields.in_force(now.date())
    errors = check(body, enums, identifiers(statement.item.sender_id))
    with transaction.atomic():
        statement.body, statement.errors, statement.enum_version = body, errors, enums.version
        statement.state = StatementOfReasons.State.REFUSED if errors else StatementOfReasons.State.PENDING
        statement.next_attempt_at = max(statement.due_at, now)
        statement.save(update_fields=["body", "errors", "enum_version", "state", "next_attempt_at"])
        record(
            Action.REMOVAL_STATEMENT_REWRITTEN,
            actor=actor,
            target=statement.case,
            origin=origin,
            now=now,
            params={
                "number": statement.case.number,
                "puid": statement.puid,
                "state": statement.state,
                "errors": sorted({f"{e['field']}:{e['code']}" for e in errors}),
            },
        )
    return statement


def uploader_text(statement: StatementOfReasons) -> str:
    """The statement of reasons in the uploader's notice (Art. 17(3)): the restriction and its
    scope, the facts, the ground, whether automated means were used, and the redress."""
    b = statement.body
    scope = ", ".join(b.get("territorial_scope") or []) or _("outside the European Union only")
    restriction = (
        _("content removed")
        if "DECISION_VISIBILITY_CONTENT_REMOVED" in b["decision_visibility"]
        else _("access to the content disabled")
    )
    facts = {
        "url": statement.item.location,
        "restriction": restriction,
        "scope": scope,
        "facts": b["decision_facts"],
        "ground": b.get("illegal_content_legal_ground", ""),
        "explanation": b.get("illegal_content_explanation", ""),
    }
    return (
        _(
            "Statement of reasons (Regulation (EU) 2022/2065, Art. 17) for %(url)s:\n"
            "Restriction: %(restriction)s, for an indefinite period, in: %(scope)s.\n"
            "Facts and circumstances: %(facts)s\n"
            "Legal ground: %(ground)s. %(explanation)s\n"
            "No automated means were used to detect the content or to decide."
        )
        % facts
    )
