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


class Cosignature(models.Model):
    """A witness's cosignature line on a checkpoint of one of the platform's logs.

    Kept apart from the checkpoint row (which never changes): witnesses answer after the
    checkpoint is signed and committed. ``origin`` names the log (the transparency log or the
    anchor log).
    """

    origin = models.CharField(max_length=200)
    size = models.BigIntegerField()
    witness = models.CharField(max_length=200)
    line = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        db_table = "transparency_cosignature"
        constraints = [models.UniqueConstraint(fields=["origin", "size", "witness"],
                                               name="transparency_cosignature_once")]

    def __str__(self) -> str:
        return f"{self.witness} cosigned {self.origin} at {self.size}"


class QuarterCount(models.Model):
    """One count of the public statistics, kept up to date as cases change (never by a scan).

    ``dimension`` is ``total`` (``value`` empty), ``kind``, ``category`` or ``instrument``;
    ``measure`` is ``received``, an outcome, ``refused:<ground>``, ``pending``,
    ``accounts_affected``, ``emergency`` or ``nondisclosure``. Half-years and years are sums
    of quarters. See docs/decisions/0008-transparency-counts.md for which quarter counts what.
    """

    quarter = models.CharField(max_length=7)
    country = models.CharField(max_length=2)
    dimension = models.CharField(max_length=12)
    value = models.CharField(max_length=40, blank=True)
    measure = models.CharField(max_length=60)
    n = models.BigIntegerField(default=0)

    class Meta:
        db_table = "transparency_count"
        constraints = [models.UniqueConstraint(
            fields=["quarter", "country", "dimension", "value", "measure"], name="transparency_count_key")]
        indexes = [models.Index(fields=["quarter", "country"], name="transparency_count_scope")]

    def __str__(self) -> str:
        return f"{self.quarter} {self.country} {self.dimension}={self.value} {self.measure}: {self.n}"


class DurationSample(models.Model):
    """One case's time to acknowledge or to give effect, for medians (medians cannot be summed)."""

    quarter = models.CharField(max_length=7)
    country = models.CharField(max_length=2)
    kind = models.CharField(max_length=24)
    measure = models.CharField(max_length=12)  # acknowledge | fulfil
    seconds = models.BigIntegerField()

    class Meta:
        db_table = "transparency_duration"
        indexes = [models.Index(fields=["quarter", "country"], name="transparency_duration_scope")]

    def __str__(self) -> str:
        return f"{self.quarter} {self.country} {self.kind} {self.measure} {self.seconds}s"



class PublishedFigures(models.Model):
    """The public figures of one closed period and country, as published (decision 0018).

    Written when the period becomes due (its end plus the publication delay) and again when a
    new checkpoint adds leaves to its quarters; verified against the log's leaves when written,
    so a page view reads one row and never scans leaves or count tables. ``country`` is empty
    for all countries. ``statistics`` holds the figures with small counts as bands;
    ``report`` the exact closed-case counts from the leaves (what the verifier checks).
    """

    period = models.CharField(max_length=7)  # 2024, 2024-H1 or 2024-Q3
    country = models.CharField(max_length=2, blank=True)
    checkpoint_size = models.BigIntegerField()  # the checkpoint the figures were verified against
    checkpoint_root = models.CharField(max_length=64)  # hex
    # The latest checkpoint known to add no leaf to this period (the documents keep naming the
    # one above: it is a prefix of this one, so they stay valid, and a cached PDF stays current).
    checked_size = models.BigIntegerField()
    statistics = models.JSONField()
    report = models.JSONField()
    published_at = models.DateTimeField()

    class Meta:
        db_table = "transparency_published"
        constraints = [models.UniqueConstraint(fields=["period", "country"],
                                               name="transparency_published_scope")]

    def __str__(self) -> str:
        return f"{self.period} {self.country or 'all'}"
