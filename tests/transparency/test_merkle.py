"""RFC 6962 / 9162 Merkle tree: reference vectors, a naive reference model, properties."""

from __future__ import annotations

import hashlib
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lawdesk.transparency import merkle
from lawdesk.transparency.merkle import MerkleTree, ProofError, leaf_hash, node_hash

# The RFC 6962 test leaves used by the Certificate Transparency implementations.
CT_LEAVES = [bytes.fromhex(h) for h in (
    "", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f")]
CT_ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
CT_PATH_0_OF_8 = [
    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
]


# A literal transcription of RFC 6962 §2.1 (MTH, PATH, SUBPROOF) over lists: the model.
def _k(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def ref_mth(d: list[bytes]) -> bytes:
    if not d:
        return hashlib.sha256(b"").digest()
    if len(d) == 1:
        return leaf_hash(d[0])
    k = _k(len(d))
    return node_hash(ref_mth(d[:k]), ref_mth(d[k:]))


def ref_path(m: int, d: list[bytes]) -> list[bytes]:
    if len(d) == 1:
        return []
    k = _k(len(d))
    if m < k:
        return [*ref_path(m, d[:k]), ref_mth(d[k:])]
    return [*ref_path(m - k, d[k:]), ref_mth(d[:k])]


def ref_subproof(m: int, d: list[bytes], b: bool) -> list[bytes]:
    n = len(d)
    if m == n:
        return [] if b else [ref_mth(d)]
    k = _k(n)
    if m <= k:
        return [*ref_subproof(m, d[:k], b), ref_mth(d[k:])]
    return [*ref_subproof(m - k, d[k:], False), ref_mth(d[:k])]


def tree_of(n: int) -> tuple[list[bytes], MerkleTree]:
    data = [f"leaf {i}".encode() for i in range(n)]
    tree = MerkleTree()
    for d in data:
        tree.append(d)
    return data, tree


def test_reference_roots_of_rfc6962_leaves() -> None:
    tree = MerkleTree()
    assert tree.root().hex() == CT_ROOTS[0]
    for i, data in enumerate(CT_LEAVES):
        tree.append(data)
        assert tree.root().hex() == CT_ROOTS[i + 1]
    for size in range(9):
        assert tree.root(size).hex() == CT_ROOTS[size]
    assert [h.hex() for h in tree.inclusion_proof(0, 8)] == CT_PATH_0_OF_8


def test_matches_the_rfc_recursion_exhaustively_for_small_trees() -> None:
    data, tree = tree_of(40)
    for n in range(1, 41):
        assert tree.root(n) == ref_mth(data[:n])
        for m in range(n):
            assert tree.inclusion_proof(m, n) == ref_path(m, data[:n])
        for m in range(1, n):
            assert tree.consistency_proof(m, n) == ref_subproof(m, data[:n], True)


def test_every_inclusion_and_consistency_proof_verifies_up_to_64_leaves() -> None:
    _, tree = tree_of(64)
    for n in range(1, 65):
        root = tree.root(n)
        for m in range(n):
            merkle.verify_inclusion(tree.get(0, m), m, n, tree.inclusion_proof(m, n), root)
        for m in range(0, n + 1):
            merkle.verify_consistency(m, n, tree.root(m), root, tree.consistency_proof(m, n))


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 300).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n - 1))))
def test_inclusion_proofs_verify_and_a_changed_leaf_or_proof_fails(case: tuple[int, int]) -> None:
    n, m = case
    _, tree = tree_of(n)
    root, proof = tree.root(n), tree.inclusion_proof(m, n)
    merkle.verify_inclusion(tree.get(0, m), m, n, proof, root)
    with pytest.raises(ProofError):
        merkle.verify_inclusion(leaf_hash(b"something else"), m, n, proof, root)
    for i in range(len(proof)):
        bad = list(proof)
        bad[i] = hashlib.sha256(bad[i]).digest()
        with pytest.raises(ProofError):
            merkle.verify_inclusion(tree.get(0, m), m, n, bad, root)
    if proof:
        with pytest.raises(ProofError):
            merkle.verify_inclusion(tree.get(0, m), m, n, proof[:-1], root)
    with pytest.raises(ProofError):
        merkle.verify_inclusion(tree.get(0, m), m, n, [*proof, root], root)
    if n > 1:  # the same proof claimed for another position
        with pytest.raises(ProofError):
            merkle.verify_inclusion(tree.get(0, m), (m + 1) % n, n, proof, root)


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 300).flatmap(lambda n: st.tuples(st.integers(1, n), st.just(n))))
def test_consistency_proofs_verify_and_forks_fail(case: tuple[int, int]) -> None:
    m, n = case
    data, tree = tree_of(n)
    old_root, new_root, proof = tree.root(m), tree.root(n), tree.consistency_proof(m, n)
    merkle.verify_consistency(m, n, old_root, new_root, proof)
    # A forked log: the same first m-1 leaves, then a different m-th leaf.
    fork = MerkleTree(leaf_hash(d) for d in data[: m - 1])
    fork.append(b"rewritten history")
    with pytest.raises(ProofError):
        merkle.verify_consistency(m, n, fork.root(), new_root, proof)
    for i in range(len(proof)):
        bad = list(proof)
        bad[i] = hashlib.sha256(bad[i]).digest()
        with pytest.raises(ProofError):
            merkle.verify_consistency(m, n, old_root, new_root, bad)
    if m < n:
        with pytest.raises(ProofError):
            merkle.verify_consistency(m, n, old_root, new_root, proof[:-1])
        with pytest.raises(ProofError):
            merkle.verify_consistency(m, n, old_root, new_root, [*proof, new_root])


def test_equal_sizes_with_different_roots_is_a_fork() -> None:
    _, a = tree_of(5)
    b = MerkleTree(leaf_hash(x) for x in [b"x"] * 5)
    with pytest.raises(ProofError, match="forked"):
        merkle.verify_consistency(5, 5, a.root(), b.root(), [])
    merkle.verify_consistency(5, 5, a.root(), a.root(), [])


def test_out_of_range_requests_are_refused() -> None:
    _, tree = tree_of(5)
    with pytest.raises(ProofError):
        tree.inclusion_proof(5, 5)
    with pytest.raises(ProofError):
        tree.consistency_proof(4, 6)
    with pytest.raises(ProofError):
        merkle.verify_consistency(5, 4, tree.root(5), tree.root(4), [])


def test_node_lists_name_exactly_what_a_proof_reads() -> None:
    _, tree = tree_of(77)
    for n in (1, 2, 3, 31, 64, 77):
        for m in range(n):
            read: set[tuple[int, int]] = set()

            def source(level: int, index: int, read: set[tuple[int, int]] = read) -> bytes:
                read.add((level, index))
                return tree.get(level, index)

            merkle.inclusion_proof(source, m, n)
            assert read == merkle.nodes_for_inclusion(m, n)
            read.clear()
            merkle.consistency_proof(source, m + 1, n)
            assert read == merkle.nodes_for_consistency(m + 1, n)
            read.clear()
            merkle.root_hash(source, m + 1)
            assert read == merkle.nodes_for_root(m + 1)


def test_a_hundred_thousand_leaves_stay_fast() -> None:
    started = time.perf_counter()
    tree = MerkleTree(leaf_hash(i.to_bytes(4, "big")) for i in range(100_000))
    size = len(tree)
    for m in (0, 1, 4_095, 65_537, 99_999):
        merkle.verify_inclusion(tree.get(0, m), m, size, tree.inclusion_proof(m), tree.root())
        merkle.verify_consistency(m + 1, size, tree.root(m + 1), tree.root(), tree.consistency_proof(m + 1))
        assert len(merkle.nodes_for_inclusion(m, size)) <= 2 * 17
    assert time.perf_counter() - started < 5
