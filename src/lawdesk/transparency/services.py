"""Writing to the verifiable log (append a leaf, sign a checkpoint) and proofs from storage.

From the ``cases`` app, in the transaction that closes a case::

    append_leaf(case_ref=case.number, period=quarter_of(closed.year, closed.month),
                country=agency.country, kind=..., outcome=..., accounts_affected=..., now=now)
    enqueue_on_commit(publish_checkpoint_task)

and, once a checkpoint covers the leaf, ``receipt_for(case.number)`` is what the officer's
receipt carries (``lawdesk transparency verify-receipt`` checks it).
"""

from __future__ import annotations

import base64
import os
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models import Q

from lawdesk.audit.actions import Action
from lawdesk.audit.services import lock_chain_head, record
from lawdesk.core import keys
from lawdesk.evidence.keylist import receipt_signed_bytes
from lawdesk.transparency import merkle, note, triggers
from lawdesk.transparency.leaves import OUTCOMES, SALT_BYTES, Leaf, LeafError, OrderFacts, commitment
from lawdesk.transparency.models import Checkpoint, LogHead, LogLeaf, TreeNode


class AlreadyLogged(ValueError):
    """The case already has a leaf: a case is counted once, and a leaf is never changed."""


def origin() -> str:
    """The log's name: the checkpoint origin and signing key name, e.g. ``example.org/transparency``.

    ``LAWDESK_TRANSPARENCY_ORIGIN`` sets it; otherwise it derives from ``LAWDESK_BASE_URL``.
    It must never change: verifiers pin the key under this name.
    """
    configured = os.environ.get("LAWDESK_TRANSPARENCY_ORIGIN") or getattr(
        settings, "LAWDESK_TRANSPARENCY_ORIGIN", "")
    if configured:
        return str(configured)
    if settings.PRODUCTION and "LAWDESK_BASE_URL" not in os.environ:
        # The default base URL is the demo's loopback address: a log named after it would
        # have to be renamed later, and every verifier would see a different log.
        raise ImproperlyConfigured("set LAWDESK_TRANSPARENCY_ORIGIN (or LAWDESK_BASE_URL) in production")
    url = urlsplit(settings.LAWDESK_BASE_URL)
    return f"{url.netloc}{url.path.rstrip('/')}/transparency"


def verifier() -> note.Verifier:
    """The platform key as a note verifier under the log's name."""
    return note.parse_verifier_key(note.verifier_key_string(origin(), keys.public_key_raw("checkpoint")))


def lock_log() -> LogHead:
    """Lock the log for the rest of this transaction and return its head."""
    # The row lock serialises appends on PostgreSQL; SQLite's IMMEDIATE transactions already do.
    # Lock order: the audit chain's head first, then the log's. Every writer of the log also
    # writes an audit event, often after one it already wrote in the same transaction (closing
    # a case), so taking the audit head first everywhere rules out a deadlock between a
    # closing case and a checkpoint publication (seen on PostgreSQL).
    lock_chain_head()
    head = LogHead.objects.select_for_update().filter(id=1).first()
    if head is None:  # a database flushed by a test; migrations create the row
        LogHead.objects.get_or_create(id=1, defaults={"size": 0})
        head = LogHead.objects.select_for_update().get(id=1)
    return head


def node_source(needed: set[tuple[int, int]]) -> merkle.NodeSource:
    """Fetch the named perfect-subtree hashes in one query and serve them to the proof code."""
    by_level: dict[int, list[int]] = {}
    for level, index in needed:
        by_level.setdefault(level, []).append(index)
    found: dict[tuple[int, int], bytes] = {}
    if by_level:
        query = Q()
        for level, indexes in by_level.items():
            query |= Q(level=level, index__in=indexes)
        for level, index, digest in TreeNode.objects.filter(query).values_list("level", "index", "hash"):
            found[(level, index)] = bytes.fromhex(digest)

    def source(level: int, index: int) -> bytes:
        try:
            return found[(level, index)]
        except KeyError:
            raise merkle.ProofError(f"tree node {level}/{index} is missing from storage") from None

    return source


def _previous_nodes(index: int) -> merkle.NodeSource:
    """The left siblings appending leaf ``index`` combines with (one per trailing 1 bit)."""
    needed, level, i = set(), 0, index
    while i & 1:
        needed.add((level, i - 1))
        level, i = level + 1, i >> 1
    return node_source(needed)


def append_leaf(*, case_ref: str, period: str, country: str, kind: str, outcome: str,
                accounts_affected: int, now: datetime, order: OrderFacts | None = None) -> LogLeaf:
    """Append the leaf of a closed case to the log, in the caller's transaction; return it.

    With ``order`` (what the EU reporting templates count) the leaf is format v2, else v1.
    """
    if not case_ref or len(case_ref) > 100:
        raise ValueError("case_ref must be 1 to 100 characters")
    if outcome not in OUTCOMES:
        raise LeafError(f"outcome must be one of {', '.join(OUTCOMES)}, not {outcome!r}")
    salt = os.urandom(SALT_BYTES)
    leaf = Leaf(period=period, country=country, kind=kind, outcome=outcome,
                accounts_affected=accounts_affected, commitment=commitment(salt, case_ref), order=order)
    data = leaf.encode()
    digest = merkle.leaf_hash(data.encode())
    with transaction.atomic():
        head = lock_log()
        if LogLeaf.objects.filter(case_ref=case_ref).exists():
            raise AlreadyLogged(f"case {case_ref} is already in the transparency log")
        index = head.size
        row = LogLeaf.objects.create(index=index, data=data, leaf_hash=digest.hex(), case_ref=case_ref,
                                     salt=salt.hex(), period=period, country=country, created_at=now)
        TreeNode.objects.bulk_create([
            TreeNode(level=level, index=i, hash=h.hex())
            for level, i, h in merkle.new_nodes(_previous_nodes(index), index, digest)
        ])
        head.size = index + 1
        head.save(update_fields=["size"])
        record(Action.LEAF_APPENDED, actor=None, target=row,
               params={"index": index, "leaf_hash": digest.hex(), "case_ref": case_ref}, now=now)
    return row


def tree_size() -> int:
    """The number of leaves appended so far (signed or not)."""
    head = LogHead.objects.filter(id=1).first()
    return head.size if head else 0


def root_at(size: int) -> bytes:
    """The tree head over the first ``size`` leaves."""
    _check_size(size)
    return merkle.root_hash(node_source(merkle.nodes_for_root(size)), size)


def _check_size(size: int) -> None:
    if not 0 <= size <= tree_size():
        raise merkle.ProofError(f"the log has no tree of size {size}")


def inclusion_proof(leaf_index: int, tree_size: int) -> list[bytes]:
    """The audit path of leaf ``leaf_index`` in the tree of ``tree_size`` leaves."""
    _check_size(tree_size)
    needed = merkle.nodes_for_inclusion(leaf_index, tree_size)
    return merkle.inclusion_proof(node_source(needed), leaf_index, tree_size)


def consistency_proof(old: int, new: int) -> list[bytes]:
    """The proof that the tree of ``old`` leaves is a prefix of the tree of ``new`` leaves."""
    _check_size(new)
    needed = merkle.nodes_for_consistency(old, new)
    return merkle.consistency_proof(node_source(needed), old, new)


def publish_checkpoint(*, now: datetime) -> Checkpoint:
    """Sign and store a checkpoint of the whole log (the latest one if no leaf came since), then
    publish the public figures that became due or whose leaves changed (decision 0018)."""
    # reason: import cycle: transparency.publication imports this module
    from lawdesk.transparency import publication

    checkpoint = _sign_checkpoint(now=now)
    publication.refresh(now=now)
    return checkpoint


def _sign_checkpoint(*, now: datetime) -> Checkpoint:
    """Sign and store a checkpoint of the whole log (the latest one if no leaf came since)."""
    with transaction.atomic():
        head = lock_log()
        latest = Checkpoint.objects.order_by("-size").first()
        if latest is not None and latest.size == head.size:
            return latest
        root = root_at(head.size)
        if latest is not None:
            # A log must never sign a checkpoint inconsistent with one it signed before: check
            # the stored tree against the last one before the key touches it.
            merkle.verify_consistency(latest.size, head.size, bytes.fromhex(latest.root_hash), root,
                                      consistency_proof(latest.size, head.size))
        name = origin()
        text = note.format_checkpoint(name, head.size, root)
        sign, raw = keys.signer("checkpoint")
        signed = note.sign_note(text, name, sign, raw)
        checkpoint = Checkpoint.objects.create(size=head.size, root_hash=root.hex(), note_text=signed,
                                               created_at=now)
        record(Action.CHECKPOINT_PUBLISHED, actor=None, target=checkpoint,
               params={"size": head.size, "root_hash": root.hex(), "origin": name}, now=now)
        # Every publication also anchors the audit trail (decision 0013), in this transaction.
        # reason: import cycle: transparency.anchors imports this module
        from lawdesk.transparency.anchors import anchor

        anchor(now=now)
    return checkpoint


def latest_checkpoint() -> Checkpoint | None:
    """The most recent signed checkpoint, or None before the first."""
    return Checkpoint.objects.order_by("-size").first()


def b64(h: bytes) -> str:
    """Standard base64, as checkpoints and proofs are published."""
    return base64.b64encode(h).decode()


def receipt_for(case_ref: str) -> dict[str, Any] | None:
    """What the requesting officer gets once their case's leaf is under a signed checkpoint.

    The leaf, the salt that opens its commitment, the checkpoint and the inclusion proof: with
    the platform's verifier key, they show the case was counted in the published log. None
    while no checkpoint covers the leaf yet.
    """
    leaf = LogLeaf.objects.filter(case_ref=case_ref).first()
    if leaf is None:
        return None
    checkpoint = Checkpoint.objects.filter(size__gt=leaf.index).order_by("-size").first()
    if checkpoint is None:
        return None
    document: dict[str, Any] = {
        "format": "lawdesk-transparency-receipt/v1",
        "case_ref": case_ref,
        "salt": leaf.salt,
        "leaf_index": leaf.index,
        "leaf": leaf.data,
        "checkpoint": checkpoint.note_text,
        "inclusion_proof": [b64(h) for h in inclusion_proof(leaf.index, checkpoint.size)],
        "verifier_key": verifier().encode(),
    }
    return sign_receipt(document)


def sign_receipt(document: dict[str, Any]) -> dict[str, Any]:
    """Sign a receipt with the platform's *receipt* key (not the checkpoint or package key)."""
    sign, raw = keys.signer("receipt")
    return {**document, "signing_key": {"purpose": "receipt", "fingerprint": keys.fingerprint_raw(raw),
                                        "public_key": b64(raw)},
            "signature": b64(sign(receipt_signed_bytes(document)))}


def status() -> dict[str, Any]:
    """For operators: leaves, the latest checkpoint, leaves not yet signed, triggers missing."""
    latest = latest_checkpoint()
    size = tree_size()
    return {
        "origin": origin(),
        "verifier_key": verifier().encode(),
        "leaves": size,
        "checkpoint_size": latest.size if latest else None,
        "unsigned_leaves": size - (latest.size if latest else 0),
        "missing_triggers": sorted(triggers.missing(connection)),
    }
