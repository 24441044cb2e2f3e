"""Storage of the verifiable log: leaves, the perfect-subtree hashes, the head, checkpoints."""

from __future__ import annotations

from django.db import models


class LogLeaf(models.Model):
    """One closed case as counted: ``data`` is exactly the bytes hashed and published.

    ``case_ref`` and ``salt`` stay on the server: publishing either would let anyone link a
    leaf to a case. The requesting officer gets both with their receipt.
    """

    index = models.BigIntegerField(unique=True)
    data = models.TextField()
    leaf_hash = models.CharField(max_length=64)
    # Nullable: retention may erase the link to the case later; the leaf itself never changes.
    case_ref = models.CharField(max_length=100, null=True, blank=True, unique=True)
    salt = models.CharField(max_length=64)  # hex of 32 random bytes
    # Copies of two leaf fields, so a report reads only its own leaves (not hashed).
    period = models.CharField(max_length=7, db_index=True)
    country = models.CharField(max_length=2, db_index=True)
    created_at = models.DateTimeField()

    class Meta:
        db_table = "transparency_leaf"
        ordering = ["index"]

    def __str__(self) -> str:
        return f"leaf #{self.index}"


class TreeNode(models.Model):
    """The hash of the perfect subtree of ``2**level`` leaves starting at ``index * 2**level``.

    Written once, when its last leaf is appended; proofs read O(log n) of them.
    """

    level = models.PositiveSmallIntegerField()
    index = models.BigIntegerField()
    hash = models.CharField(max_length=64)

    class Meta:
        db_table = "transparency_node"
        constraints = [models.UniqueConstraint(fields=["level", "index"], name="transparency_node_pos")]

    def __str__(self) -> str:
        return f"node {self.level}/{self.index}"


class LogHead(models.Model):
    """The number of leaves; its row lock serialises appends (as the audit chain head does)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    size = models.BigIntegerField(default=0)

    class Meta:
        db_table = "transparency_head"

    def __str__(self) -> str:
        return f"head {self.size}"


class Checkpoint(models.Model):
    """A signed tree head as published: the C2SP signed note, verbatim."""

    size = models.BigIntegerField(unique=True)
    root_hash = models.CharField(max_length=64)  # hex
    note_text = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        db_table = "transparency_checkpoint"
        ordering = ["size"]
        get_latest_by = "size"

    def __str__(self) -> str:
        return f"checkpoint {self.size}"
