"""What lawdesk asks the platform to *do* (as opposed to read): hold data, notify users.

The synthetic platform keeps both in its dataset directory — ``holds.json`` and
``outbox/notices.jsonl`` — and its retention job (``lawdesk platform retention``) reads the
holds. A real deployment implements the same three calls against its own systems.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path


@dataclass(frozen=True)
class Hold:
    """Data of these accounts must not be deleted before ``until`` (unless released)."""

    reference: str
    account_ids: tuple[int, ...]
    placed_at: str
    until: str


@dataclass(frozen=True)
class Notice:
    """A notice the platform shows an account holder (the synthetic platform's outbox)."""

    reference: str
    account_id: int
    sent_at: str
    text: str


class PlatformActions:
    """Holds and user notices on the synthetic platform (a directory of JSON files)."""

    def __init__(self, data_dir: Path | str) -> None:
        self.root = Path(data_dir)
        self.holds_file = self.root / "holds.json"
        self.outbox = self.root / "outbox" / "notices.jsonl"

    @contextmanager
    def _locked(self) -> Iterator[None]:
        # One lock file for both stores: web and worker processes may act at the same time.
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / ".actions.lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _read_holds(self) -> dict[str, Hold]:
        if not self.holds_file.exists():
            return {}
        raw = json.loads(self.holds_file.read_text())
        return {k: Hold(v["reference"], tuple(v["account_ids"]), v["placed_at"], v["until"])
                for k, v in raw.items()}

    def _write_holds(self, holds: dict[str, Hold]) -> None:
        tmp = self.holds_file.with_suffix(".tmp")
        tmp.write_text(json.dumps({k: asdict(v) for k, v in sorted(holds.items())}, indent=1))
        os.replace(tmp, self.holds_file)  # readers never see half a file

    def place_hold(self, reference: str, account_ids: Sequence[int], until: datetime,
                   now: datetime) -> Hold:
        """Place (or replace) the hold named ``reference``."""
        hold = Hold(reference, tuple(sorted({int(a) for a in account_ids})),
                    now.astimezone(UTC).isoformat(), until.astimezone(UTC).isoformat())
        with self._locked():
            holds = self._read_holds()
            holds[reference] = hold
            self._write_holds(holds)
        return hold

    def release_hold(self, reference: str) -> bool:
        """Remove a hold; False if there was none."""
        with self._locked():
            holds = self._read_holds()
            found = holds.pop(reference, None) is not None
            self._write_holds(holds)
        return found

    def holds(self) -> list[Hold]:
        """Every hold in force."""
        return list(self._read_holds().values())

    def held_accounts(self, at: datetime) -> set[int]:
        """Accounts whose data is under a hold at ``at`` (what retention must skip)."""
        stamp = at.astimezone(UTC).isoformat()
        return {a for h in self._read_holds().values() if h.until > stamp for a in h.account_ids}

    def notify(self, reference: str, account_id: int, text: str, now: datetime) -> Notice:
        """Queue a notice to an account holder; sending the same reference twice sends once."""
        with self._locked():
            for notice in self.notices():
                if notice.reference == reference and notice.account_id == account_id:
                    return notice
            notice = Notice(reference, int(account_id), now.astimezone(UTC).isoformat(), text)
            self.outbox.parent.mkdir(parents=True, exist_ok=True)
            with self.outbox.open("a") as fh:
                fh.write(json.dumps(asdict(notice), ensure_ascii=False) + "\n")
                fh.flush()
                os.fsync(fh.fileno())
        return notice

    def notices(self) -> list[Notice]:
        """Everything in the outbox, oldest first."""
        if not self.outbox.exists():
            return []
        return [Notice(**json.loads(line)) for line in self.outbox.read_text().splitlines() if line]
