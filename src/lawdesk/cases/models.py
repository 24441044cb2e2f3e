"""The Case aggregate: one request from an authority and everything done about it."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lawdesk.law.decision import Decision
from lawdesk.law.vocabulary import (
    DataCategory,
    InstrumentType,
    IssuerRole,
    OffenceCategory,
    RefusalGround,
    RequestKind,
)


def _choices(enum: Any) -> list[tuple[str, Any]]:
    return [(m.value, _LABELS.get(m.value) or m.value.replace("_", " ").capitalize()) for m in enum]


# Labels of the rule engine's codes (the codes themselves are in lawdesk.law.vocabulary, whose
# source is part of the rule-set hash: the words live here).
_LABELS = {
    "judge": _("Judge"), "court": _("Court"), "investigating_judge": _("Investigating judge"),
    "prosecutor": _("Prosecutor"), "police_officer": _("Police officer"),
    "administrative": _("Administrative"), "other": _("Other"),
    "child_sexual_abuse": _("Child sexual abuse"), "payment_fraud": _("Payment fraud"),
    "attacks_on_information_systems": _("Attacks on information systems"),
    "terrorism": _("Terrorism"), "fraud": _("Fraud"), "drug_trafficking": _("Drug trafficking"),
    "homicide": _("Homicide"), "threats": _("Threats"), "harassment": _("Harassment"),
}


KIND_CHOICES: list[tuple[str, Any]] = [
    (RequestKind.PRODUCTION.value, _("Production order")),
    (RequestKind.PRESERVATION.value, _("Preservation order")),
    (RequestKind.EMERGENCY_DISCLOSURE.value, _("Emergency disclosure")),
    (RequestKind.REMOVAL.value, _("Removal order")),
]
INSTRUMENT_CHOICES: list[tuple[str, Any]] = [
    ("court_order", _("Court order")),
    ("search_warrant", _("Search warrant")),
    ("investigating_judge_order", _("Investigating judge's order")),
    ("prosecutor_requisition", _("Prosecutor's requisition")),
    ("police_requisition", _("Police requisition")),
    ("epoc", _("European Production Order (EPOC)")),
    ("epoc_pr", _("European Preservation Order (EPOC-PR)")),
    ("us_subpoena", _("US subpoena")),
    ("us_2703d_order", _("US 2703(d) order")),
    ("emergency_request", _("Emergency request")),
    ("dsa_art9_order", _("DSA Art. 9 order (act against illegal content)")),
    ("dsa_art10_order", _("DSA Art. 10 order (provide information)")),
    ("tco_removal_order", _("TCO removal order (terrorist content)")),
    ("executive_agreement_order", _("Order under a CLOUD Act executive agreement (e.g. UK overseas "
                                  "production order)")),
    ("other", _("Other")),
]
assert {c for c, _label in INSTRUMENT_CHOICES} == {m.value for m in InstrumentType}
ISSUER_ROLE_CHOICES = _choices(IssuerRole)
OFFENCE_CHOICES = _choices(OffenceCategory)
CATEGORY_CHOICES: list[tuple[str, Any]] = [
    (DataCategory.SUBSCRIBER.value, _("Subscriber data")),
    (DataCategory.IDENTIFICATION.value, _("Data for identifying the user (IP, port, time)")),
    (DataCategory.TRAFFIC.value, _("Traffic data")),
    (DataCategory.CONTENT.value, _("Content data")),
]
REFUSAL_CHOICES: list[tuple[str, Any]] = [
    (RefusalGround.INCOMPLETE_OR_MANIFEST_ERROR.value,
     _("Incomplete, manifest errors or insufficient information")),
    (RefusalGround.IMMUNITIES_OR_PRESS_FREEDOM.value, _("Immunities, privileges or press freedom")),
    (RefusalGround.DE_FACTO_IMPOSSIBILITY.value,
     _("De-facto impossibility (including data not held)")),
    (RefusalGround.CONFLICTING_OBLIGATIONS.value, _("Conflicting obligations under third-country law")),
    (RefusalGround.OTHER.value, _("Other ground")),
]


class Status(models.TextChoices):
    # Production and emergency disclosure.
    RECEIVED = "received", _("Received")
    IN_REVIEW = "in_review", _("In review")
    AWAITING_CLARIFICATION = "awaiting_clarification", _("Awaiting clarification")
    APPROVED = "approved", _("Approved")
    PARTIALLY_APPROVED = "partially_approved", _("Partially approved")
    REFUSED = "refused", _("Refused")
    COLLECTING = "collecting", _("Collecting data")
    DELIVERED = "delivered", _("Delivered")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    # Preservation.
    PRESERVED = "preserved", _("Preserved")
    EXTENDED = "extended", _("Preservation extended")
    RELEASED = "released", _("Released")
    EXPIRED = "expired", _("Expired")
    CONVERTED = "converted", _("Converted to production")
    # Removal.
    ACTIONED = "actioned", _("Actioned")
    EFFECT_REPORTED = "effect_reported", _("Effect reported")


class Urgency(models.TextChoices):
    ON_TIME = "on_time", _("On time")
    DUE_SOON = "due_soon", _("Due soon")
    OVERDUE = "overdue", _("Overdue")
    PAUSED = "paused", _("Clock paused")
    DONE = "done", _("Answered")


_OUTCOMES = {
    "closed": "fulfilled", "delivered": "fulfilled", "refused": "refused",
    "withdrawn": "withdrawn", "released": "preserved", "expired": "preserved",
    "converted": "converted_to_production", "effect_reported": "actioned",
}


def outcome_of(status: str, *, partial: bool = False) -> str:
    """The reported outcome of a finished case (``pending`` while it is open)."""
    outcome = _OUTCOMES.get(status, "pending")
    return "partly_fulfilled" if outcome == "fulfilled" and partial else outcome


class Case(models.Model):
    """One request from a public authority."""

    number = models.CharField(max_length=20, unique=True, null=True, blank=True)
    kind = models.CharField(max_length=24, choices=KIND_CHOICES)
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.RECEIVED)

    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="cases")
    officer = models.ForeignKey("accounts.Officer", on_delete=models.PROTECT, related_name="cases")
    supervisor_name = models.CharField(max_length=200)
    supervisor_email = models.EmailField()
    language = models.CharField(max_length=8, default="en")
    channel = models.CharField(max_length=10, default="portal")  # portal | api | import | hi1

    instrument_type = models.CharField(max_length=32, choices=INSTRUMENT_CHOICES)
    instrument_reference = models.CharField(max_length=200)
    instrument_date = models.DateField()
    issuer_name = models.CharField(max_length=200)
    issuer_role = models.CharField(max_length=24, choices=ISSUER_ROLE_CHOICES)
    validator_name = models.CharField(max_length=200, blank=True)
    validator_role = models.CharField(max_length=24, choices=ISSUER_ROLE_CHOICES, blank=True)

    authority_file_number = models.CharField(max_length=100)
    offence_category = models.CharField(max_length=40, choices=OFFENCE_CHOICES)
    offence_description = models.TextField()
    max_sentence_years = models.PositiveSmallIntegerField(null=True, blank=True)
    user_named_as_suspect = models.BooleanField(default=False)

    categories = models.JSONField(default=list)
    emergency_threat = models.TextField(blank=True)
    nondisclosure_order = models.BooleanField(default=False)
    nondisclosure_until = models.DateField(null=True, blank=True)
    content_locations = models.TextField(blank=True)  # removal orders: URLs / identifiers
    # DSA Art. 9 orders: the territorial scope the order states, as sent (ISO codes; ["EU"] for
    # every member state; empty when not stated at intake). The removal desk enforces it.
    territorial_scope = models.JSONField(default=list, blank=True)

    # Clock. A case always has a deadline; while paused, ``paused_remaining`` holds what is left.
    received_at = models.DateTimeField()
    deadline_at = models.DateTimeField()
    deadline_rule = models.CharField(max_length=120)
    deadline_article = models.CharField(max_length=200)
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_remaining = models.DurationField(null=True, blank=True)
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.ON_TIME)
    acknowledged_at = models.DateTimeField(null=True, blank=True)  # review started
    # When the authority was informed of the receipt (the signed acknowledgement issued to it;
    # DSA Art. 15(1)(a) "time to inform the authority of the receipt"). Null: not recorded
    # (cases imported without it).
    receipt_acknowledged_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="assigned_cases")
    flags = models.JSONField(default=list)

    # Emergency call-back: the agency's registered number, called by staff.
    callback_confirmed_at = models.DateTimeField(null=True, blank=True)
    callback_confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                              on_delete=models.PROTECT, related_name="+")
    callback_number = models.CharField(max_length=20, blank=True)
    callback_person = models.CharField(max_length=200, blank=True)
    callback_supervisor = models.CharField(max_length=200, blank=True)

    refusal_ground = models.CharField(max_length=40, choices=REFUSAL_CHOICES, blank=True)
    refusal_text = models.TextField(blank=True)
    withdrawal_reason = models.TextField(blank=True)
    # Distinct platform accounts whose data was disclosed or acted on (set by collection).
    accounts_affected = models.PositiveIntegerField(default=0)

    receipt = models.JSONField(default=dict)
    receipt_sha256 = models.CharField(max_length=64)
    # The rule-set version of the stored decision (a column, to find cases by version).
    ruleset_version = models.CharField(max_length=40, blank=True)
    # Facts, configuration, time and the rule engine's decision: enough to replay the decision
    # and check it. The decision is stored here only; read it typed as ``case.legal``.
    law_record = models.JSONField(default=dict)
    # Facts the rule engine needs that have no column of their own (protected status, kind of
    # emergency, ex-post validation …), as validated at intake; see docs/law/input-format.md.
    law_facts = models.JSONField(default=dict, blank=True)

    class Meta:
        db_table = "cases_case"
        ordering = ["deadline_at"]
        indexes = [
            models.Index(fields=["status", "deadline_at"]),
            models.Index(fields=["agency", "-received_at"]),
            models.Index(fields=["officer", "-received_at"]),
        ]

    def __str__(self) -> str:
        return self.number or f"case {self.pk}"

    @property
    def legal(self) -> Decision | None:
        """The rule engine's decision on this case (with any reviewer overrides), typed; None
        for a case that was never analysed (imported history)."""
        stored = Decision.stored_in(self.law_record)
        if stored is None:
            return None
        cached = self.__dict__.get("_legal")
        if cached is not None and cached[0] is stored:
            return cast(Decision, cached[1])
        decision = Decision.from_dict(stored)
        self.__dict__["_legal"] = (stored, decision)
        return decision

    @property
    def is_emergency(self) -> bool:
        return self.kind == RequestKind.EMERGENCY_DISCLOSURE

    @property
    def needs_callback(self) -> bool:
        return self.is_emergency and self.callback_confirmed_at is None

    @property
    def outcome(self) -> str:
        """What the request came to, in the words of the transparency report."""
        return outcome_of(self.status, partial=self.partially_approved)

    @property
    def partially_approved(self) -> bool:
        return self.proposals.filter(outcome="approved", partial=True).exists()

    def category_labels(self) -> list[str]:
        labels = dict(CATEGORY_CHOICES)
        return [str(labels.get(c, c)) for c in self.categories]


class Target(models.Model):
    """One identifier named in the request, with the time window asked for it."""

    class Kind(models.TextChoices):
        PHONE = "phone", _("Phone number")
        USERNAME = "username", _("Username")
        ACCOUNT_ID = "account_id", _("Account id")
        PUBLIC_LINK = "public_link", _("Public link")
        IP = "ip", _("IP address (+ port) at a time")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="targets")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=16, choices=Kind.choices)
    raw = models.CharField(max_length=300)
    value = models.CharField(max_length=300)  # normalised: E.164, lower-case username, …
    port = models.PositiveIntegerField(null=True, blank=True)
    at = models.DateTimeField(null=True, blank=True)  # IP targets: the moment of use
    window_start = models.DateTimeField()
    window_end = models.DateTimeField()
    approved = models.BooleanField(null=True, blank=True)  # None until decided

    class Meta:
        db_table = "cases_target"
        ordering = ["case", "position"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.value}"


class Attachment(models.Model):
    """A document received with the case (the signed instrument, annexes)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="attachments/%Y/%m/")
    original_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    uploaded_at = models.DateTimeField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    # A document the requester sent later, with a message of the case's thread.
    message = models.ForeignKey("Message", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="attachments")

    class Meta:
        db_table = "cases_attachment"
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.original_name


class Message(models.Model):
    """A message between the platform and the requester, or an internal staff note."""

    class Kind(models.TextChoices):
        CLARIFICATION_REQUEST = "clarification_request", _("Clarification requested")
        CLARIFICATION_ANSWER = "clarification_answer", _("Clarification answer")
        NOTE = "note", _("Internal note")
        NOTICE = "notice", _("Notice to the requester")
        MESSAGE = "message", _("Message")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        db_table = "cases_message"
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} on {self.case_id}"

    @property
    def visible_to_requester(self) -> bool:
        return self.kind != self.Kind.NOTE


class Proposal(models.Model):
    """A reviewer's proposed disclosure scope, waiting for a second person's approval."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="proposals")
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    proposed_at = models.DateTimeField()
    partial = models.BooleanField(default=False)
    categories = models.JSONField(default=list)
    target_ids = models.JSONField(default=list)
    window_start = models.DateTimeField(null=True, blank=True)
    window_end = models.DateTimeField(null=True, blank=True)
    legal_basis = models.TextField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, blank=True)  # approved | rejected
    decision_note = models.TextField(blank=True)

    class Meta:
        db_table = "cases_proposal"
        ordering = ["-proposed_at"]

    def __str__(self) -> str:
        return f"proposal {self.pk} on case {self.case_id}"

    @property
    def open(self) -> bool:
        return self.decided_at is None
