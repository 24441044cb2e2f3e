"""Removal orders: each item of content, the measure given to it, and what is preserved."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RemovalItem(models.Model):
    """One location (URL) named by a removal order and the measure taken on it."""

    class Measure(models.TextChoices):
        REMOVE = "remove", _("Removed")
        DISABLE_EU = "disable_eu", _("Access disabled in all member states")
        DISABLE_SOME = "disable_some", _("Access disabled in named countries")

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="removal_items")
    position = models.PositiveSmallIntegerField()
    location = models.CharField(max_length=500)
    # The platform's target (message:<chat>:<message>) once located; blank if not found.
    target = models.CharField(max_length=80, blank=True)
    locate_error = models.CharField(max_length=300, blank=True)
    sender_id = models.BigIntegerField(null=True, blank=True)
    measure = models.CharField(max_length=12, choices=Measure.choices, blank=True)
    # Where access is disabled (ISO codes; empty when the content is removed everywhere).
    countries = models.JSONField(default=list, blank=True)
    # The exact time of the measure as the platform reports it (Annex II, Section B).
    effect_at = models.DateTimeField(null=True, blank=True)
    effect_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    restored_at = models.DateTimeField(null=True, blank=True)
    restore_reason = models.TextField(blank=True)
    # TCO Art. 11: the content provider is informed, unless the authority asked to wait.
    uploader_notice_due = models.DateTimeField(null=True, blank=True)
    uploader_informed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "removal_item"
        ordering = ["case", "position"]
        constraints = [models.UniqueConstraint(fields=["case", "position"],
                                               name="removal_item_position")]

    def __str__(self) -> str:
        return self.location


class PreservedContent(models.Model):
    """Removed content and its related data, kept six months (TCO Art. 6), extendable."""

    item = models.OneToOneField(RemovalItem, on_delete=models.PROTECT, related_name="preserved")
    record = models.JSONField()  # the message as the platform held it (text, media, sender …)
    sha256 = models.CharField(max_length=64)
    preserved_at = models.DateTimeField()
    until = models.DateTimeField()
    extended_reason = models.TextField(blank=True)

    class Meta:
        db_table = "removal_preserved"

    def __str__(self) -> str:
        return f"preserved {self.item} until {self.until:%Y-%m-%d}"


class RemovalAlarm(models.Model):
    """An alarm raised once per case: fifteen minutes left, or the deadline passed."""

    class Kind(models.TextChoices):
        DUE_SOON = "t15", _("15 minutes left")
        EXPIRED = "expired", _("Deadline passed")

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="removal_alarms")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    deadline_at = models.DateTimeField()  # the deadline the alarm was for (a restart re-arms)
    raised_at = models.DateTimeField()
    recipients = models.JSONField(default=list)

    class Meta:
        db_table = "removal_alarm"
        constraints = [models.UniqueConstraint(fields=["case", "kind", "deadline_at"],
                                               name="removal_alarm_once")]

    def __str__(self) -> str:
        return f"{self.kind} alarm of case {self.case_id}"


class SecondReview(models.Model):
    """The second pair of eyes on a removal already carried out: recorded, never waited for."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="removal_reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agrees = models.BooleanField()
    note = models.TextField(blank=True)
    at = models.DateTimeField()

    class Meta:
        db_table = "removal_second_review"

    def __str__(self) -> str:
        return f"second review of case {self.case_id}"


class StatementOfReasons(models.Model):
    """The statement of reasons for a measure on one item (DSA Art. 17), and its submission to
    the DSA Transparency Database (Art. 24(5)): this row is the outbox, so it survives restarts."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("In the database")
        REFUSED = "refused", _("Refused before sending")
        EXCLUDED = "excluded", _("Not for the database (DSA Art. 9 order)")

    item = models.OneToOneField(RemovalItem, on_delete=models.PROTECT, related_name="statement")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="statements")
    puid = models.CharField(max_length=500, unique=True)
    enum_version = models.CharField(max_length=20)
    body = models.JSONField()  # exactly what is sent
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    errors = models.JSONField(default=list, blank=True)  # why it was refused (field, code, message)
    # Not before the uploader may be told (a deferred TCO Art. 11 notice defers the statement).
    due_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField()
    attempts = models.PositiveIntegerField(default=0)
    claimed_until = models.DateTimeField(null=True, blank=True)
    claim = models.CharField(max_length=32, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    db_uuid = models.CharField(max_length=64, blank=True)
    permalink = models.CharField(max_length=500, blank=True)

    class Meta:
        db_table = "removal_statement"
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="removal_statement_due")]

    def __str__(self) -> str:
        return self.puid


class OrderScope(models.Model):
    """The territorial scope a DSA Art. 9 order states (Art. 9(2)(b)), as the desk read it."""

    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="order_scope")
    countries = models.JSONField()  # ISO codes; ["EU"] for every member state
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        db_table = "removal_order_scope"

    def __str__(self) -> str:
        return " ".join(self.countries)


class EffectReport(models.Model):
    """The report of the effect given to a DSA Art. 9 order (Art. 9(1)), to the issuing authority
    and the Digital Services Coordinator: kept as sent, e-mailed by the worker until it goes."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="effect_reports")
    document = models.JSONField()
    sha256 = models.CharField(max_length=64)
    recipients = models.JSONField(default=list)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        db_table = "removal_effect_report"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"effect report of case {self.case_id}"


class Impossibility(models.Model):
    """TCO Annex III: the provider cannot comply (Art. 3(7)-(8)); the clock waits for the answer."""

    class Reason(models.TextChoices):
        FORCE_MAJEURE = "force_majeure", _(
            "Force majeure or de facto impossibility not attributable to the provider")
        MANIFEST_ERRORS = "manifest_errors", _("The order contains manifest errors")
        INSUFFICIENT_INFORMATION = "insufficient_information", _(
            "The order does not contain sufficient information")

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="impossibilities")
    reason = models.CharField(max_length=24, choices=Reason.choices)
    explanation = models.TextField()
    clarification = models.TextField(blank=True)
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    declared_at = models.DateTimeField()

    class Meta:
        db_table = "removal_impossibility"
        ordering = ["-declared_at"]

    def __str__(self) -> str:
        return f"{self.reason} on case {self.case_id}"
