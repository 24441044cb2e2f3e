"""The synthetic platform's retention and deletion jobs — which skip data under a hold.

Retention deletes connection-log rows older than the retention period; deletion purges the
connection log and sent messages of accounts flagged deleted. Both rewrite each Parquet file
in place (filtered, same order and row groups) through a temporary file and an atomic rename,
and leave every row of an account under a preservation hold (``holds.json``) untouched.

Every retention run is logged in ``retention_runs.jsonl`` (when, the cutoff, the accounts a hold
kept): an evidence certificate must say whether data is missing because it was never there or
because retention deleted it, and whether that happened before or after the order arrived.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from lawdesk.platform.actions import PlatformActions
from lawdesk.platform.layout import LOOKUP_INDEX_FILE, ROW_GROUP_SIZE

RETENTION_LOG = "retention_runs.jsonl"
EVENT_GLOBS = ("events_by_account/*/*.parquet", "events_by_ip/*/*.parquet")
MESSAGE_GLOBS = ("messages_by_chat/*.parquet", "messages_by_sender.parquet")


@dataclass(frozen=True)
class RetentionRun:
    """One run of the connection-log retention job."""

    run_at: datetime
    cutoff: datetime  # rows older than this were deleted ...
    keep_for: timedelta
    kept_accounts: frozenset[int]  # ... except these accounts' rows (under a hold)


def retention_runs(data_dir: Path | str) -> list[RetentionRun]:
    """The logged retention runs of a dataset, oldest first ([] when none ran or no log)."""
    path = Path(data_dir) / RETENTION_LOG
    if not path.is_file():
        return []
    runs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            runs.append(RetentionRun(datetime.fromisoformat(row["run_at"]),
                                     datetime.fromisoformat(row["cutoff"]),
                                     timedelta(seconds=row["keep_for_seconds"]),
                                     frozenset(row["kept_accounts"])))
    return sorted(runs, key=lambda r: r.run_at)


def _log_run(root: Path, run: RetentionRun) -> None:
    line = json.dumps({"run_at": run.run_at.isoformat(), "cutoff": run.cutoff.isoformat(),
                       "keep_for_seconds": run.keep_for.total_seconds(),
                       "kept_accounts": sorted(run.kept_accounts)})
    with open(root / RETENTION_LOG, "a", encoding="utf-8") as fh:
        fh.write(line + "\n")
        fh.flush()
        os.fsync(fh.fileno())


@dataclass
class RetentionReport:
    """What a run removed and what the holds kept."""

    files: int = 0
    removed: int = 0
    kept_by_hold: int = 0


def _rewrite(path: Path, keep: pa.ChunkedArray | pa.Array) -> int:
    table = pq.read_table(path)
    filtered = table.filter(keep)
    removed = table.num_rows - filtered.num_rows
    if removed:
        tmp = path.with_name(f".{path.name}.retention")
        pq.write_table(filtered, tmp, row_group_size=ROW_GROUP_SIZE)
        os.replace(tmp, path)
    return removed


def _drop_lookup_index(root: Path) -> None:
    """Remove the derived lookup index before rows are deleted: it must never answer with rows
    the log no longer holds (lookups fall back to the Parquet files until it is rebuilt)."""
    (root / LOOKUP_INDEX_FILE).unlink(missing_ok=True)


def apply_retention(data_dir: Path | str, *, now: datetime, keep_for: timedelta) -> RetentionReport:
    """Delete connection-log rows older than ``now - keep_for``, except held accounts' rows."""
    root = Path(data_dir)
    held_ids = PlatformActions(root).held_accounts(now)
    held = pa.array(sorted(held_ids), pa.int64())
    cutoff = pa.scalar(now - keep_for, pa.timestamp("us", tz="UTC"))
    # Logged first: a run that dies half-way may have deleted rows, and must be on record.
    _log_run(root, RetentionRun(now, now - keep_for, keep_for, frozenset(held_ids)))
    _drop_lookup_index(root)
    report = RetentionReport()
    for pattern in EVENT_GLOBS:
        for path in sorted(root.glob(pattern)):
            table = pq.read_table(path, columns=["account_id", "ts"])
            old = pc.less(table["ts"], cutoff)
            protected = pc.is_in(table["account_id"], value_set=held)
            report.kept_by_hold += pc.sum(pc.and_(old, protected)).as_py() or 0
            report.removed += _rewrite(path, pc.invert(pc.and_(old, pc.invert(protected))))
            report.files += 1
    return report


def purge_deleted_accounts(data_dir: Path | str, *, now: datetime) -> RetentionReport:
    """Remove the connection log and sent messages of deleted accounts, except held ones."""
    root = Path(data_dir)
    held = PlatformActions(root).held_accounts(now)
    accounts = pq.read_table(root / "accounts.parquet", columns=["account_id", "deleted"])
    deleted = pc.filter(accounts["account_id"], accounts["deleted"]).to_pylist()
    report = RetentionReport(kept_by_hold=len(set(deleted) & held))
    gone = pa.array(sorted(set(deleted) - held), pa.int64())
    _drop_lookup_index(root)
    for pattern, column in [(g, "account_id") for g in EVENT_GLOBS] + \
                           [(g, "sender_id") for g in MESSAGE_GLOBS]:
        for path in sorted(root.glob(pattern)):
            ids = pq.read_table(path, columns=[column])[column]
            report.removed += _rewrite(path, pc.invert(pc.is_in(ids, value_set=gone)))
            report.files += 1
    return report
