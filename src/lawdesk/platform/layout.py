"""Bucketed on-disk layout of the connection log (see docs/decisions/0003).

Each sorted copy of the log is split into Hive-style bucket directories, so that DuckDB opens
one small file per lookup instead of weighing the statistics of every row group of one big
file (lookup time grew with the file: ~4 ms at 16 row groups, ~30 ms at 1 526).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from lawdesk.platform.identifiers import ip_to_bytes

ROW_GROUP_SIZE = 65_536
#: accounts per bucket of events_by_account (consecutive ids share a bucket)
ACCOUNT_BUCKET_SIZE = 16_384
#: number of buckets of events_by_ip (by the address's last byte)
IP_BUCKETS = 64

#: the derived SQLite lookup index beside the Parquet files (platform/lookup_index.py)
LOOKUP_INDEX_FILE = "lookup-index.sqlite3"

ACCOUNT_BUCKET_COLUMN = "acct_bucket"
IP_BUCKET_COLUMN = "ip_bucket"


def account_bucket(account_id: int) -> int:
    """Bucket of an account in events_by_account."""
    return int(account_id) // ACCOUNT_BUCKET_SIZE


def ip_bucket(ip: str | bytes) -> int:
    """Bucket of an address in events_by_ip (last byte of its 16-byte form)."""
    raw = ip if isinstance(ip, bytes) else ip_to_bytes(ip)
    return raw[15] % IP_BUCKETS


def _account_buckets(batch: pa.RecordBatch) -> np.ndarray:
    ids = batch.column("account_id").to_numpy()
    return (ids // ACCOUNT_BUCKET_SIZE).astype(np.int64)


def _ip_buckets(batch: pa.RecordBatch) -> np.ndarray:
    ips = pc.cast(batch.column("ip"), pa.binary(16))
    raw = np.frombuffer(ips.buffers()[1], dtype=np.uint8)
    start = ips.offset * 16
    last = raw[start : start + 16 * len(ips)].reshape(-1, 16)[:, 15]
    return (last % IP_BUCKETS).astype(np.int64)


BUCKETERS: dict[str, Callable[[pa.RecordBatch], np.ndarray]] = {
    ACCOUNT_BUCKET_COLUMN: _account_buckets,
    IP_BUCKET_COLUMN: _ip_buckets,
}


class _BucketWriter:
    """Appends rows to one Parquet file per bucket, in full 64 Ki-row row groups."""

    def __init__(self, dest: Path, column: str, write_options: dict[str, object]) -> None:
        self.dest = dest
        self.column = column
        self.options = write_options
        self.writers: dict[int, pq.ParquetWriter] = {}
        self.pending: dict[int, list[pa.Table]] = {}
        self.sizes: dict[int, int] = {}

    def add(self, bucket: int, table: pa.Table) -> None:
        self.pending.setdefault(bucket, []).append(table)
        self.sizes[bucket] = self.sizes.get(bucket, 0) + table.num_rows
        if self.sizes[bucket] >= ROW_GROUP_SIZE:
            self._flush(bucket, final=False)

    def _flush(self, bucket: int, *, final: bool) -> None:
        table = pa.concat_tables(self.pending.pop(bucket, []))
        full = table.num_rows if final else table.num_rows // ROW_GROUP_SIZE * ROW_GROUP_SIZE
        if full:
            if bucket not in self.writers:
                path = self.dest / f"{self.column}={bucket}" / "part-0.parquet"
                path.parent.mkdir(parents=True, exist_ok=True)
                self.writers[bucket] = pq.ParquetWriter(
                    path,
                    table.schema,
                    compression="zstd",
                    **self.options,
                )
            self.writers[bucket].write_table(table.slice(0, full), row_group_size=ROW_GROUP_SIZE)
        rest = table.slice(full)
        self.pending[bucket] = [rest] if rest.num_rows else []
        self.sizes[bucket] = rest.num_rows

    def close(self) -> None:
        for bucket in list(self.pending):
            self._flush(bucket, final=True)
        for writer in self.writers.values():
            writer.close()


def split_into_buckets(
    sources: Iterable[Path], dest: Path, column: str, write_options: dict[str, object]
) -> None:
    """Stream sorted Parquet files into bucket files, keeping each bucket's rows in order."""
    out = _BucketWriter(dest, column, write_options)
    bucket_of = BUCKETERS[column]
    for src in sources:
        for batch in pq.ParquetFile(src).iter_batches(batch_size=ROW_GROUP_SIZE):
            buckets = bucket_of(batch)
            order = np.argsort(buckets, kind="stable")
            sorted_batch = batch.take(pa.array(order))
            keys, starts = np.unique(buckets[order], return_index=True)
            bounds = [*starts.tolist(), len(order)]
            for k, key in enumerate(keys.tolist()):
                part = sorted_batch.slice(bounds[k], bounds[k + 1] - bounds[k])
                out.add(int(key), pa.Table.from_batches([part]))
    out.close()
