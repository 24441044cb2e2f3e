"""The anchor log's rows: audit's tables, written only here.

``lawdesk.transparency.anchors`` decides what to anchor, builds the Merkle tree and signs the
checkpoint (the log's format and keys are transparency's); the rows it stores — the entries,
the checkpoints — belong to ``audit``, so it stores them through these functions (each app
writes only its own tables, docs/architecture.md). The chain head's row lock that serialises
anchoring with audited writes is ``audit.services.lock_chain_head``.
"""

from __future__ import annotations

from datetime import datetime

from lawdesk.audit.models import AnchorCheckpoint, AnchorEntry


def append_entry(*, index: int, kind: str, data: str, leaf_hash: str, seq: int | None,
                 now: datetime) -> AnchorEntry:
    """Store one entry of the anchor log (``data``: the canonical JSON hashed into the tree)."""
    return AnchorEntry.objects.create(index=index, kind=kind, data=data, leaf_hash=leaf_hash,
                                      seq=seq, created_at=now)


def add_checkpoint(*, size: int, root_hash: str, note_text: str, now: datetime) -> AnchorCheckpoint:
    """Store a signed checkpoint of the anchor log (the signed note, verbatim)."""
    return AnchorCheckpoint.objects.create(size=size, root_hash=root_hash, note_text=note_text,
                                           created_at=now)
