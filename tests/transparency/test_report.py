"""Report counting: any understated (or overstated) count, anywhere in a report, is named."""

from __future__ import annotations

import copy

from hypothesis import given, settings
from hypothesis import strategies as st

from lawdesk.transparency.leaves import Leaf
from lawdesk.transparency.report import Tally, compute_counts, count_mismatches, count_rows, quarters_in

leaves_strategy = st.lists(st.builds(
    Leaf,
    period=st.sampled_from(["2024-Q1", "2024-Q2", "2024-Q4", "2025-Q1"]),
    country=st.sampled_from(["FR", "DE", "IE"]),
    kind=st.sampled_from(["production", "preservation", "emergency_disclosure"]),
    outcome=st.sampled_from(["fulfilled", "partly_fulfilled", "refused", "withdrawn"]),
    accounts_affected=st.integers(0, 50),
    commitment=st.just("a" * 64),
), min_size=1, max_size=60)


def _set(counts: dict, path: str, value: int) -> None:
    keys = path.split(".")
    node = counts
    for k in keys[:-1]:
        node = node[k]
    node[keys[-1]] = value


@settings(max_examples=200, deadline=None)
@given(leaves_strategy, st.data())
def test_any_understated_count_is_detected(leaves: list[Leaf], data: st.DataObject) -> None:
    counts = compute_counts(leaves, period="2024", country=None)
    positive = [(m, c, v) for m, c, v in count_rows(counts) if v > 0]
    if not positive:
        return
    measure, category, value = data.draw(st.sampled_from(positive))
    less = data.draw(st.integers(1, value))
    lie = copy.deepcopy(counts)
    path = measure + ("." + category.replace("/", ".") if category else "")
    _set(lie, path, value - less)
    problems = count_mismatches(lie, counts)
    assert problems == [f"{path}: the report says {value - less}, the leaves give {value} (understated)"]


@settings(max_examples=100, deadline=None)
@given(leaves_strategy)
def test_counts_add_up(leaves: list[Leaf]) -> None:
    counts = compute_counts(leaves, period="2024", country="FR")
    assert sum(counts["by_kind"].values()) == counts["requests"]
    assert sum(counts["by_outcome"].values()) == counts["requests"]
    assert sum(counts["accounts_affected_by_outcome"].values()) == counts["accounts_affected"]
    assert counts["requests"] == sum(1 for x in leaves if x.period.startswith("2024-") and x.country == "FR")


@settings(max_examples=100, deadline=None)
@given(leaves_strategy, st.sampled_from(["2024", "2024-Q1", "2024-Q4", "2025", "2024-H1", "2024-H2"]),
       st.sampled_from([None, "FR", "DE"]))
def test_the_verifiers_tally_gives_the_servers_counts(leaves: list[Leaf], period: str, country: str | None) -> None:
    tally = Tally()
    for leaf in leaves:
        tally.add((leaf.period, leaf.country, leaf.kind, leaf.outcome, leaf.accounts_affected))
    restored = Tally(tally.rows())  # what a verifier saves and reads back
    by_quarter = [leaf for leaf in leaves if leaf.period in quarters_in(period)]
    expected = compute_counts(by_quarter, period=period[:4], country=country)
    assert restored.counts(period=period, country=country) == expected
