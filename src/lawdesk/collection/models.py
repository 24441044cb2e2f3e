"""Collection jobs, evidence packages and their time-limited download links."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class CollectionJob(models.Model):
    """Collecting one approved case. The row is also the job's lease: whoever holds an unexpired
    lease runs it; a worker killed mid-way loses the lease and another one starts over."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="collection")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    lease_owner = models.CharField(max_length=64, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    units_total = models.PositiveIntegerField(default=0)
    units_done = models.PositiveIntegerField(default=0)
    rows = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        db_table = "collection_job"

    def __str__(self) -> str:
        return f"collection of case {self.case_id} ({self.status})"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(100 * self.units_done / self.units_total) if self.units_total else 0


class EvidencePackage(models.Model):
    """The signed package delivered for a case (exactly one per case)."""

    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="package")
    file_name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    encrypted = models.BooleanField(default=False)
    recipient = models.CharField(max_length=100, blank=True)
    details = models.JSONField(default=dict)
    created_at = models.DateTimeField()

    class Meta:
        db_table = "collection_package"

    def __str__(self) -> str:
        return self.file_name

    @property
    def path(self) -> str:
        return str(settings.MEDIA_ROOT / "packages" / self.file_name)


class DownloadLink(models.Model):
    """A time-limited right to download a package from the portal (officers of the agency only;
    the link carries no secret, so it cannot leak by being forwarded)."""

    package = models.ForeignKey(EvidencePackage, on_delete=models.PROTECT, related_name="links")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)
    downloads = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "collection_download_link"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"link to {self.package_id} until {self.expires_at:%Y-%m-%d}"


class PreservationHold(models.Model):
    """A hold placed on the platform so retention and deletion jobs keep the targets' data."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="holds")
    account_ids = models.JSONField(default=list)
    placed_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    released_at = models.DateTimeField(null=True, blank=True)
    release_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        db_table = "collection_hold"
        ordering = ["-placed_at"]

    def __str__(self) -> str:
        return f"hold for case {self.case_id} until {self.expires_at:%Y-%m-%d}"


class UserNotice(models.Model):
    """Telling an account holder that their data was disclosed (or why not yet)."""

    class Status(models.TextChoices):
        SENT = "sent", "Sent"
        DEFERRED = "deferred", "Deferred (non-disclosure order)"
        WITHHELD = "withheld", "Withheld (the law leaves it to the authority)"
        DECISION_DUE = "decision_due", "Non-disclosure order ended: decision due"

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="notices")
    account_id = models.BigIntegerField()
    status = models.CharField(max_length=14, choices=Status.choices)
    reason = models.CharField(max_length=300, blank=True)
    deferred_until = models.DateField(null=True, blank=True)
    decided_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "collection_user_notice"
        constraints = [models.UniqueConstraint(fields=["case", "account_id"],
                                               name="one_notice_per_account_per_case")]

    def __str__(self) -> str:
        return f"notice to {self.account_id} on case {self.case_id}: {self.status}"
