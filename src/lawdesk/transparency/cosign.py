"""Publication side of witnessing: ask the configured witnesses to cosign our checkpoints.

``LAWDESK_WITNESSES`` lists the witnesses as ``URL=witness-key`` entries (commas or spaces
between them). After a checkpoint of the transparency log or of the anchor log is committed,
``collect`` sends it to each witness with a consistency proof from the last size that witness
cosigned, and stores the cosignature lines it gets back (after checking them). A witness that
is down or refuses is logged and skipped: publication never waits on a witness, and a verifier
that requires a quorum simply fails until enough witnesses have cosigned.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.db.models import Max

from lawdesk.transparency import witness
from lawdesk.transparency.models import Cosignature

log = logging.getLogger("lawdesk.witness")


def endpoints() -> list[witness.WitnessEndpoint]:
    """The configured witnesses."""
    config = os.environ.get("LAWDESK_WITNESSES") or getattr(settings, "LAWDESK_WITNESSES", "")
    return witness.parse_endpoints(config) if config else []


def cosigned_note(origin: str, size: int, note_text: str) -> str:
    """The signed checkpoint with every stored witness cosignature appended."""
    lines = (Cosignature.objects.filter(origin=origin, size=size).order_by("witness")
             .values_list("line", flat=True))
    return note_text + "".join(lines)


def _ask(endpoint: witness.WitnessEndpoint, origin: str, size: int, note_text: str,
         proof: Callable[[int, int], list[bytes]]) -> str | None:
    known = Cosignature.objects.filter(origin=origin, witness=endpoint.key.name).aggregate(m=Max("size"))["m"]
    old = known or 0
    for _ in range(2):  # a 409 tells the size the witness knows: retry once from there
        body = witness.add_checkpoint_body(old, proof(old, size) if old else [], note_text)
        status, answer = witness.post_add_checkpoint(endpoint.url, body)
        if status == 409 and answer.strip().isdigit() and int(answer.strip()) != old \
                and int(answer.strip()) <= size:
            old = int(answer.strip())
            continue
        if status != 200:
            log.warning("witness %s refused checkpoint %s@%d: HTTP %d %s", endpoint.key.name, origin, size,
                        status, answer.strip()[:200])
            return None
        lines = [line + "\n" for line in answer.splitlines() if line.strip()]
        mine = [line for line in lines
                if witness.verify_cosignatures(note_text + line, [endpoint.key])]
        return mine[0] if mine else None
    return None


def collect(origin: str, size: int, note_text: str, proof: Callable[[int, int], list[bytes]], *,
            now: datetime) -> int:
    """Ask every configured witness to cosign; store what they return; return how many did."""
    got = 0
    for endpoint in endpoints():
        if Cosignature.objects.filter(origin=origin, size=size, witness=endpoint.key.name).exists():
            got += 1
            continue
        try:
            line = _ask(endpoint, origin, size, note_text, proof)
        except (OSError, witness.WitnessError) as exc:
            log.warning("witness %s unreachable for %s@%d: %s", endpoint.key.name, origin, size, exc)
            continue
        if line is not None:
            Cosignature.objects.get_or_create(origin=origin, size=size, witness=endpoint.key.name,
                                              defaults={"line": line, "created_at": now})
            got += 1
    return got


def witness_latest(*, now: datetime) -> dict[str, int]:
    """Collect cosignatures for the latest checkpoint of both logs (after publication)."""
    # reason: import cycle: transparency.anchors imports this module
    from lawdesk.transparency import anchors, services

    done: dict[str, int] = {}
    if not endpoints():
        return done
    latest = services.latest_checkpoint()
    if latest is not None:
        done[services.origin()] = collect(services.origin(), latest.size, latest.note_text,
                                          services.consistency_proof, now=now)
    anchor = anchors.latest_checkpoint()
    if anchor is not None:
        done[anchors.origin()] = collect(anchors.origin(), anchor.size, anchor.note_text,
                                         anchors.consistency_proof, now=now)
    return done
