"""The append-only, hash-chained audit trail."""

from __future__ import annotations

from django.db import models


class Event(models.Model):
    """One audited fact. Rows are never updated or deleted (database triggers refuse it)."""

    seq = models.BigIntegerField(unique=True)
    at = models.DateTimeField()
    actor_id = models.BigIntegerField(null=True, blank=True)
    # What the actor was at the time (name, e-mail, agency, roles): users change later.
    actor = models.JSONField(default=dict)
    action = models.CharField(max_length=100)
    target_type = models.CharField(max_length=50, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    params = models.JSONField(default=dict)
    ip = models.CharField(max_length=45, null=True, blank=True)  # noqa: DJ001 (None = no request)
    user_agent = models.CharField(max_length=300, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        db_table = "audit_event"
        ordering = ["seq"]
        indexes = [
            models.Index(fields=["target_type", "target_id"]),
            models.Index(fields=["action"]),
            models.Index(fields=["actor_id"]),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"


class ChainHead(models.Model):
    """The last sequence number and hash; its row lock serialises writers of the chain.

    Verification also compares it with the last event, so deleting the newest rows of the
    chain (which leaves a chain that is valid on its own) is detected.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    class Meta:
        db_table = "audit_chain_head"

    def __str__(self) -> str:
        return f"head #{self.seq}"


class AnchorEntry(models.Model):
    """One entry of the anchor log: an audit chain head, or the state of a platform key.

    ``data`` is canonical JSON, exactly the bytes hashed into the anchor log's Merkle tree
    (see ``lawdesk.transparency.anchors``). Rows are never changed (database triggers refuse it).
    """

    index = models.BigIntegerField(unique=True)
    kind = models.CharField(max_length=20)  # audit_head | key
    data = models.TextField()
    leaf_hash = models.CharField(max_length=64)
    seq = models.BigIntegerField(null=True, blank=True)  # the anchored sequence (audit_head)
    created_at = models.DateTimeField()

    class Meta:
        db_table = "audit_anchor_entry"
        ordering = ["index"]

    def __str__(self) -> str:
        return f"anchor #{self.index} {self.kind}"


class AnchorCheckpoint(models.Model):
    """A signed checkpoint of the anchor log (C2SP signed note, verbatim)."""

    size = models.BigIntegerField(unique=True)
    root_hash = models.CharField(max_length=64)
    note_text = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        db_table = "audit_anchor_checkpoint"
        ordering = ["size"]

    def __str__(self) -> str:
        return f"anchor checkpoint {self.size}"
