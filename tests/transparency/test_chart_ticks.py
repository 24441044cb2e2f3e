"""The quarterly chart's y-axis: whole, evenly spaced, round ticks from 0 to the top."""

from __future__ import annotations

from itertools import pairwise

import pytest

from lawdesk.transparency.charts import quarterly_bars


def ticks(highest: int) -> list[int]:
    quarters = [{"quarter": f"2024-Q{q}", "requests_fulfilled": highest if q == 1 else 0,
                 "users_affected": 0} for q in range(1, 5)]
    return [t["value"] for t in quarterly_bars(quarters)["ticks"]]


def test_five_reads_zero_to_five_by_one():
    assert ticks(5) == [0, 1, 2, 3, 4, 5]  # was 0, 1, 2, 4, 5


@pytest.mark.parametrize("highest", [0, 1, 2, 3, 5, 6, 7, 9, 11, 23, 48, 99, 210, 673, 1386, 2072])
def test_ticks_are_evenly_spaced_whole_numbers_covering_the_data(highest):
    values = ticks(highest)
    steps = {b - a for a, b in pairwise(values)}
    assert values[0] == 0 and values[-1] >= highest and len(steps) == 1
    assert all(isinstance(v, int) for v in values) and 2 <= len(values) <= 6
