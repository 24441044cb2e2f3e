"""Background job: sign a checkpoint soon after a case closes, so its receipt can be issued."""

from __future__ import annotations

from lawdesk.core.clock import utcnow
from lawdesk.core.tasks import task
from lawdesk.transparency.cosign import witness_latest
from lawdesk.transparency.services import publish_checkpoint


@task()
def publish_checkpoint_task() -> int:
    """Sign a checkpoint over every leaf appended so far; return its size.

    Enqueue it with ``lawdesk.core.tasks.enqueue_on_commit`` after ``append_leaf``: several
    closures in a row collapse into one checkpoint, as a run finding nothing new signs nothing.
    """
    size = publish_checkpoint(now=utcnow()).size
    # After the commit: witnesses see only what is published, and publication never waits
    # inside a transaction on a witness.
    witness_latest(now=utcnow())
    return size
