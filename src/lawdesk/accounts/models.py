"""Agencies, their verified domains, officers and platform staff."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from lawdesk.accounts.validators import validate_age_recipient, validate_country
from lawdesk.core.permissions import STAFF_ROLES


class UserManager(BaseUserManager["User"]):
    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in: an officer of an agency, or a member of the platform's staff."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(auto_now_add=True)
    # Raised whenever a second factor is added, removed or reset: every other session ends.
    security_version = models.PositiveIntegerField(default=0)
    # The user's own interface language and time zone (their preferences page); blank: the
    # browser's language, and the zone of their agency's country (else LAWDESK_TIME_ZONE).
    language = models.CharField(max_length=8, blank=True)
    time_zone = models.CharField(max_length=64, blank=True)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    objects = UserManager()

    class Meta:
        db_table = "accounts_user"

    def __str__(self) -> str:
        return f"{self.full_name} <{self.email}>"

    def get_session_auth_hash(self) -> str:
        """Sessions are bound to the password *and* the second factors in force."""
        return salted_hmac("lawdesk.session", f"{self.password}:{self.security_version}",
                           algorithm="sha256").hexdigest()

    @property
    def officer_or_none(self) -> Officer | None:
        try:
            return self.officer
        except Officer.DoesNotExist:
            return None

    @property
    def staff_or_none(self) -> StaffMember | None:
        try:
            return self.staff
        except StaffMember.DoesNotExist:
            return None


class Agency(models.Model):
    """A public authority that may send requests: police unit, prosecutor's office, court…"""

    class Kind(models.TextChoices):
        POLICE = "police", _("Police")
        GENDARMERIE = "gendarmerie", _("Gendarmerie")
        CUSTOMS = "customs", _("Customs")
        PROSECUTOR = "prosecutor", _("Prosecutor's office")
        INVESTIGATING_JUDGE = "investigating_judge", _("Investigating judge")
        COURT = "court", _("Court")
        ADMINISTRATIVE = "administrative_authority", _("Administrative authority")
        INTELLIGENCE = "intelligence_service", _("Intelligence service")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")

    name = models.CharField(max_length=200, unique=True)
    country = models.CharField(max_length=2, validators=[validate_country])
    kind = models.CharField(max_length=30, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # The call-back number comes from an independent source (an official directory, a
    # liaison meeting), never from a request: it is what defeats forged emergency requests.
    callback_phone = models.CharField(max_length=20, blank=True)
    callback_source = models.CharField(max_length=300, blank=True)
    callback_recorded_by = models.ForeignKey(
        "User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    callback_recorded_at = models.DateTimeField(null=True, blank=True)
    age_public_key = models.CharField(
        max_length=100, blank=True, validators=[validate_age_recipient]
    )
    # When a second administrator last approved a change of a trust anchor (a verified domain
    # or the call-back number): the desk flags the agency's cases for a while after it.
    anchors_changed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        db_table = "accounts_agency"
        verbose_name_plural = "agencies"
        ordering = ["country", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.country})"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    def verified_domains(self) -> list[str]:
        return [d.domain for d in self.domains.all() if d.verified_at is not None]


class AgencyDomain(models.Model):
    """An e-mail domain that the platform verified belongs to the agency."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="domains")
    # ASCII (IDNA) lower-case form; exact match only — subdomains are separate domains.
    domain = models.CharField(max_length=253)
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        "User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verification_note = models.CharField(max_length=300, blank=True)

    class Meta:
        db_table = "accounts_agency_domain"
        ordering = ["domain"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "domain"], name="uniq_agency_domain")
        ]

    def __str__(self) -> str:
        return self.domain


class AnchorChange(models.Model):
    """A proposed change of an agency's trust anchors — its verified e-mail domains, its
    call-back number, and the HI-1 endpoint identities its orders may come from — applied only
    when a second administrator approves it.

    The HI-1 anchors are kept by ``interop`` (a layer above): the change holds what is proposed
    in ``details`` and ``interop`` registers how to apply it (``services.register_anchor_kind``).
    """

    class Kind(models.TextChoices):
        ADD_DOMAIN = "add_domain", _("Add a verified domain")
        REMOVE_DOMAIN = "remove_domain", _("Remove a verified domain")
        CALLBACK = "callback", _("Set the call-back number")
        ADD_HI1_ENDPOINT = "add_hi1_endpoint", _("Add an HI-1 endpoint and certificate")
        REMOVE_HI1_ENDPOINT = "remove_hi1_endpoint", _("Remove an HI-1 endpoint certificate")

    class State(models.TextChoices):
        PROPOSED = "proposed", _("Awaiting a second administrator")
        APPROVED = "approved", _("Approved and applied")
        REJECTED = "rejected", _("Rejected or withdrawn")

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="anchor_changes")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    domain = models.CharField(max_length=253, blank=True)  # IDNA ASCII, lower case
    phone = models.CharField(max_length=20, blank=True)  # E.164
    # How the domain was verified, or the independent source of the number.
    evidence = models.CharField(max_length=300, blank=True)
    # Anchors kept by another app: what is proposed, with a one-line ``subject`` for people.
    details = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PROPOSED)
    proposed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField()
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        db_table = "accounts_anchor_change"
        ordering = ["-proposed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject} ({self.agency.name})"

    @property
    def subject(self) -> str:
        if self.kind == self.Kind.CALLBACK:
            return self.phone
        if self.kind in (self.Kind.ADD_DOMAIN, self.Kind.REMOVE_DOMAIN):
            return self.domain
        return str(self.details.get("subject", ""))


class Officer(models.Model):
    """An officer of exactly one agency; inactive until platform staff approve."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")

    user = models.OneToOneField(User, on_delete=models.PROTECT, related_name="officer")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="officers")
    title = models.CharField(max_length=120)
    supervisor_name = models.CharField(max_length=200)
    supervisor_email = models.EmailField()
    class SupervisorAnswer(models.TextChoices):
        NONE = "", "Not answered yet"
        CONFIRMED = "confirmed", _("Confirmed")
        DECLINED = "declined", _("Declined")

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # The supervisor named at sign-up is asked, by a signed link sent to their address on the
    # agency's verified domain, to confirm that this person is their officer. Approval waits
    # for that answer (docs/decisions/0012-supervisor-confirmation.md).
    supervisor_asked_at = models.DateTimeField(null=True, blank=True)
    supervisor_answer = models.CharField(max_length=10, choices=SupervisorAnswer.choices,
                                         default=SupervisorAnswer.NONE, blank=True)
    supervisor_answered_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        db_table = "accounts_officer"
        ordering = ["agency", "user__full_name"]

    def __str__(self) -> str:
        return f"{self.user.full_name}, {self.title} — {self.agency.name}"

    @property
    def is_active_officer(self) -> bool:
        """Only an approved officer of an active agency with an active login acts as officer."""
        return (
            self.status == self.Status.ACTIVE
            and self.agency.status == Agency.Status.ACTIVE
            and self.user.is_active
        )


class StaffMember(models.Model):
    """A member of the platform's legal / trust-and-safety team, with one or more roles."""

    user = models.OneToOneField(User, on_delete=models.PROTECT, related_name="staff")
    roles = models.JSONField(default=list)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField()

    class Meta:
        db_table = "accounts_staff_member"

    def __str__(self) -> str:
        return f"{self.user.full_name} ({', '.join(self.roles)})"

    def clean_roles(self) -> None:
        unknown = set(self.roles) - set(STAFF_ROLES)
        if unknown:
            raise ValueError(f"unknown staff roles: {sorted(unknown)}")
