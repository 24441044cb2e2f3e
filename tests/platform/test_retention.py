"""Retention and deletion jobs of the synthetic platform skip data under a preservation hold."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta

import pyarrow.parquet as pq
import pytest

from lawdesk.platform.actions import PlatformActions
from lawdesk.platform.ibis_connector import duckdb_connector
from lawdesk.platform.identifiers import Window
from lawdesk.platform.retention import apply_retention, purge_deleted_accounts

NOW = datetime(2026, 7, 1, tzinfo=UTC)
EARLY = Window(datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 6, 1, tzinfo=UTC))


@pytest.fixture
def copy(dataset, tmp_path):
    target = tmp_path / "platform"
    shutil.copytree(dataset, target)
    return target


def _active_early(root, exclude: int) -> int:
    """Some account (not ``exclude``) with connections in the early window."""
    events = pq.read_table(next(root.glob("events_by_account/*/*.parquet")),
                           columns=["account_id", "ts"]).to_pylist()
    return next(e["account_id"] for e in events
                if e["account_id"] != exclude and EARLY.start <= e["ts"] < EARLY.end)


def test_retention_deletes_old_rows_but_not_held_accounts(copy):
    before = duckdb_connector(copy)
    other = _active_early(copy, exclude=1_000_001)
    held_rows = len(before.ip_history(1_000_001, EARLY))
    assert held_rows and before.ip_history(other, EARLY)
    PlatformActions(copy).place_hold("LD-2026-000001", [1_000_001], NOW + timedelta(days=60), NOW)
    report = apply_retention(copy, now=NOW, keep_for=timedelta(days=365))
    assert report.removed > 0 and report.kept_by_hold > 0
    after = duckdb_connector(copy)
    assert len(after.ip_history(1_000_001, EARLY)) == held_rows
    assert after.ip_history(other, EARLY) == []


def test_deleted_accounts_are_purged_unless_held(copy):
    accounts = pq.read_table(copy / "accounts.parquet").to_pylist()
    deleted = [a["account_id"] for a in accounts if a["deleted"]][:2]
    assert len(deleted) == 2
    PlatformActions(copy).place_hold("LD-2026-000002", [deleted[0]], NOW + timedelta(days=60), NOW)
    window = Window(datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 12, 31, tzinfo=UTC))
    before = duckdb_connector(copy)
    kept = len(before.ip_history(deleted[0], window))
    report = purge_deleted_accounts(copy, now=NOW)
    assert report.kept_by_hold == 1
    after = duckdb_connector(copy)
    assert len(after.ip_history(deleted[0], window)) == kept
    assert after.ip_history(deleted[1], window) == []
