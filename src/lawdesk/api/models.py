"""What the API keeps of its own: the officers' personal tokens and the first answer to each
``Idempotency-Key``."""

from __future__ import annotations

from django.db import models


class IdempotentAnswer(models.Model):
    """The answer given to the first POST an officer sent with an ``Idempotency-Key``.

    Written in the same transaction as the use case it answers, so a key has an answer exactly
    when the use case committed; the unique (officer, key) index makes a concurrent duplicate
    fail to commit, and it is then answered from this row.
    """

    officer = models.ForeignKey("accounts.Officer", on_delete=models.CASCADE,
                                related_name="idempotent_answers")
    key = models.CharField(max_length=255)
    operation = models.CharField(max_length=200)  # "POST /api/v1/requests/12/withdraw"
    fingerprint = models.CharField(max_length=64)  # SHA-256 of what the request meant
    status = models.PositiveSmallIntegerField()
    body = models.TextField()  # the JSON exactly as sent (jsonb would reorder its keys)
    location = models.CharField(max_length=200, blank=True)
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="idempotent_answers")
    created_at = models.DateTimeField()

    class Meta:
        db_table = "api_idempotent_answer"
        constraints = [models.UniqueConstraint(fields=["officer", "key"],
                                               name="api_idempotency_key_per_officer")]

    def __str__(self) -> str:
        return f"{self.operation} [{self.key[:20]}] → {self.status}"


class ApiToken(models.Model):
    """A personal API token of an officer. Only its hash is stored."""

    officer = models.ForeignKey("accounts.Officer", on_delete=models.CASCADE,
                                related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # The table keeps the name it had when the model lived in cases (migration
        # api/0002 moved the model, not the rows).
        db_table = "cases_api_token"

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"
