"""HI-1 endpoint identities of agencies, the transactions received, and the objects created."""

from __future__ import annotations

from django.db import models


class Endpoint(models.Model):
    """One authority endpoint identity (``CountryCode`` + ``UniqueIdentifier``) with one
    certificate fingerprint it may send from. Rows are written only when a second administrator
    approves an anchor change (accounts, decision 0014); an identity with two certificates (a
    renewal) has two rows."""

    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT,
                               related_name="hi1_endpoints")
    # Orders received from this endpoint are filed on this officer's account: the agency's
    # liaison for the channel, who sees them on the portal and answers the desk's questions.
    officer = models.ForeignKey("accounts.Officer", on_delete=models.PROTECT, related_name="+")
    country_code = models.CharField(max_length=2)
    unique_identifier = models.CharField(max_length=255)
    # SHA-256 of the client certificate (DER), lower-case hex without separators.
    fingerprint = models.CharField(max_length=64)
    # Where lawdesk sends this authority's answers (status notifications, deliveries): its
    # HI-1 server's URL, part of the trust anchor (data goes there). Empty: nothing is sent.
    delivery_url = models.URLField(max_length=500, blank=True)
    change = models.ForeignKey("accounts.AnchorChange", on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField()
    # Set when a second administrator approves its removal; the row stays for the history.
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "interop_endpoint"
        ordering = ["country_code", "unique_identifier"]
        constraints = [
            models.UniqueConstraint(fields=["fingerprint"], name="uniq_hi1_fingerprint",
                                    condition=models.Q(revoked_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.country_code}/{self.unique_identifier}"


class Transaction(models.Model):
    """One HI-1 message received from an endpoint and the answer given, kept so that a
    retransmission (same ``TransactionIdentifier``) gets the same answer."""

    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    endpoint = models.ForeignKey(Endpoint, on_delete=models.PROTECT, related_name="transactions")
    transaction_id = models.CharField(max_length=36)
    # SHA-256 of the canonical (C14N) Payload: a retransmission may carry a new Timestamp.
    payload_sha256 = models.CharField(max_length=64)
    request_sha256 = models.CharField(max_length=64)
    response = models.BinaryField()
    received_at = models.DateTimeField()

    class Meta:
        db_table = "interop_transaction"
        constraints = [
            models.UniqueConstraint(fields=["agency", "transaction_id"],
                                    name="uniq_hi1_transaction"),
        ]

    def __str__(self) -> str:
        return self.transaction_id


class StoredObject(models.Model):
    """An HI1Object an authority created, kept as received (byte-exact element), with the
    state lawdesk sets (generation, status) and the case or target it became."""

    class Type(models.TextChoices):
        AUTHORISATION = "AuthorisationObject"
        LDTASK = "LDTaskObject"
        LPTASK = "LPTaskObject"
        TDTASK = "TDTaskObject"
        DOCUMENT = "DocumentObject"

    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    endpoint = models.ForeignKey(Endpoint, on_delete=models.PROTECT, related_name="stored_objects")
    object_id = models.CharField(max_length=36)
    object_type = models.CharField(max_length=24, choices=Type.choices)
    generation = models.PositiveIntegerField(default=1)
    xml = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    # Documents: the decoded body as received, and its hash.
    content = models.BinaryField(null=True, blank=True)
    content_sha256 = models.CharField(max_length=64, blank=True)
    content_type = models.CharField(max_length=255, blank=True)
    associated = models.JSONField(default=list)
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    target = models.ForeignKey("cases.Target", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    # The HI-1 TransactionIdentifier of the message that created it (the case and its objects
    # are created before the transaction's answer is stored).
    hi1_transaction = models.CharField(max_length=36, default="")
    # Authorisations: facts the message could not give, to confirm on the desk.
    facts_to_confirm = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField()
    last_changed = models.DateTimeField()

    class Meta:
        db_table = "interop_object"
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "object_id"], name="uniq_hi1_object"),
        ]

    def __str__(self) -> str:
        return f"{self.object_type} {self.object_id}"


class OutboundMessage(models.Model):
    """An HI-1 message lawdesk sends to an authority: a status notification, a delivery of the
    evidence package, an Annex III form, the feedback on a take-down. Written in the
    transaction of the change it reports, with its bytes fixed (TransactionIdentifier
    included), so every attempt — after a crash, a restart, a timeout — is a retransmission
    the authority recognises, never a second message.
    The worker sends it; the clock loop retries what is due."""

    class Kind(models.TextChoices):
        NOTIFICATION = "notification", "Status notification"
        DELIVERY = "delivery", "Delivery"
        ANNEX_III = "annex_iii", "Annex III (impossibility)"
        FEEDBACK = "feedback", "Feedback on a take-down (TCO Annex II, DSA Art. 9 report)"

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Refused by the authority"

    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # Unique per reason to send (e.g. "status:<authorisation>:2"): asking twice queues once.
    key = models.CharField(max_length=200, unique=True)
    # The destination endpoint identity (ReceiverIdentifier); its URL is looked up when sending
    # (a renewed certificate keeps the identity).
    country_code = models.CharField(max_length=2)
    unique_identifier = models.CharField(max_length=255)
    transaction_id = models.CharField(max_length=36, unique=True)
    body = models.BinaryField()
    summary = models.JSONField(default=dict)
    # A delivery by URL: the package it points to, until when, under which identifier.
    package = models.ForeignKey("collection.EvidencePackage", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    download_id = models.CharField(max_length=36, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    lease_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    response = models.BinaryField(null=True, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "interop_outbound"
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.transaction_id} ({self.state})"


class AnnexIII(models.Model):
    """The e-Evidence Annex III form (impossibility to execute an EPOC) the desk produced for
    an order received over HI-1: the machine document and its PDF, kept as sent."""

    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="+")
    reasons = models.JSONField(default=list)  # per identifier: target, reason, explanation, preserved
    document = models.BinaryField()  # XML in the EPOC-FORM-3 namespace
    document_sha256 = models.CharField(max_length=64)
    pdf = models.BinaryField()
    pdf_sha256 = models.CharField(max_length=64)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        db_table = "interop_annex_iii"

    def __str__(self) -> str:
        return f"Annex III of case {self.case_id}"
