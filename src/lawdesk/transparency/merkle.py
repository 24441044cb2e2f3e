"""RFC 6962 / RFC 9162 Merkle tree hashing, inclusion and consistency proofs (no Django).

Hashes are SHA-256. A leaf hash is ``SHA-256(0x00 || data)``, an interior node
``SHA-256(0x01 || left || right)``; the tree over ``n`` leaves splits at the largest power of
two smaller than ``n`` (RFC 6962 §2.1, the MTH function), so a tree of any size has one root.

Storage model. Every *perfect* subtree — ``2**level`` leaves starting at ``index * 2**level``
— has a fixed hash that never changes once its last leaf exists. A ``NodeSource`` gives those
hashes by ``(level, index)``: the in-memory ``MerkleTree`` keeps them in lists, the server
keeps them in a table. Any range the proof algorithms need, ``[start, end)`` with ``start``
aligned as the RFC's recursion always leaves it, is a fold of at most ``log2(n)`` perfect
subtrees. Hence, for ``n`` leaves:

- appending a leaf stores one leaf hash and, amortised, one interior hash (O(1) amortised,
  O(log n) worst case);
- a tree head, an inclusion proof or a consistency proof reads O(log² n) stored hashes at
  worst (O(log n) typically) and computes nothing proportional to ``n``;
- ``nodes_for_*`` list the ``(level, index)`` pairs a proof needs, so a database can fetch them
  in one query before the proof is assembled.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()  # RFC 6962: the hash of an empty tree

NodeSource = Callable[[int, int], bytes]
"""``source(level, index)`` → hash of the perfect subtree of ``2**level`` leaves at ``index``."""


class ProofError(ValueError):
    """A proof does not verify, or the request for one is out of range."""


def leaf_hash(data: bytes) -> bytes:
    """RFC 6962 leaf hash: SHA-256 of 0x00 followed by the leaf data."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 6962 interior node hash: SHA-256 of 0x01, the left and the right child hashes."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two strictly smaller than ``n`` (for ``n >= 2``)."""
    return 1 << ((n - 1).bit_length() - 1)


def _perfect_parts(start: int, end: int) -> list[tuple[int, int]]:
    """Perfect subtrees, left to right, whose fold (from the right) is MTH(D[start:end]).

    Valid when ``start`` is a multiple of the largest power of two not above ``end - start``
    — always true of the ranges RFC 6962's recursion produces from a tree starting at 0.
    """
    parts: list[tuple[int, int]] = []
    while start < end:
        size = end - start
        level = size.bit_length() - 1  # largest perfect subtree that fits
        if start % (1 << level):
            raise ValueError(f"range [{start}, {end}) is not aligned for RFC 6962 splitting")
        parts.append((level, start >> level))
        start += 1 << level
    return parts


def _fold(hashes: Sequence[bytes]) -> bytes:
    """Fold perfect-subtree hashes from the right: MTH of their concatenated ranges."""
    acc = hashes[-1]
    for h in reversed(hashes[:-1]):
        acc = node_hash(h, acc)
    return acc


def range_hash(source: NodeSource, start: int, end: int) -> bytes:
    """MTH(D[start:end]) from stored perfect-subtree hashes (``start < end``, aligned)."""
    return _fold([source(level, index) for level, index in _perfect_parts(start, end)])


def root_hash(source: NodeSource, size: int) -> bytes:
    """The tree head MTH(D[0:size]); the empty tree's is SHA-256 of nothing."""
    if size < 0:
        raise ProofError("tree size must not be negative")
    return EMPTY_ROOT if size == 0 else range_hash(source, 0, size)


# --- Proof shapes: which ranges a proof consists of (independent of the hashes) ----------

def _inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """RFC 6962 PATH(index, D[0:size]) as leaf ranges, leaf-side first."""
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is outside a tree of size {size}")
    ranges: list[tuple[int, int]] = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = _split(hi - lo)
        if index < lo + k:
            ranges.append((lo + k, hi))
            hi = lo + k
        else:
            ranges.append((lo, lo + k))
            lo += k
    ranges.reverse()
    return ranges


def _consistency_ranges(old: int, new: int) -> list[tuple[int, int]]:
    """RFC 6962 PROOF(old, D[0:new]) (SUBPROOF with b=true) as leaf ranges, leaf-side first."""
    if not 0 <= old <= new:
        raise ProofError(f"no consistency proof from size {old} to size {new}")
    if old in (0, new):
        return []
    ranges: list[tuple[int, int]] = []
    lo, hi, m, whole = 0, new, old, True
    while True:
        if m == hi - lo:
            if not whole:
                ranges.append((lo, hi))
            break
        k = _split(hi - lo)
        if m <= k:
            ranges.append((lo + k, hi))
            hi = lo + k
        else:
            ranges.append((lo, lo + k))
            lo, m, whole = lo + k, m - k, False
    ranges.reverse()
    return ranges


def _nodes(ranges: Iterable[tuple[int, int]]) -> set[tuple[int, int]]:
    return {part for start, end in ranges for part in _perfect_parts(start, end)}


def nodes_for_inclusion(index: int, size: int) -> set[tuple[int, int]]:
    """The stored ``(level, index)`` hashes an inclusion proof needs."""
    return _nodes(_inclusion_ranges(index, size))


def nodes_for_consistency(old: int, new: int) -> set[tuple[int, int]]:
    """The stored ``(level, index)`` hashes a consistency proof needs."""
    return _nodes(_consistency_ranges(old, new))


def nodes_for_root(size: int) -> set[tuple[int, int]]:
    """The stored ``(level, index)`` hashes the tree head at ``size`` needs."""
    return set(_perfect_parts(0, size))


def inclusion_proof(source: NodeSource, index: int, size: int) -> list[bytes]:
    """The audit path of leaf ``index`` in the tree of ``size`` leaves (RFC 6962 §2.1.1)."""
    return [range_hash(source, a, b) for a, b in _inclusion_ranges(index, size)]


def consistency_proof(source: NodeSource, old: int, new: int) -> list[bytes]:
    """The proof that the tree of ``old`` leaves is a prefix of the one of ``new`` (§2.1.2)."""
    return [range_hash(source, a, b) for a, b in _consistency_ranges(old, new)]


# --- Verification: RFC 9162 §2.1.3.2 and §2.1.4.2 -----------------------------------------

def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> None:
    """Check that ``leaf`` (a leaf hash) is at ``index`` in the tree ``root`` of ``size``; raise if not."""
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is outside a tree of size {size}")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise ProofError("inclusion proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            # Climb past the levels where this node has no right sibling.
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("inclusion proof is shorter than the tree is deep")
    if r != root:
        raise ProofError("inclusion proof does not lead to the root hash")


def verify_consistency(old: int, new: int, old_root: bytes, new_root: bytes,
                       proof: Sequence[bytes]) -> None:
    """Check that the tree ``old_root`` of ``old`` leaves is a prefix of ``new_root``; raise if not."""
    if not 0 <= old <= new:
        raise ProofError(f"a tree cannot shrink from size {old} to size {new}")
    if old == new:
        if proof:
            raise ProofError("consistency proof between equal sizes must be empty")
        if old_root != new_root:
            raise ProofError(f"two different roots for the same tree size {old}: the log forked")
        return
    if old == 0:
        # Every tree extends the empty tree; RFC 9162 defines no proof for it.
        if proof:
            raise ProofError("consistency proof from the empty tree must be empty")
        return
    if not proof:
        raise ProofError("consistency proof is empty")
    path = list(proof)
    if old & (old - 1) == 0:
        path.insert(0, old_root)  # the old tree is a perfect subtree of the new one
    fn, sn = old - 1, new - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("consistency proof is too long")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("consistency proof is too short")
    if fr != old_root:
        raise ProofError(f"the tree of size {new} does not extend the checkpoint of size {old}: "
                         "the log forked or was rewritten")
    if sr != new_root:
        raise ProofError(f"consistency proof does not lead to the root hash of size {new}")


# --- An in-memory tree (the verifier's, and the tests') ------------------------------------

class MerkleTree:
    """An append-only tree holding every perfect-subtree hash: O(n) memory, O(1) amortised append."""

    def __init__(self, leaf_hashes: Iterable[bytes] = ()) -> None:
        self.levels: list[list[bytes]] = [[]]
        for h in leaf_hashes:
            self.append_hash(h)

    def __len__(self) -> int:
        return len(self.levels[0])

    @classmethod
    def from_leaf_hashes(cls, leaf_hashes: Sequence[bytes]) -> MerkleTree:
        """The same tree as appending each hash, built level by level (several times faster)."""
        tree = cls()
        level = list(leaf_hashes)
        tree.levels = [level]
        sha256 = hashlib.sha256
        while len(level) >= 2:
            level = [sha256(b"\x01" + level[i] + level[i + 1]).digest() for i in range(0, len(level) - 1, 2)]
            tree.levels.append(level)
        return tree

    def append(self, data: bytes) -> int:
        """Append leaf data; return its index."""
        return self.append_hash(leaf_hash(data))

    def append_hash(self, h: bytes) -> int:
        """Append a leaf by its leaf hash; return its index."""
        for level, _index, new_hash in new_nodes(self.get, len(self), h):
            if level == len(self.levels):
                self.levels.append([])
            self.levels[level].append(new_hash)
        return len(self) - 1

    def get(self, level: int, index: int) -> bytes:
        """The hash of the perfect subtree at ``(level, index)``."""
        return self.levels[level][index]

    def root(self, size: int | None = None) -> bytes:
        """The tree head at ``size`` (default: every leaf)."""
        return root_hash(self.get, len(self) if size is None else self._check(size))

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """Audit path of leaf ``index`` at ``size`` (default: every leaf)."""
        return inclusion_proof(self.get, index, len(self) if size is None else self._check(size))

    def consistency_proof(self, old: int, new: int | None = None) -> list[bytes]:
        """Consistency proof from ``old`` to ``new`` (default: every leaf)."""
        return consistency_proof(self.get, old, len(self) if new is None else self._check(new))

    def _check(self, size: int) -> int:
        if not 0 <= size <= len(self):
            raise ProofError(f"tree size {size} is beyond the {len(self)} leaves held")
        return size


def new_nodes(source: NodeSource, index: int, leaf: bytes) -> list[tuple[int, int, bytes]]:
    """The ``(level, index, hash)`` entries that appending leaf hash ``leaf`` at ``index`` completes.

    The leaf itself, then each perfect subtree it closes: while the new node is a right child,
    its parent (one level up) is now complete.
    """
    out = [(0, index, leaf)]
    level, i, h = 0, index, leaf
    while i & 1:
        h = node_hash(source(level, i - 1), h)
        level, i = level + 1, i >> 1
        out.append((level, i, h))
    return out


class Frontier:
    """The right edge of a tree: the hash of each perfect subtree its size splits into.

    ``size`` leaves split into one perfect subtree per set bit of ``size`` (largest first), so
    the frontier is O(log n) hashes, yet it gives the root and can take more leaves: what a
    verifier keeps between runs to check only the leaves appended since (a CT monitor's state).
    """

    def __init__(self, size: int = 0, hashes: Iterable[bytes] = ()) -> None:
        self.size = size
        self.hashes = list(hashes)
        if size < 0 or len(self.hashes) != size.bit_count():
            raise ProofError(f"a frontier of {size} leaves has {size.bit_count()} hashes, "
                             f"not {len(self.hashes)}")

    def extend(self, leaf_hashes: Iterable[bytes]) -> None:
        """Append leaves given by their leaf hashes."""
        sha256 = hashlib.sha256
        stack, n = self.hashes, self.size
        for h in leaf_hashes:
            stack.append(h)
            carry = n  # each trailing 1 bit of the old size closes one perfect subtree
            while carry & 1:
                right = stack.pop()
                stack[-1] = sha256(b"\x01" + stack[-1] + right).digest()
                carry >>= 1
            n += 1
        self.size = n

    def root(self) -> bytes:
        """The tree head over every leaf so far."""
        return EMPTY_ROOT if self.size == 0 else _fold(self.hashes)
