"""The project's single door to background jobs (django-tasks, database backend).

Jobs are enqueued with ``enqueue_on_commit`` so that a job exists if and only if the
transaction that asked for it committed: no lost jobs, no phantom jobs.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django_tasks import task

__all__ = ["enqueue_on_commit", "task"]


def enqueue_on_commit(job: Any, *args: Any, **kwargs: Any) -> None:
    """Enqueue ``job`` after the current transaction commits (immediately outside one)."""
    transaction.on_commit(lambda: job.enqueue(*args, **kwargs))
