"""Acting on content: remove, disable access by country, restrict, suspend an account, restore.

This is the *write* side of the connector for removal orders (TCO Reg. (EU) 2021/784, DSA
Art. 9). :class:`ContentActions` is the interface a real deployment implements against its
own moderation system; :class:`SyntheticContentActions` is the bundled synthetic platform's
implementation, and :class:`PlatformView` is that platform's *reader*: what a user in a given
country sees. A measure in force changes what the reader returns (a removed message is gone
for everyone; a message disabled in FR is gone for readers in FR only).

Rules every implementation keeps (the tests in ``tests/platform/test_content_actions.py``
check them on the synthetic platform):

* **Idempotent.** Applying the same measure (reference, kind, target) twice gives back the
  measure in force with its *first* ``applied_at`` — the time of the measure reported to the
  authority never moves because a job was retried. Disabling in more countries widens the
  measure and stamps ``changed_at``.
* **Reversible.** :meth:`ContentActions.restore` lifts a reference's measures on a target
  (reinstatement after a quashed order or a successful complaint) and keeps them in the
  history with ``restored_at``; restoring twice changes nothing.
* **Durable.** The synthetic platform keeps its measures in its dataset directory
  (``content_measures.json``, replaced atomically under a file lock shared by the web and
  worker processes, plus the append-only journal ``content_measures.jsonl``), so they survive
  restarts like the preservation holds of :mod:`lawdesk.platform.actions`.

Targets are plain strings: ``message:<chat_id>:<message_id>`` or ``account:<account_id>``;
:func:`parse_content_url` turns the platform's message links into them.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from lawdesk.platform.connector import Message, PlatformConnector
from lawdesk.platform.identifiers import PLATFORM_HOST, IdentifierError

MeasureKind = Literal["remove", "disable", "restrict", "suspend"]
MEASURE_KINDS: tuple[MeasureKind, ...] = ("remove", "disable", "restrict", "suspend")

#: The 27 member states (ISO 3166 alpha-2, Greece as GR). ``lawdesk.law`` keeps the same list.
EU_MEMBER_STATES: frozenset[str] = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split()  # noqa: SIM905 - readable as a table
)

_MESSAGE_URL = re.compile(
    rf"^(?:https?://)?{re.escape(PLATFORM_HOST)}/(?:c/(?P<chat_id>\d{{1,18}})|(?P<name>[A-Za-z][A-Za-z0-9_]{{3,31}}))"
    r"/(?P<message_id>\d{1,18})/?$"
)


class ContentActionError(ValueError):
    """A measure that cannot be applied as asked; ``field`` names the wrong part."""

    def __init__(self, message: str, *, field: str = "target") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class MessageLink:
    """A parsed message link: by chat id (``/c/<id>/<msg>``) or by public name (``/<name>/<msg>``)."""

    message_id: int
    chat_id: int | None = None
    public_name: str | None = None


def parse_content_url(text: str) -> MessageLink:
    """Parse ``https://msgr.example/<public name>/<message id>`` or ``…/c/<chat id>/<message id>``."""
    match = _MESSAGE_URL.match(text.strip())
    if match is None:
        raise IdentifierError(
            f"{text.strip()!r} is not a message link of this platform; expected "
            f"https://{PLATFORM_HOST}/<channel>/<message id> or "
            f"https://{PLATFORM_HOST}/c/<chat id>/<message id>",
            field="content_locations",
        )
    chat = match.group("chat_id")
    return MessageLink(int(match.group("message_id")), int(chat) if chat else None,
                       (match.group("name") or "").lower() or None)


def message_target(chat_id: int, message_id: int) -> str:
    return f"message:{int(chat_id)}:{int(message_id)}"


def account_target(account_id: int) -> str:
    return f"account:{int(account_id)}"


@dataclass(frozen=True)
class Measure:
    """A measure on one target, in force until ``restored_at``."""

    reference: str  # the order (case number) the measure gives effect to
    kind: MeasureKind
    target: str
    countries: tuple[str, ...]  # where access is disabled; () = everywhere (remove/restrict/suspend)
    applied_at: str  # ISO 8601 UTC, µs: the exact time of the measure
    changed_at: str | None = None
    restored_at: str | None = None
    restore_reason: str = ""

    @property
    def key(self) -> str:
        return f"{self.reference}|{self.kind}|{self.target}"

    @property
    def in_force(self) -> bool:
        return self.restored_at is None

    @property
    def whole_eu(self) -> bool:
        """True when the measure takes the content out of reach in every member state."""
        if self.kind in ("remove", "suspend"):
            return True
        return self.kind == "disable" and set(self.countries) >= EU_MEMBER_STATES

    def blocks(self, country: str | None, *, member: bool = False) -> bool:
        """Does this measure hide the target from a reader in ``country`` (None = unknown)?"""
        if not self.in_force:
            return False
        if self.kind == "disable":
            return country is None or country.upper() in self.countries
        if self.kind == "restrict":
            return not member  # visible to the chat's members only, out of public reach
        return True


def _iso(now: datetime) -> str:
    if now.tzinfo is None:
        raise ContentActionError("the time of a measure must carry a zone", field="now")
    return now.astimezone(UTC).isoformat(timespec="microseconds")


def _countries(kind: MeasureKind, countries: Iterable[str]) -> tuple[str, ...]:
    codes = sorted({c.strip().upper() for c in countries if c.strip()})
    if kind != "disable":
        if codes:
            raise ContentActionError("Only a disabling of access is limited to countries.",
                                     field="countries")
        return ()
    if "EU" in codes:
        codes = sorted((set(codes) - {"EU"}) | EU_MEMBER_STATES)
    bad = [c for c in codes if not re.fullmatch(r"[A-Z]{2}", c)]
    if bad:
        raise ContentActionError(f"Not a country code: {', '.join(bad)}.", field="countries")
    if not codes:
        raise ContentActionError("Name the countries (or EU) where access is disabled.",
                                 field="countries")
    return tuple(codes)


def _check_target(target: str, kind: MeasureKind) -> str:
    if kind not in MEASURE_KINDS:
        raise ContentActionError(f"Unknown measure {kind!r}.", field="kind")
    if kind == "suspend":
        if not re.fullmatch(r"account:\d{1,18}", target):
            raise ContentActionError("An account suspension targets account:<id>.")
    elif not re.fullmatch(r"message:\d{1,18}:\d{1,18}", target):
        raise ContentActionError("A content measure targets message:<chat id>:<message id>.")
    return target


class ContentActions(ABC):
    """What a platform does on lawdesk's instruction about content. A deployment implements
    :meth:`_apply`, :meth:`_restore` and :meth:`measures`; validation and the idempotency
    contract live here."""

    def apply(self, *, reference: str, kind: MeasureKind, target: str, now: datetime,
              countries: Iterable[str] = ()) -> Measure:
        """Apply a measure (idempotent: the measure in force is returned unchanged)."""
        if not reference.strip():
            raise ContentActionError("A measure needs the reference of its order.", field="reference")
        _check_target(target, kind)
        return self._apply(reference.strip(), kind, target, _countries(kind, countries), _iso(now))

    def restore(self, *, reference: str, target: str, now: datetime, reason: str) -> list[Measure]:
        """Lift every measure of ``reference`` on ``target``; returns those lifted now."""
        if len(reason.strip()) < 3:
            raise ContentActionError("Say why the content is restored.", field="reason")
        return self._restore(reference.strip(), target, _iso(now), reason.strip())

    def in_force(self, target: str) -> list[Measure]:
        """The measures now in force on a target."""
        return [m for m in self.measures(target=target) if m.in_force]

    @abstractmethod
    def _apply(self, reference: str, kind: MeasureKind, target: str, countries: tuple[str, ...],
               now: str) -> Measure: ...

    @abstractmethod
    def _restore(self, reference: str, target: str, now: str, reason: str) -> list[Measure]: ...

    @abstractmethod
    def measures(self, *, target: str | None = None, reference: str | None = None) -> list[Measure]:
        """Every measure (in force and restored), oldest first, optionally filtered."""


class SyntheticContentActions(ContentActions):
    """The synthetic platform's measures, kept in its dataset directory."""

    def __init__(self, data_dir: Path | str) -> None:
        self.root = Path(data_dir)
        self.state = self.root / "content_measures.json"
        self.journal = self.root / "content_measures.jsonl"

    @contextmanager
    def _locked(self) -> Iterator[dict[str, Measure]]:
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / ".actions.lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield self._read()
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _read(self) -> dict[str, Measure]:
        if not self.state.exists():
            return {}
        raw = json.loads(self.state.read_text())
        return {k: Measure(**{**v, "countries": tuple(v["countries"])}) for k, v in raw.items()}

    def _write(self, state: dict[str, Measure], events: list[tuple[str, Measure]]) -> None:
        with self.journal.open("a") as fh:
            for event, measure in events:
                fh.write(json.dumps({"event": event, **asdict(measure)}) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        tmp = self.state.with_suffix(".tmp")
        tmp.write_text(json.dumps({k: asdict(v) for k, v in state.items()}, indent=1))
        os.replace(tmp, self.state)

    def _apply(self, reference: str, kind: MeasureKind, target: str, countries: tuple[str, ...],
               now: str) -> Measure:
        with self._locked() as state:
            measure = Measure(reference, kind, target, countries, now)
            current = state.get(measure.key)
            if current is not None and current.in_force:
                widened = tuple(sorted(set(current.countries) | set(countries)))
                if widened == current.countries:
                    return current
                measure = replace(current, countries=widened, changed_at=now)
                event = "widened"
            else:
                event = "applied"
            state[measure.key] = measure
            self._write(state, [(event, measure)])
            return measure

    def _restore(self, reference: str, target: str, now: str, reason: str) -> list[Measure]:
        with self._locked() as state:
            lifted = [replace(m, restored_at=now, restore_reason=reason) for m in state.values()
                      if m.reference == reference and m.target == target and m.in_force]
            if lifted:
                state.update({m.key: m for m in lifted})
                self._write(state, [("restored", m) for m in lifted])
            return lifted

    def measures(self, *, target: str | None = None, reference: str | None = None) -> list[Measure]:
        return sorted((m for m in self._read().values()
                       if (target is None or m.target == target)
                       and (reference is None or m.reference == reference)),
                      key=lambda m: (m.applied_at, m.key))


@dataclass(frozen=True)
class Withheld:
    """What a reader gets instead of a message a measure hides."""

    target: str
    reason: Literal["removed", "disabled_in_country", "restricted", "account_suspended"]
    reference: str


_REASONS = {"remove": "removed", "disable": "disabled_in_country", "restrict": "restricted",
            "suspend": "account_suspended"}


class PlatformView:
    """The synthetic platform's reader: messages as a user in ``country`` sees them."""

    def __init__(self, connector: PlatformConnector, actions: ContentActions) -> None:
        self.connector = connector
        self.actions = actions

    def locate(self, url: str) -> Message:
        """The message a link points to (raises IdentifierError when there is none)."""
        link = parse_content_url(url)
        chat_id = link.chat_id
        if chat_id is None:
            chats = [r.chat for r in self.connector.resolve(f"https://{PLATFORM_HOST}/{link.public_name}")
                     if r.chat is not None]
            if not chats:
                raise IdentifierError(f"no public chat named {link.public_name!r}",
                                      field="content_locations")
            chat_id = chats[0].chat_id
        message = self.connector.message(chat_id, link.message_id)
        if message is None:
            raise IdentifierError(f"no message {link.message_id} in chat {chat_id}",
                                  field="content_locations")
        return message

    def _withheld(self, message: Message, country: str | None, member: bool) -> Withheld | None:
        for target in (message_target(message.chat_id, message.message_id),
                       account_target(message.sender_id)):
            for m in self.actions.in_force(target):
                if m.blocks(country, member=member):
                    return Withheld(target, _REASONS[m.kind], m.reference)  # type: ignore[arg-type]
        return None

    def read(self, chat_id: int, message_id: int, *, country: str | None,
             member: bool = False) -> Message | Withheld | None:
        """One message as a reader in ``country`` sees it: the message, why it is withheld,
        or None when it does not exist."""
        message = self.connector.message(chat_id, message_id)
        if message is None:
            return None
        return self._withheld(message, country, member) or message
