"""Background jobs of the HI-1 channel."""

from __future__ import annotations

from lawdesk.core.clock import utcnow
from lawdesk.core.tasks import task


@task()
def send_outbound(message_id: int) -> str:
    """Send one queued HI-1 message to its authority (a retransmission if sent before)."""
    # reason: import cycle: interop.outbound imports this module
    from lawdesk.interop.outbound import send

    return send(message_id, now=utcnow())
