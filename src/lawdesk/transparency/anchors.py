"""The anchor log: the audit chain head, committed to a signed, witnessed log of its own.

An insider who controls the database can drop the triggers, edit an event, recompute every
later hash and the head row: the chain is again valid on its own. What they cannot redo is a
checkpoint already signed with the checkpoint key and copied by others (verifiers, witnesses).
So the audit chain's head — sequence number and hash — is appended to the *anchor log*, an
RFC 6962 tree with C2SP checkpoints like the transparency log (decision 0013), at every
checkpoint publication and at least hourly (the worker's clock loop). ``lawdesk audit verify
--anchors URL_OR_DIR`` then checks that the event at every anchored sequence still has the
anchored hash — since each hash covers all earlier events, the whole anchored prefix is
unchanged — and that no anchored event is missing (truncation).

The same log carries the platform's key statements: each key's purpose, validity period and
revocation, appended whenever they change (``lawdesk keys``), so a key's history is as
append-only and witnessed as the trail.

Entries are canonical JSON (sorted keys, no spaces, ASCII): ``{"at", "hash", "kind":
"audit_head", "seq"}`` or ``{"kind": "key", "purpose", "fingerprint", "public_key",
"not_before", "not_after", "revoked_at", "revocation_reason"}``. Appends take the audit chain
head's row lock, so they are serialised with every audited write.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.db import transaction

from lawdesk.audit import anchor_log
from lawdesk.audit.actions import Action
from lawdesk.audit.hashing import canonical_time
from lawdesk.audit.models import AnchorCheckpoint, AnchorEntry, ChainHead, Event
from lawdesk.audit.services import lock_chain_head, record
from lawdesk.core import keys
from lawdesk.evidence.catalogue import Message, gettext_noop
from lawdesk.transparency import merkle, note
from lawdesk.transparency.cosign import cosigned_note
from lawdesk.transparency.services import origin as log_origin

ANCHOR_EVERY = timedelta(hours=1)
MAX_PAGE = 1000


def origin() -> str:
    """The anchor log's name: the transparency log's name followed by ``/audit-anchors``."""
    return f"{log_origin()}/audit-anchors"


def verifier() -> Any:
    """The anchor log's checkpoint key as a note verifier."""
    return note.parse_verifier_key(note.verifier_key_string(origin(), keys.public_key_raw("checkpoint")))


def encode(entry: dict[str, Any]) -> str:
    """Canonical JSON of an entry: exactly the bytes hashed and published."""
    return json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def _key_entries() -> list[dict[str, Any]]:
    return [{"kind": "key", "purpose": r.purpose, "fingerprint": r.fingerprint, "public_key": r.public_key,
             "not_before": r.not_before, "not_after": r.not_after, "revoked_at": r.revoked_at,
             "revocation_reason": r.revocation_reason} for r in keys.registry()]


def _append(index: int, entry: dict[str, Any], now: datetime) -> AnchorEntry:
    data = encode(entry)
    return anchor_log.append_entry(index=index, kind=entry["kind"], data=data,
                                   leaf_hash=merkle.leaf_hash(data.encode()).hex(),
                                   seq=entry.get("seq"), now=now)


def _tree() -> Any:
    hashes = AnchorEntry.objects.order_by("index").values_list("leaf_hash", flat=True)
    return merkle.MerkleTree(bytes.fromhex(h) for h in hashes)


def anchor(*, now: datetime) -> AnchorCheckpoint:
    """Append the current audit head (and any changed key statement) and sign a checkpoint.

    Runs in the caller's transaction (``publish_checkpoint``) or its own; takes the audit
    head's row lock. Audited as ``audit:anchor:published``, an event the next anchor covers.
    """
    with transaction.atomic():
        head = lock_chain_head()
        size = AnchorEntry.objects.count()
        appended = 0
        last = AnchorEntry.objects.filter(kind="audit_head").order_by("-index").first()
        if head.seq > 0 and (last is None or last.seq != head.seq):
            _append(size, {"kind": "audit_head", "seq": head.seq, "hash": head.hash,
                           "at": canonical_time(now)}, now)
            size, appended = size + 1, appended + 1
        logged = set(AnchorEntry.objects.filter(kind="key").values_list("data", flat=True))
        for entry in _key_entries():
            if encode(entry) not in logged:
                _append(size, entry, now)
                size, appended = size + 1, appended + 1
        latest = AnchorCheckpoint.objects.order_by("-size").first()
        if not appended and latest is not None and latest.size == size:
            return latest
        tree = _tree()
        root = tree.root()
        if latest is not None:
            # Never sign a checkpoint that does not extend the last one, even if rows were edited.
            merkle.verify_consistency(latest.size, size, bytes.fromhex(latest.root_hash), root,
                                      tree.consistency_proof(latest.size, size))
        name = origin()
        sign, raw = keys.signer("checkpoint")
        signed = note.sign_note(note.format_checkpoint(name, size, root), name, sign, raw)
        checkpoint = anchor_log.add_checkpoint(size=size, root_hash=root.hex(), note_text=signed,
                                               now=now)
        record(Action.ANCHOR_PUBLISHED, actor=None, target=checkpoint,
               params={"anchored_seq": head.seq, "anchored_hash": head.hash, "size": size,
                       "root_hash": root.hex()}, now=now)
    return checkpoint


def anchor_if_due(*, now: datetime, every: timedelta = ANCHOR_EVERY) -> AnchorCheckpoint | None:
    """Anchor when the last anchor is older than ``every`` and the trail has moved since.

    "Moved" ignores the anchor's own audit event, so an idle platform does not anchor its
    own anchoring every hour.
    """
    latest = AnchorCheckpoint.objects.order_by("-size").first()
    if latest is not None and now - latest.created_at < every:
        return None
    head = ChainHead.objects.filter(id=1).first()
    last = AnchorEntry.objects.filter(kind="audit_head").order_by("-index").first()
    if head is None or head.seq == 0:
        return None
    if last is not None and last.seq is not None and head.seq <= last.seq + 1:
        return None
    return anchor(now=now)


def latest_checkpoint() -> AnchorCheckpoint | None:
    """The newest signed checkpoint of the anchor log."""
    return AnchorCheckpoint.objects.order_by("-size").first()


def entries(start: int, end: int) -> list[str]:
    """Published entry data from ``start`` to ``end`` (exclusive)."""
    return list(AnchorEntry.objects.filter(index__gte=start, index__lt=end).order_by("index")
                .values_list("data", flat=True))


def consistency_proof(old: int, new: int) -> list[bytes]:
    """The anchor log's consistency proof between two sizes."""
    return list(_tree().consistency_proof(old, new))


def export(directory: Path) -> AnchorCheckpoint | None:
    """Write the anchor log (checkpoint with cosignatures, key, entries) for offline checking."""
    checkpoint = latest_checkpoint()
    if checkpoint is None:
        return None
    directory.mkdir(parents=True, exist_ok=True)
    signed = cosigned_note(origin(), checkpoint.size, checkpoint.note_text)
    (directory / "checkpoint").write_text(signed, "utf-8")
    (directory / "key").write_text(verifier().encode() + "\n", "utf-8")
    (directory / "leaves.json").write_text(json.dumps(
        {"tree_size": checkpoint.size, "leaves": entries(0, checkpoint.size)}, indent=0), "utf-8")
    return checkpoint


# --- Comparing the trail with verified anchors --------------------------------------------------

@dataclass(frozen=True)
class Anchor:
    """An anchored audit head, as read from a verified anchor log."""

    index: int
    seq: int
    hash: str
    at: str


def check_trail(anchors: list[Anchor], chain_length: int) -> tuple[list[str], list[str]]:
    """Compare the database's trail with the anchors: (problems, notes).

    ``chain_length`` is the length of the chain as ``verify_chain`` walked it (the last event
    whose hash links up). An anchored sequence beyond it means events were removed; a hash that
    differs means the event, or one before it, was rewritten.
    """
    problems: list[str] = []
    notes: list[str] = []
    if not anchors:
        return problems, [Message(gettext_noop("the anchor log holds no audit head yet"))]
    found = dict(Event.objects.filter(seq__in=[a.seq for a in anchors]).values_list("seq", "hash"))
    last_good: Anchor | None = None
    for a in anchors:
        if a.seq > chain_length or a.seq not in found:
            problems.append(Message(gettext_noop(
                "the audit trail was truncated: sequence %(seq)s was anchored on %(at)s (anchor entry "
                "%(index)s, hash %(hash)s…) but the trail now ends at sequence %(length)s"), seq=a.seq,
                at=a.at, index=a.index, hash=a.hash[:16], length=chain_length))
            break
        if found[a.seq] != a.hash:
            rewritten = Message(gettext_noop(
                "the audit trail was rewritten: the event at anchored sequence %(seq)s has hash %(found)s… "
                "but the anchor log recorded %(hash)s… on %(at)s (anchor entry %(index)s): an event at or "
                "before sequence "
                "%(seq)s was changed"), seq=a.seq, found=found[a.seq][:16], hash=a.hash[:16], at=a.at,
                index=a.index)
            problems.append(Message(gettext_noop("%(rewritten)s; it still matches the anchor of sequence "
                                                 "%(good)s"),
                                    rewritten=rewritten, good=last_good.seq) if last_good else rewritten)
            break
        last_good = a
    if not problems and last_good is not None:
        notes.append(Message(gettext_noop("%(count)s anchored heads match the trail, the latest at sequence "
                                          "%(seq)s (%(at)s)"), count=len(anchors), seq=last_good.seq,
                             at=last_good.at))
        if chain_length > last_good.seq:
            notes.append(Message(gettext_noop("events %(first)s to %(last)s are not anchored yet"),
                                 first=last_good.seq + 1, last=chain_length))
    return problems, notes
