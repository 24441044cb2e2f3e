"""The legal analysis of a case: its facts for the rule engine, the replayable decision record,
what it allows, and the reviewer's two ways of changing it (an override with a reason, a re-run
under the current rule set)."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils.translation import gettext, gettext_noop

from lawdesk.accounts.models import User
from lawdesk.audit.actions import Action
from lawdesk.audit.services import record
from lawdesk.cases import flows
from lawdesk.cases.intake import IntakeRefused
from lawdesk.cases.lifecycle import desk_action, lock, require
from lawdesk.cases.models import CATEGORY_CHOICES, INSTRUMENT_CHOICES, KIND_CHOICES, Case, Status
from lawdesk.cases.policy import proposal_waiting
from lawdesk.core.errors import DomainError
from lawdesk.core.origin import Origin
from lawdesk.law.config import DeploymentConfig, load_config
from lawdesk.law.decision import Decision
from lawdesk.law.engine import decide
from lawdesk.law.facts import FactsError, parse_facts
from lawdesk.law.override import OverrideError
from lawdesk.law.replay import RulesetMismatch, decision_record, override_record
from lawdesk.law.vocabulary import DataCategory, Outcome, RequestKind


def _law_facts(case: Case) -> dict[str, Any]:
    """The rule engine's facts for a case (see docs/law/input-format.md)."""
    facts: dict[str, Any] = {
        "authority_country": case.agency.country,
        "authority_kind": case.agency.kind,
        "issuer_role": case.issuer_role,
        "instrument": case.instrument_type,
        "request_kind": case.kind,
        "emergency": case.kind == RequestKind.EMERGENCY_DISCLOSURE,
        "offence_category": case.offence_category,
        "categories": list(case.categories),
        "user_named_as_suspect": case.user_named_as_suspect,
        "nondisclosure_order": case.nondisclosure_order,
        "received_at": case.received_at.isoformat(),
    }
    if case.validator_role:
        facts["validator_role"] = case.validator_role
    if case.max_sentence_years is not None:
        facts["max_sentence_months"] = min(case.max_sentence_years * 12, 1200)
    if case.nondisclosure_until:
        facts["nondisclosure_until"] = case.nondisclosure_until.isoformat()
    # The further facts the intake collected (protected status, kind of emergency …).
    facts.update(case.law_facts or {})
    if case.callback_confirmed_at is not None and facts["emergency"]:
        facts["callback_result"] = "confirmed"
    return facts


def deployment_config(config: DeploymentConfig) -> DeploymentConfig:
    """The engine's configuration with the deployment's own policy named (the setting
    LAWDESK_POLICY_NAME), unless the configuration file names it."""
    if "source" in config.policy.model_fields_set:
        return config
    policy = config.policy.model_copy(update={"source": settings.LAWDESK_POLICY_NAME})
    return config.model_copy(update={"policy": policy})


def decide_law(case: Case, *, now: datetime) -> dict[str, Any]:
    """Run the rule engine on a case's facts; return the replayable decision record."""
    facts = parse_facts(_law_facts(case))
    config = deployment_config(load_config(getattr(settings, "LAWDESK_LAW_CONFIG", None)))
    record: dict[str, Any] = decision_record(facts, decide(facts, config=config, now=now),
                                             config=config, now=now)
    return record


# Rule-engine fact names that the intake calls differently.
_INTAKE_FIELD = {"request_kind": "kind", "instrument": "instrument_type",
                 "max_sentence_months": "max_sentence_years"}


log = logging.getLogger(__name__)

# The rule engine's checks on the facts speak English: their source is part of the rule-set
# hash (decision 0011), so their words cannot change for a page. What an officer may meet at
# intake is matched here and said in the page's language; the values are the engine's codes,
# shown by their labels.
_FACTS_MESSAGES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"'(?P<value>[^']*)' is not an ISO 3166-1 alpha-2 (?:country )?code"
                r"(?:; use '(?P<hint>[^']*)')?"),
     gettext_noop("%(value)s is not an ISO 3166-1 alpha-2 country code.")),
    (re.compile(r"eu_member_state '(?P<value>[^']*)' is not an EU member state"),
     gettext_noop("%(value)s is not a member state of the European Union.")),
    (re.compile(r"each data category may appear only once"),
     gettext_noop("Each data category may be asked for only once.")),
    (re.compile(r"a (?P<kind>\w+) request must ask for at least one data category"),
     gettext_noop("A request of this kind (%(kind)s) must ask for at least one data category.")),
    (re.compile(r"a (?P<instrument>\w+) is a (?P<implied>\w+) request, not (?P<kind>\w+)"),
     gettext_noop("This instrument (%(instrument)s) carries a request of another kind (%(implied)s), "
                  "not %(kind)s.")),
    (re.compile(r"a (?P<instrument>\w+) .*; it cannot carry a (?P<kind>\w+) request"),
     gettext_noop("This instrument (%(instrument)s) orders data or information to be provided: it "
                  "cannot carry a request of this kind (%(kind)s); a preservation or a removal rests "
                  "on its own instrument.")),
    (re.compile(r"set nondisclosure_order to true as well"),
     gettext_noop("A non-disclosure end date needs a non-disclosure order: tick it as well.")),
    (re.compile(r"only for an emergency request"),
     gettext_noop("Only for an emergency request.")),
    (re.compile(r"only an enforcing authority that was notified"),
     gettext_noop("Only an enforcing authority that was notified (Regulation (EU) 2023/1543, Art. 8) "
                  "can raise a ground for refusal.")),
    (re.compile(r"a French requisition ground \(CPP art\. 60-1-2\); the authority is not French"),
     gettext_noop("A French requisition ground (CPP, art. 60-1-2): your authority is not French.")),
]


def facts_message(message: str) -> str:
    """One of the engine's messages about the facts, in the active language (a message it has
    no translation for is logged and replaced by a general one, never shown in English)."""
    labels = {**{code: str(label) for code, label in KIND_CHOICES},
              **{code: str(label) for code, label in INSTRUMENT_CHOICES}}
    for pattern, text in _FACTS_MESSAGES:
        match = pattern.search(message)
        if match:
            values = {k: labels.get(v, v) for k, v in match.groupdict().items() if v is not None}
            return gettext(text) % values
    log.warning("no translation for the rule engine's message %r", message)
    return gettext("The legal analysis cannot accept this value; check it against the order.")


def decide_at_intake(case: Case, *, now: datetime) -> dict[str, Any]:
    """decide_law, with facts the engine refuses (e.g. a French-only ground from another
    country's agency) turned into field-level intake errors, in the page's language, instead
    of a server error."""
    try:
        return decide_law(case, now=now)
    except FactsError as exc:
        errors: dict[str, list[str]] = {}
        for name, message in exc.errors:
            field = _INTAKE_FIELD.get(name.split(".")[0], name.split(".")[0])
            errors.setdefault(field, []).append(facts_message(message))
        raise IntakeRefused(errors) from None


def apply_record(case: Case, record: dict[str, Any]) -> None:
    case.law_record = record
    case.ruleset_version = record["ruleset_version"]


def legal(case: Case) -> Decision:
    """The case's decision; every case that reaches these use cases was analysed at intake."""
    decision = case.legal
    if decision is None:
        raise DomainError(gettext("This case has no legal analysis."), field="outcome")
    return decision


def allowed_categories(case: Case) -> set[str]:
    """The categories asked for that the legal analysis allows disclosing."""
    allowed = case.legal.allowed_categories() if case.legal is not None else frozenset()
    return {c for c in case.categories if c in allowed}


def why_not_allowed(case: Case, categories: Sequence[str]) -> list[str]:
    """For each category the analysis does not allow: its name, its outcome, and the process
    still needed (a judge's order, an order naming the user as a suspect, MLA …)."""
    labels = {code: str(label) for code, label in CATEGORY_CHOICES}
    results = case.legal.categories if case.legal is not None else {}
    lines = []
    for category in categories:
        result = results.get(DataCategory(category))
        outcome = result.outcome if result is not None else Outcome.NOT_ALLOWED
        name = labels.get(category, category)
        if outcome is Outcome.NEEDS_FURTHER_PROCESS:
            process = (result.process if result is not None else None) or gettext("further legal process")
            lines.append(gettext("%(category)s: needs %(process)s") % {"category": name, "process": process})
        elif outcome is Outcome.NOT_HELD:
            lines.append(gettext("%(category)s: not held by the platform") % {"category": name})
        else:
            lines.append(gettext("%(category)s: not allowed") % {"category": name})
    return lines


def categories_asked(case: Case) -> list[DataCategory]:
    """The data categories of the request, as enum members."""
    return [DataCategory(c) for c in case.categories]


@desk_action("override")
def override_category(*, case: Case, actor: User, now: datetime, category: str, outcome: str,
                      reason: str, origin: Origin | None = None) -> Case:
    """A reviewer changes the rule engine's outcome for one category, with a written reason.

    The override is part of the stored decision record (so it replays), is audited, and is
    shown to the approver next to the proposal.
    """
    case = lock(case)
    require(case.status == Status.IN_REVIEW, gettext("Overrides are made during review."), field="outcome")
    require(not proposal_waiting(case), gettext("A proposal is waiting for approval: decide it first."),
            field="outcome")
    law = case.law_record
    try:
        # Replayed under the rule set that decided the case, even after the rules changed.
        updated = override_record(law, category=category, outcome=outcome, reason=reason,
                                  reviewer=f"{actor.full_name} <{actor.email}>", now=now)
    except RulesetMismatch:
        raise DomainError(gettext("The rules changed since this case was analysed: re-run the legal "
                          "analysis first."), field="outcome", code="ruleset_changed") from None
    except (OverrideError, ValueError) as exc:
        field, _, message = str(exc).partition(": ")
        raise DomainError(message or str(exc), field=field if message else "outcome",
                          code="invalid_override") from None
    previous = legal(case).outcome(category).value
    apply_record(case, {**law, "decision": updated})
    case.save(update_fields=["law_record", "ruleset_version"])
    record(Action.LAW_OVERRIDDEN, actor=actor, target=case, origin=origin, now=now,
           params={"number": case.number, "category": category, "from": previous,
                   "to": outcome, "reason": reason.strip()})
    return case


@desk_action("reanalyse")
def rerun_legal_analysis(*, case: Case, actor: User, now: datetime,
                         origin: Origin | None = None) -> Case:
    """Decide the case again with the current rule set (earlier overrides are dropped)."""
    case = lock(case)
    require(not proposal_waiting(case), gettext("A proposal is waiting for approval: decide it first."),
            field="outcome")
    require(flows.is_open(case.status) and case.status not in flows.ANSWERED,
            gettext("The case is already decided."), field="outcome")
    previous = case.ruleset_version
    apply_record(case, decide_law(case, now=now))
    case.save(update_fields=["law_record", "ruleset_version"])
    record(Action.LAW_REANALYSED, actor=actor, target=case, origin=origin, now=now,
           params={"number": case.number, "from_version": previous,
                   "to_version": case.ruleset_version})
    return case
