"""Deterministic generator of the bundled synthetic messenger ("msgr.example").

Same ``seed`` and sizes give the same data. Work is vectorised with numpy in chunks so memory
stays bounded: O(accounts + chats) for the small tables, O(chunk) for the event and message
logs, plus DuckDB's spilling sort for the second sorted copy of each log.

Files written to the output directory (see docs/decisions/0003-platform-storage-layout.md):

``accounts.parquet``, ``usernames.parquet`` (username history), ``chats.parquet``,
``chat_members.parquet``, ``events_by_account/acct_bucket=K/part-0.parquet`` (connection
log sorted by account, ts; 16 384 consecutive accounts per bucket), ``events_by_ip/ip_bucket=K/``
(same rows sorted by ip, ts; 64 buckets by the address's last byte), ``messages_by_chat/``
(sorted by chat, ts), ``messages_by_sender.parquet`` (sorted by sender, ts), ``manifest.json``.

Well-known demo targets (present whenever ``accounts >= 10``), for demos and tests:

* account ``1000001``: phone ``+33612345678``, display name "Camille Martin", created
  2024-12-01; usernames ``nightowl_paris`` (2024-12-01 → 2025-04-01), ``nightowl``
  (2025-04-01 → 2025-10-01), current ``night_owl`` (since 2025-10-01); has connection events
  between 2025-09-10 and 2025-09-20 (IPv4 and IPv6).
* accounts ``1000002``, ``1000003``, ``1000004``: with ``1000001`` they sit behind the carrier-grade
  NAT address ``203.0.113.7`` and each has a connection at exactly ``2025-09-15T10:00:00Z``,
  with source ports 1100, 1700, 2100 and 2700 (1000001 … 1000004).
* chat ``700000001``: private chat 1000001 ↔ 1000002 (with messages).
* chat ``700000002``: public group ``https://msgr.example/demo_group`` (1000001 to 1000003).
* chat ``700000003``: public channel ``https://msgr.example/demo_channel`` owned by 1000001.
* chat ``700000004``: secret (end-to-end encrypted) chat 1000001 ↔ 1000002, created
  2025-03-01 — metadata only, content is never held.
"""

from __future__ import annotations

import binascii
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from lawdesk.platform.layout import (
    ACCOUNT_BUCKET_COLUMN,
    ACCOUNT_BUCKET_SIZE,
    IP_BUCKET_COLUMN,
    IP_BUCKETS,
    ROW_GROUP_SIZE,
    split_into_buckets,
)

FORMAT_VERSION = 2
CHUNK_ROWS = 2_000_000
ACCOUNT_ID_BASE = 1_000_000
CHAT_ID_BASE = 700_000_000

SPAN_START = datetime(2025, 1, 1, tzinfo=UTC)
SPAN_END = datetime(2026, 7, 1, tzinfo=UTC)

DEMO_ACCOUNT = 1_000_001
DEMO_PHONE = "+33612345678"
DEMO_CGNAT_IP = "203.0.113.7"
DEMO_CGNAT_TIME = datetime(2025, 9, 15, 10, 0, tzinfo=UTC)
DEMO_CGNAT_PORTS = {1_000_001: 1100, 1_000_002: 1700, 1_000_003: 2100, 1_000_004: 2700}
DEMO_PRIVATE_CHAT = 700_000_001
DEMO_GROUP_CHAT = 700_000_002
DEMO_CHANNEL_CHAT = 700_000_003
DEMO_SECRET_CHAT = 700_000_004
DEMO_GROUP_NAME = "demo_group"
DEMO_CHANNEL_NAME = "demo_channel"
DEMO_USERNAMES = (
    ("nightowl_paris", datetime(2024, 12, 1, tzinfo=UTC), datetime(2025, 4, 1, tzinfo=UTC)),
    ("nightowl", datetime(2025, 4, 1, tzinfo=UTC), datetime(2025, 10, 1, tzinfo=UTC)),
    ("night_owl", datetime(2025, 10, 1, tzinfo=UTC), None),
)

#: Default demo dataset: generates in a few seconds.
DEMO_SEED = 20240824
DEMO_ACCOUNTS = 3_000
DEMO_EVENTS = 300_000
DEMO_MESSAGES = 100_000

APPS = ("android 11.4", "ios 11.4", "desktop 5.8 windows", "desktop 5.8 macos", "web 2.1")
CHAT_KINDS = ("private", "group", "channel", "secret")

UTC_US = pa.timestamp("us", tz="UTC")
EVENT_SCHEMA = pa.schema(
    [
        ("account_id", pa.int64()),
        ("ts", UTC_US),
        ("ip", pa.binary(16)),
        ("port", pa.int32()),
        ("app", pa.string()),
    ]
)
MESSAGE_SCHEMA = pa.schema(
    [
        ("chat_id", pa.int64()),
        ("ts", UTC_US),
        ("message_id", pa.int64()),
        ("sender_id", pa.int64()),
        ("recipient_id", pa.int64()),
        ("text", pa.string()),
        ("media_ref", pa.string()),
        ("media_size", pa.int64()),
        ("media_sha256", pa.string()),
    ]
)

_ADJ = [
    "amber",
    "azure",
    "brave",
    "calm",
    "clever",
    "cosmic",
    "crimson",
    "daring",
    "eager",
    "fancy",
    "gentle",
    "golden",
    "happy",
    "hidden",
    "jolly",
    "keen",
    "lucky",
    "merry",
    "misty",
    "noble",
    "quiet",
    "rapid",
    "rusty",
    "silent",
    "silver",
    "sunny",
    "swift",
    "tidy",
    "urban",
    "vivid",
    "wild",
    "witty",
    "young",
    "zesty",
    "bold",
    "bright",
    "dusty",
    "frosty",
    "lazy",
]
_NOUN = [
    "badger",
    "bear",
    "cedar",
    "comet",
    "coyote",
    "delta",
    "eagle",
    "falcon",
    "fern",
    "fox",
    "harbor",
    "heron",
    "island",
    "jaguar",
    "lake",
    "lion",
    "lynx",
    "maple",
    "meadow",
    "moon",
    "otter",
    "owl",
    "panda",
    "pine",
    "raven",
    "river",
    "robin",
    "sparrow",
    "storm",
    "tiger",
    "tulip",
    "valley",
    "willow",
    "wolf",
    "zebra",
    "canyon",
    "glacier",
    "pebble",
    "orchid",
]
_FIRST = [
    "Camille",
    "Lucas",
    "Aarav",
    "Priya",
    "Emma",
    "Noah",
    "Olivia",
    "Liam",
    "Ana",
    "Pedro",
    "Ivan",
    "Olga",
    "Hannah",
    "Jonas",
    "Sofia",
    "Mateo",
    "Chloe",
    "Hugo",
    "Ananya",
    "Rohan",
    "Mia",
    "Leon",
    "Maria",
    "Joao",
    "Dmitri",
    "Elena",
    "Grace",
    "Jack",
    "Amelia",
    "Arjun",
]
_LAST = [
    "Martin",
    "Bernard",
    "Dubois",
    "Sharma",
    "Patel",
    "Singh",
    "Smith",
    "Johnson",
    "Brown",
    "Silva",
    "Santos",
    "Oliveira",
    "Ivanov",
    "Petrov",
    "Smirnova",
    "Muller",
    "Schmidt",
    "Schneider",
    "Garcia",
    "Lopez",
    "Kumar",
    "Gupta",
    "Moreau",
    "Laurent",
    "Costa",
    "Fischer",
    "Weber",
    "Kuznetsov",
    "Wilson",
    "Taylor",
]
_WORDS = [
    "hello",
    "see",
    "you",
    "tomorrow",
    "at",
    "the",
    "station",
    "meeting",
    "later",
    "ok",
    "thanks",
    "great",
    "news",
    "call",
    "me",
    "when",
    "you",
    "can",
    "running",
    "late",
    "sounds",
    "good",
    "what",
    "time",
    "lunch",
    "today",
    "photo",
    "sent",
    "check",
    "this",
    "out",
    "happy",
    "birthday",
    "where",
    "are",
    "you",
    "on",
    "my",
    "way",
    "back",
    "home",
    "weekend",
    "plans",
    "coffee",
    "movie",
    "tonight",
    "price",
    "deal",
    "done",
    "link",
    "shared",
    "new",
    "video",
    "update",
    "the",
    "group",
    "welcome",
    "everyone",
    "reminder",
]

# (E.164 prefix, digits after prefix, weight); numbers come from an injective map of the index.
_PHONE_PLANS = (
    ("+337", 8, 0.12),  # France mobile (the demo number uses +336, so no clash)
    ("+919", 9, 0.25),  # India
    ("+1", 10, 0.15),  # United States: area code + 7 digits, built below
    ("+49151", 8, 0.10),  # Germany
    ("+55119", 8, 0.15),  # Brazil, São Paulo mobile
    ("+7916", 7, 0.13),  # Russia
    ("+4477", 8, 0.10),  # United Kingdom
)
_US_AREAS = np.array(["212", "213", "312", "415", "617", "305", "206", "512"])


@dataclass(frozen=True)
class GenerateParams:
    """Sizes and seed of a synthetic dataset."""

    accounts: int
    events: int
    messages: int
    seed: int


def _ts_us(value: datetime) -> int:
    """Microseconds since the epoch of an aware datetime."""
    return int(value.timestamp()) * 1_000_000 + value.microsecond


def _splitmix64(x: np.ndarray) -> np.ndarray:
    """A fast stateless 64-bit mixer, so per-day IPv6 suffixes need no RNG state."""
    z = x.astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def _ip_array(hi: np.ndarray, lo: np.ndarray) -> pa.FixedSizeBinaryArray:
    """Pack 64-bit halves into 16-byte big-endian addresses."""
    packed = np.empty((len(hi), 2), dtype=">u8")
    packed[:, 0] = hi
    packed[:, 1] = lo
    buf = pa.py_buffer(packed.tobytes())
    return pa.Array.from_buffers(pa.binary(16), len(hi), [None, buf])


_V4_MAPPED = np.uint64(0xFFFF_0000_0000)


def _v4(a: int, b: int, c: int, d: int) -> int:
    return (a << 24) | (b << 16) | (c << 8) | d


def _strings(parts: list[np.ndarray | str]) -> np.ndarray:
    """Concatenate string arrays/scalars elementwise (C loops, no Python row loop)."""
    out: np.ndarray = np.asarray(parts[0]).astype(str)
    for part in parts[1:]:
        out = np.char.add(out, np.asarray(part).astype(str))
    return out


def _zfill(values: np.ndarray, width: int) -> np.ndarray:
    return np.char.zfill(values.astype(str), width)


class _Accounts:
    """Per-account attributes, held as arrays for the whole run (O(accounts) memory)."""

    def __init__(self, n: int, rng: np.random.Generator) -> None:
        self.n = n
        idx = np.arange(n, dtype=np.int64)
        self.ids = ACCOUNT_ID_BASE + idx
        start_us, end_us = (
            _ts_us(datetime(2022, 1, 1, tzinfo=UTC)),
            _ts_us(SPAN_END) - 10 * 86_400_000_000,
        )
        self.created = rng.integers(start_us, end_us, n)
        self.mobile = rng.random(n) < 0.65
        n_pool = max(8, n // 60)
        # carrier-grade NAT: accounts that share a pool address get disjoint 512-port blocks
        self.cg_ip = np.uint64(_v4(198, 18, 0, 0)) + (idx % n_pool).astype(np.uint64)
        self.cg_port0 = (1024 + ((idx // n_pool) % 126) * 512).astype(np.int32)
        octets = np.array([31, 37, 46, 62, 77, 78, 81, 84, 86, 90, 92, 95, 176, 178, 185, 188, 212])
        first = octets[rng.integers(0, len(octets), n)].astype(np.uint64)
        self.home_ip = (first << np.uint64(24)) | rng.integers(1, 1 << 24, n).astype(np.uint64)
        # IPv6 /64 prefixes inside the documentation prefix 2001:db8::/32
        self.v6_prefix = np.uint64(0x2001_0DB8_0000_0000) | rng.integers(0, 1 << 32, n, dtype=np.uint64)
        self.app_pref = rng.integers(0, len(APPS), n)
        self.deleted = rng.random(n) < 0.02
        self.has_username = rng.random(n) < 0.8
        self.n_former = np.where(self.has_username & (rng.random(n) < 0.10), rng.integers(1, 3, n), 0)
        self.first = rng.integers(0, len(_FIRST), n)
        self.last = rng.integers(0, len(_LAST), n)
        self.adj = rng.integers(0, len(_ADJ), n)
        self.noun = rng.integers(0, len(_NOUN), n)
        self.country = rng.choice(len(_PHONE_PLANS), n, p=np.array([p[2] for p in _PHONE_PLANS]) / 1.0)
        self.us_area = rng.integers(0, len(_US_AREAS), n)
        self.reg_v6 = rng.random(n) < 0.3
        self.last_seen = np.zeros(n, dtype=np.int64)
        if n >= 10:
            self._demo()

    def _demo(self) -> None:
        self.created[1] = _ts_us(datetime(2024, 12, 1, tzinfo=UTC))
        self.deleted[1:5] = False
        self.mobile[1:5] = True
        self.has_username[1] = True
        self.n_former[1] = 2
        demo_ip = np.uint64(_v4(203, 0, 113, 7))
        for k in range(1, 5):
            self.cg_ip[k] = demo_ip
            self.cg_port0[k] = 1024 + (k - 1) * 512
            self.created[k] = min(self.created[k], _ts_us(datetime(2025, 1, 1, tzinfo=UTC)))

    def start_us(self) -> np.ndarray:
        """First moment each account can have activity in the span."""
        return np.maximum(self.created, _ts_us(SPAN_START))

    def phones(self) -> np.ndarray:
        """E.164 numbers, unique by construction (injective map of the index per plan)."""
        idx = np.arange(self.n, dtype=np.int64)
        out = np.empty(self.n, dtype=object)
        for c, (prefix, digits, _w) in enumerate(_PHONE_PLANS):
            sel = self.country == c
            if not sel.any():
                continue
            if prefix == "+1":
                sub = 2_000_000 + (idx[sel] * 7919 + 12345) % 8_000_000
                out[sel] = _strings(["+1", _US_AREAS[self.us_area[sel]], sub])
            else:
                sub = (idx[sel] * 7919 + 12345) % (10**digits)
                out[sel] = _strings([prefix, _zfill(sub, digits)])
        if self.n >= 10:
            out[1] = DEMO_PHONE
        return out.astype(str)

    def table(self) -> pa.Table:
        """The accounts table (call after events so last_seen is filled)."""
        idx = np.arange(self.n)
        usernames = self.current_usernames()
        reg_hi = np.where(self.reg_v6, self.v6_prefix, np.uint64(0))
        reg_lo = np.where(self.reg_v6, np.uint64(1), _V4_MAPPED | self.home_ip)
        display = _strings([np.array(_FIRST)[self.first], " ", np.array(_LAST)[self.last]])
        if self.n >= 10:
            display[1] = "Camille Martin"
        last_seen = np.where(self.last_seen > 0, self.last_seen, self.created)
        return pa.table(
            {
                "account_id": pa.array(self.ids),
                "phone": pa.array(self.phones()),
                "username": pa.array(usernames, pa.string()),
                "display_name": pa.array(display),
                "created_at": pa.array(self.created, UTC_US),
                "registration_ip": _ip_array(reg_hi, reg_lo),
                "last_seen": pa.array(last_seen, UTC_US),
                "deleted": pa.array(self.deleted),
                "app": pa.array(np.array(APPS)[self.app_pref[idx]]),
            }
        )

    def current_usernames(self) -> list[str | None]:
        """Current username per account, None when it has none."""
        names = _strings([np.array(_ADJ)[self.adj], "_", np.array(_NOUN)[self.noun], self.ids % 10_000_000])
        out: list[str | None] = [str(v) if h else None for v, h in zip(names, self.has_username, strict=True)]
        if self.n >= 10:
            out[1] = DEMO_USERNAMES[-1][0]
        return out

    def username_history(self, rng: np.random.Generator) -> pa.Table:
        """Every username each account held, with [held_from, held_until) (until null = current)."""
        current = self.current_usernames()
        end_us = _ts_us(SPAN_END)
        acc: list[int] = []
        names: list[str] = []
        held_from: list[int] = []
        held_until: list[int | None] = []
        changes = rng.random((self.n, 2))
        for i in np.flatnonzero(self.has_username):
            name = current[i]
            assert name is not None
            if self.n >= 10 and i == 1:
                for uname, f, u in DEMO_USERNAMES:
                    acc.append(int(self.ids[i]))
                    names.append(uname)
                    held_from.append(_ts_us(f))
                    held_until.append(_ts_us(u) if u else None)
                continue
            k = int(self.n_former[i])
            t0 = int(self.created[i])
            # change dates split [created, end) into k+1 holding periods
            cuts = sorted(int(t0 + c * (end_us - t0)) for c in changes[i, :k])
            bounds = [t0, *cuts]
            for j in range(k):
                acc.append(int(self.ids[i]))
                names.append(f"{_NOUN[self.noun[i]]}{'_old' * (j + 1)}{int(self.ids[i]) % 10_000_000}")
                held_from.append(bounds[j])
                held_until.append(bounds[j + 1])
            acc.append(int(self.ids[i]))
            names.append(name)
            held_from.append(bounds[k])
            held_until.append(None if not self.deleted[i] else end_us - 86_400_000_000)
        return pa.table(
            {
                "username": pa.array(names, pa.string()),
                "account_id": pa.array(acc, pa.int64()),
                "held_from": pa.array(held_from, UTC_US),
                "held_until": pa.array(held_until, UTC_US),
            }
        ).sort_by([("username", "ascending")])


def _event_chunk(
    accts: _Accounts, lo_idx: int, hi_idx: int, counts: np.ndarray, rng: np.random.Generator
) -> pa.Table:
    """Connection events of accounts [lo_idx, hi_idx), sorted by (account, ts)."""
    local = np.arange(lo_idx, hi_idx)
    a = np.repeat(local, counts[lo_idx:hi_idx])
    n = len(a)
    start = accts.start_us()[a]
    ts = start + (rng.random(n) * (_ts_us(SPAN_END) - start)).astype(np.int64)
    r = rng.random(n)
    is_v6 = r < 0.30
    is_cg = ~is_v6 & accts.mobile[a] & (r < 0.85)
    hi = np.where(is_v6, accts.v6_prefix[a], np.uint64(0))
    day = (ts // 86_400_000_000).astype(np.uint64)
    v6_suffix = _splitmix64(accts.ids[a].astype(np.uint64) * np.uint64(1_000_003) + day)
    lo = np.where(
        is_v6,
        v6_suffix,
        _V4_MAPPED | np.where(is_cg, accts.cg_ip[a], accts.home_ip[a]),
    )
    port = np.where(is_cg, accts.cg_port0[a] + rng.integers(0, 512, n), rng.integers(1024, 65536, n)).astype(
        np.int32
    )
    app = np.where(rng.random(n) < 0.85, accts.app_pref[a], rng.integers(0, len(APPS), n))
    if lo_idx <= 1 < hi_idx and accts.n >= 10:
        a, ts, hi, lo, port, app = _demo_events(accts, a, ts, hi, lo, port, app)
    order = np.lexsort((ts, a))
    a, ts, hi, lo, port, app = a[order], ts[order], hi[order], lo[order], port[order], app[order]
    if len(a):
        # last event of each account in this chunk = its last_seen (chunks never split accounts)
        last = np.flatnonzero(np.r_[a[1:] != a[:-1], True])
        accts.last_seen[a[last]] = ts[last]
    return pa.table(
        {
            "account_id": pa.array(accts.ids[a]),
            "ts": pa.array(ts, UTC_US),
            "ip": _ip_array(hi, lo),
            "port": pa.array(port),
            "app": pa.DictionaryArray.from_arrays(pa.array(app.astype(np.int32)), pa.array(APPS)).cast(
                pa.string()
            ),
        },
        schema=EVENT_SCHEMA,
    )


def _demo_events(
    accts: _Accounts, *cols: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Append the documented demo events (CGNAT moment, activity of 1000001 in Sept 2025)."""
    a, ts, hi, lo, port, app = cols
    extra_a, extra_ts, extra_hi, extra_lo, extra_port, extra_app = [], [], [], [], [], []
    cg = int(_V4_MAPPED) | _v4(203, 0, 113, 7)
    for acct, p in DEMO_CGNAT_PORTS.items():
        k = acct - ACCOUNT_ID_BASE
        extra_a.append(k)
        extra_ts.append(_ts_us(DEMO_CGNAT_TIME))
        extra_hi.append(0)
        extra_lo.append(cg)
        extra_port.append(p)
        extra_app.append(int(accts.app_pref[k]))
    base = _ts_us(datetime(2025, 9, 10, 8, 0, tzinfo=UTC))
    for j in range(20):
        v6 = j % 3 == 0
        extra_a.append(1)
        extra_ts.append(base + j * 11 * 3_600_000_000 + j * 123_457)
        extra_hi.append(int(accts.v6_prefix[1]) if v6 else 0)
        extra_lo.append(
            0xABCD_0000_0000_0001 + j
            if v6
            else (int(_V4_MAPPED) | int(accts.home_ip[1]) if j % 3 == 1 else cg)
        )
        extra_port.append(40000 + j if j % 3 == 1 else 1024 + 37 * j if not v6 else 50000 + j)
        extra_app.append(1)
    return (
        np.concatenate([a, np.array(extra_a, dtype=a.dtype)]),
        np.concatenate([ts, np.array(extra_ts, dtype=np.int64)]),
        np.concatenate([hi, np.array(extra_hi, dtype=np.uint64)]),
        np.concatenate([lo, np.array(extra_lo, dtype=np.uint64)]),
        np.concatenate([port, np.array(extra_port, dtype=np.int32)]),
        np.concatenate([app, np.array(extra_app, dtype=app.dtype)]),
    )


class _Chats:
    """Chats and memberships; demo chats take the first four ids."""

    def __init__(self, accts: _Accounts, rng: np.random.Generator) -> None:
        n = accts.n
        counts = [max(1, n), max(1, n // 25), max(1, n // 60), max(1, n // 15)]
        kinds = np.concatenate([np.array([0, 1, 2, 3])] + [np.full(c, k) for k, c in enumerate(counts)])
        self.kinds = kinds
        m = len(kinds)
        self.ids = CHAT_ID_BASE + 1 + np.arange(m, dtype=np.int64)
        self.created = rng.integers(
            _ts_us(datetime(2023, 1, 1, tzinfo=UTC)), _ts_us(SPAN_END) - 30 * 86_400_000_000, m
        )
        sizes = np.where(
            kinds == 1,
            np.clip(rng.geometric(1 / 20, m) + 2, 3, max(3, min(200, n))),
            np.where(
                kinds == 2,
                np.clip(rng.lognormal(3.5, 1.0, m).astype(np.int64), 5, max(5, min(2000, n))),
                2,
            ),
        ).astype(np.int64)
        sizes = np.minimum(sizes, n)
        demo = n >= 10
        if demo:
            sizes[:4] = [2, 3, 4, 2]
            self.created[:4] = [
                _ts_us(datetime(2025, 1, 5, tzinfo=UTC)),
                _ts_us(datetime(2025, 2, 1, tzinfo=UTC)),
                _ts_us(datetime(2025, 1, 20, tzinfo=UTC)),
                _ts_us(datetime(2025, 3, 1, tzinfo=UTC)),
            ]
        self.sizes = sizes
        self.offsets = np.r_[0, np.cumsum(sizes)]
        members = np.empty(int(self.offsets[-1]), dtype=np.int64)
        two = sizes == 2
        pair_starts = self.offsets[:-1][two]
        first = rng.integers(0, n, len(pair_starts))
        members[pair_starts] = first
        members[pair_starts + 1] = (first + 1 + rng.integers(0, max(1, n - 1), len(pair_starts))) % n
        for c in np.flatnonzero(~two):
            o = self.offsets[c]
            members[o : o + sizes[c]] = rng.choice(n, int(sizes[c]), replace=False)
        if demo:
            members[0:2] = [1, 2]
            members[2:5] = [1, 2, 3]
            members[5:9] = [1, 2, 3, 4]
            members[9:11] = [1, 2]
        self.members = members
        self.owner = members[self.offsets[:-1]]
        pub = rng.random(m)
        public = ((kinds == 1) & (pub < 0.3)) | ((kinds == 2) & (pub < 0.6))
        j = np.arange(m)
        group_names = _strings(
            [np.array(_ADJ)[j % len(_ADJ)], "_", np.array(_NOUN)[(j // 7) % len(_NOUN)], "_chat", j]
        )
        chan_names = _strings([np.array(_NOUN)[j % len(_NOUN)], "_news", j])
        names = np.where(kinds == 1, group_names, chan_names)
        self.public_name: list[str | None] = [
            str(v) if p else None for v, p in zip(names, public, strict=True)
        ]
        titles = np.where(
            kinds == 1,
            _strings(
                [
                    np.char.capitalize(np.array(_ADJ)[j % len(_ADJ)]),
                    " ",
                    np.array(_NOUN)[(j // 7) % len(_NOUN)],
                    "s",
                ]
            ),
            _strings([np.char.capitalize(np.array(_NOUN)[j % len(_NOUN)]), " News ", j]),
        )
        self.title: list[str | None] = [
            str(t) if k in (1, 2) else None for t, k in zip(titles, kinds, strict=True)
        ]
        if demo:
            self.public_name[:4] = [None, DEMO_GROUP_NAME, DEMO_CHANNEL_NAME, None]
            self.title[1:3] = ["Demo Group", "Demo Channel"]

    def chats_table(self, accts: _Accounts) -> pa.Table:
        """The chats table."""
        return pa.table(
            {
                "chat_id": pa.array(self.ids),
                "kind": pa.array(np.array(CHAT_KINDS)[self.kinds]),
                "title": pa.array(self.title, pa.string()),
                "public_name": pa.array(self.public_name, pa.string()),
                "owner_id": pa.array(accts.ids[self.owner]),
                "created_at": pa.array(self.created, UTC_US),
            }
        )

    def members_table(self, accts: _Accounts, rng: np.random.Generator) -> pa.Table:
        """Memberships with join/leave dates, sorted by (account, chat)."""
        chat_of = np.repeat(np.arange(len(self.ids)), self.sizes)
        created = self.created[chat_of]
        end = _ts_us(SPAN_END)
        is_first = np.zeros(len(chat_of), dtype=bool)
        is_first[self.offsets[:-1]] = True
        # owners and both ends of private/secret chats join at creation; others later
        late = ~is_first & np.isin(self.kinds[chat_of], (1, 2))
        joined = np.where(
            late,
            created + (rng.random(len(chat_of)) * (end - created) * 0.5).astype(np.int64),
            created,
        )
        leaves = late & (rng.random(len(chat_of)) < 0.1)
        left = np.where(leaves, joined + (rng.random(len(chat_of)) * (end - joined)).astype(np.int64), 0)
        table = pa.table(
            {
                "account_id": pa.array(accts.ids[self.members]),
                "chat_id": pa.array(self.ids[chat_of]),
                "joined_at": pa.array(joined, UTC_US),
                "left_at": pa.array(left, UTC_US, mask=~leaves),
            }
        )
        return table.sort_by([("account_id", "ascending"), ("chat_id", "ascending")])


def _phrases(rng: np.random.Generator, n: int = 4096) -> np.ndarray:
    """A bank of short synthetic message texts (no real content)."""
    lengths = rng.integers(2, 12, n)
    words = np.array(_WORDS)
    return np.array([" ".join(words[rng.integers(0, len(words), k)]) for k in lengths])


def _message_chunk(
    chats: _Chats,
    accts: _Accounts,
    lo_c: int,
    hi_c: int,
    counts: np.ndarray,
    first_id: int,
    phrases: np.ndarray,
    rng: np.random.Generator,
) -> pa.Table:
    """Messages of chats [lo_c, hi_c), sorted by (chat, ts), ids numbered from first_id."""
    c = np.repeat(np.arange(lo_c, hi_c), counts[lo_c:hi_c])
    n = len(c)
    start = np.maximum(chats.created[c], _ts_us(SPAN_START))
    ts = start + (rng.random(n) * (_ts_us(SPAN_END) - start)).astype(np.int64)
    order = np.lexsort((ts, c))
    c, ts = c[order], ts[order]
    kind = chats.kinds[c]
    pick = (rng.random(n) * chats.sizes[c]).astype(np.int64)
    pick = np.where(kind == 2, 0, pick)  # only the owner posts in a channel
    sender = chats.members[chats.offsets[c] + pick]
    other = chats.members[chats.offsets[c] + (1 - np.minimum(pick, 1))]
    private = kind == 0
    has_media = rng.random(n) < 0.12
    n_media = int(has_media.sum())
    media_hash = np.frombuffer(binascii.hexlify(rng.bytes(32 * n_media)), dtype="S64").astype(str)
    media_id = np.frombuffer(binascii.hexlify(rng.bytes(8 * n_media)), dtype="S16").astype(str)
    media_ref = np.full(n, None, dtype=object)
    media_ref[has_media] = np.char.add("media/", media_id)
    sha = np.full(n, None, dtype=object)
    sha[has_media] = media_hash
    size = rng.lognormal(11.5, 1.5, n).astype(np.int64) + 1
    return pa.table(
        {
            "chat_id": pa.array(chats.ids[c]),
            "ts": pa.array(ts, UTC_US),
            "message_id": pa.array(first_id + np.arange(n, dtype=np.int64)),
            "sender_id": pa.array(accts.ids[sender]),
            "recipient_id": pa.array(accts.ids[other], mask=~private),
            "text": pa.array(phrases[rng.integers(0, len(phrases), n)]),
            "media_ref": pa.array(media_ref, pa.string()),
            "media_size": pa.array(size, mask=~has_media),
            "media_sha256": pa.array(sha, pa.string()),
        },
        schema=MESSAGE_SCHEMA,
    )


def _blocks(counts: np.ndarray, target: int) -> list[tuple[int, int]]:
    """Split index range into consecutive blocks of about ``target`` rows."""
    cum = np.cumsum(counts)
    blocks: list[tuple[int, int]] = []
    lo = 0
    while lo < len(counts):
        base = cum[lo - 1] if lo else 0
        hi = int(np.searchsorted(cum, base + target, side="right"))
        hi = max(hi, lo + 1)
        blocks.append((lo, min(hi, len(counts))))
        lo = hi
    return blocks


def _write(table: pa.Table, path: Path) -> None:
    pq.write_table(table, path, row_group_size=ROW_GROUP_SIZE, compression="zstd")


EVENT_WRITE_OPTIONS: dict[str, object] = {
    "use_dictionary": ["account_id", "ip", "app"],
    "column_encoding": {"ts": "DELTA_BINARY_PACKED", "port": "DELTA_BINARY_PACKED"},
}


def bucket_log(stage: Path, out: Path) -> None:
    """Split the two sorted copies of the log in ``stage`` into bucket directories in ``out``."""
    split_into_buckets(
        sorted(stage.glob("events_by_account/*.parquet")),
        out / "events_by_account",
        ACCOUNT_BUCKET_COLUMN,
        EVENT_WRITE_OPTIONS,
    )
    split_into_buckets(
        [stage / "events_by_ip.parquet"], out / "events_by_ip", IP_BUCKET_COLUMN, EVENT_WRITE_OPTIONS
    )


def _write_events(table: pa.Table, path: Path) -> None:
    """Write a log chunk: delta-encoded times and ports (sorted per account) cut ~25 %."""
    pq.write_table(
        table,
        path,
        row_group_size=ROW_GROUP_SIZE,
        compression="zstd",
        use_dictionary=["account_id", "ip", "app"],
        column_encoding={"ts": "DELTA_BINARY_PACKED", "port": "DELTA_BINARY_PACKED"},
    )


def _duckdb_sorted_copy(src_glob: str, dest: Path, order_by: str, tmp: Path, columns: str) -> None:
    """Write a second copy of a log sorted by another key, with DuckDB's spilling sort."""
    # reason: start-up time: duckdb loads only when this runs
    import duckdb

    con = duckdb.connect()
    try:
        con.execute(f"SET temp_directory='{tmp}'")
        con.execute("SET preserve_insertion_order=true")
        con.execute("SET enable_progress_bar=false")
        mem = os.environ.get("LAWDESK_GENERATOR_MEMORY", "8GB")
        con.execute(f"SET memory_limit='{mem}'")
        con.execute(
            f"COPY (SELECT {columns} FROM read_parquet('{src_glob}') ORDER BY {order_by}) "  # noqa: S608
            f"TO '{dest}' (FORMAT parquet, COMPRESSION zstd, "
            f"ROW_GROUP_SIZE {ROW_GROUP_SIZE}, PARQUET_VERSION V2)"
        )
    finally:
        con.close()


ProgressFn = Callable[[str, int, int], None]


def generate(
    out: Path | str,
    *,
    accounts: int,
    events: int,
    messages: int,
    seed: int,
    progress: ProgressFn | None = None,
) -> Path:
    """Generate the synthetic dataset into ``out`` (replacing it) and return the directory."""
    if accounts < 1 or events < 0 or messages < 0:
        raise ValueError("accounts must be ≥ 1, events and messages ≥ 0")
    out = Path(out)
    params = GenerateParams(accounts, events, messages, seed)
    work = out.with_name(out.name + ".partial")
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    tmp = work / ".tmp"
    tmp.mkdir()
    report = progress or (lambda _stage, _done, _total: None)
    root = np.random.SeedSequence(seed)
    seq_accounts, seq_events, seq_chats, seq_messages, seq_names = root.spawn(5)

    accts = _Accounts(accounts, np.random.default_rng(seq_accounts))
    ev_rng = np.random.default_rng(seq_events)
    weights = ev_rng.lognormal(0.0, 1.2, accounts)
    counts = ev_rng.multinomial(events, weights / weights.sum())
    stage = tmp / "events_by_account"
    stage.mkdir()
    done = 0
    blocks = _blocks(counts, CHUNK_ROWS)
    block_seqs = seq_events.spawn(len(blocks))
    for i, (lo, hi) in enumerate(blocks):
        chunk = _event_chunk(accts, lo, hi, counts, np.random.default_rng(block_seqs[i]))
        _write_events(chunk, stage / f"part-{i:05d}.parquet")
        done += len(chunk)
        report("events", done, events)
    report("sorting events by ip", 0, 1)
    _duckdb_sorted_copy(
        str(stage / "*.parquet"),
        tmp / "events_by_ip.parquet",
        "ip, ts, account_id, port, app",
        tmp,
        "ip, ts, account_id, port, app",
    )
    report("sorting events by ip", 1, 1)
    bucket_log(tmp, work)
    report("bucketing", 1, 1)

    _write(accts.table(), work / "accounts.parquet")
    _write(accts.username_history(np.random.default_rng(seq_names)), work / "usernames.parquet")
    chat_rng = np.random.default_rng(seq_chats)
    chats = _Chats(accts, chat_rng)
    _write(chats.chats_table(accts), work / "chats.parquet")
    _write(chats.members_table(accts, chat_rng), work / "chat_members.parquet")

    msg_rng = np.random.default_rng(seq_messages)
    class_weight = np.array([0.5, 0.35, 0.15, 0.0])
    class_count = np.bincount(chats.kinds, minlength=4).astype(float)
    w = class_weight[chats.kinds] / class_count[chats.kinds] * msg_rng.lognormal(0, 1.0, len(chats.kinds))
    msg_counts = msg_rng.multinomial(messages, w / w.sum())
    if accounts >= 10 and messages > 0:
        msg_counts[:3] = np.maximum(msg_counts[:3], 5)  # demo chats always have some messages
    phrases = _phrases(msg_rng)
    (work / "messages_by_chat").mkdir()
    next_id = 1
    total_msgs = int(msg_counts.sum())
    mblocks = _blocks(msg_counts, CHUNK_ROWS)
    mseqs = seq_messages.spawn(len(mblocks))
    for i, (lo, hi) in enumerate(mblocks):
        mrng = np.random.default_rng(mseqs[i])
        chunk = _message_chunk(chats, accts, lo, hi, msg_counts, next_id, phrases, mrng)
        next_id += len(chunk)
        _write(chunk, work / "messages_by_chat" / f"part-{i:05d}.parquet")
        report("messages", next_id - 1, total_msgs)
    _duckdb_sorted_copy(
        str(work / "messages_by_chat" / "*.parquet"),
        work / "messages_by_sender.parquet",
        "sender_id, ts, message_id",
        tmp,
        "*",
    )
    shutil.rmtree(tmp)
    manifest = {
        "format_version": FORMAT_VERSION,
        "params": asdict(params),
        "rows": {
            "accounts": accounts,
            "events": int(counts.sum()) + (24 if accounts >= 10 else 0),
            "messages": total_msgs,
        },
        "span": {"start": SPAN_START.isoformat(), "end": SPAN_END.isoformat()},
        "row_group_size": ROW_GROUP_SIZE,
        "buckets": {ACCOUNT_BUCKET_COLUMN: ACCOUNT_BUCKET_SIZE, IP_BUCKET_COLUMN: IP_BUCKETS},
    }
    (work / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    if out.exists():
        shutil.rmtree(out)
    work.rename(out)
    return out


def default_platform_dir() -> Path:
    """The default dataset directory: $LAWDESK_PLATFORM_DIR or ``var/platform``."""
    return Path(os.environ.get("LAWDESK_PLATFORM_DIR", "var/platform"))


def ensure_demo_dataset(path: Path | str | None = None) -> Path:
    """Generate the default demo dataset if ``path`` (default: platform dir) has none; return it."""
    target = Path(path) if path is not None else default_platform_dir()
    manifest = target / "manifest.json"
    if manifest.exists() and json.loads(manifest.read_text()).get("format_version") == FORMAT_VERSION:
        return target
    return generate(
        target, accounts=DEMO_ACCOUNTS, events=DEMO_EVENTS, messages=DEMO_MESSAGES, seed=DEMO_SEED
    )
