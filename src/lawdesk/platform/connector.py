"""The platform connector interface: the only way the rest of lawdesk reads platform data.

Answers are frozen dataclasses of plain values (UTC datetimes with µs, IPs as canonical text,
ports as int or None) so that every engine gives identical, JSON-serialisable answers; call
:func:`to_json` on any of them.

Later issues extend this interface (preservation holds, a notification outbox, streaming
export into evidence packages) by adding methods to :class:`PlatformConnector`.
"""

from __future__ import annotations

import dataclasses
import functools
import ipaddress
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from lawdesk.platform.identifiers import (
    DEFAULT_MAX_WINDOW,
    Identifier,
    IdentifierError,
    Window,
    make_window,
    parse_identifier,
    parse_ip,
    parse_time,
    plain_ipv4,
)

MatchedBy = Literal["phone", "username", "former_username", "account_id", "public_link"]


class UnknownAccount(LookupError):
    """The account id does not exist on the platform."""

    def __init__(self, account_id: int) -> None:
        super().__init__(f"no account with id {account_id}")
        self.account_id = account_id


@dataclass(frozen=True)
class UsernameHeld:
    """A username and the period it was held: [held_from, held_until), until None = current."""

    username: str
    held_from: datetime
    held_until: datetime | None


@dataclass(frozen=True)
class Account:
    """The basic account record."""

    account_id: int
    phone: str
    username: str | None
    display_name: str
    created_at: datetime
    last_seen: datetime
    deleted: bool


@dataclass(frozen=True)
class Chat:
    """A chat: private, group, channel or secret (end-to-end encrypted)."""

    chat_id: int
    kind: Literal["private", "group", "channel", "secret"]
    title: str | None
    public_name: str | None
    owner_id: int
    created_at: datetime


@dataclass(frozen=True)
class Resolution:
    """One thing an identifier resolved to: an account or a chat, and how it matched."""

    identifier: str
    matched_by: MatchedBy
    account: Account | None = None
    chat: Chat | None = None
    #: for username matches: the period the matched username was held by this account
    held: UsernameHeld | None = None


@dataclass(frozen=True)
class SubscriberRecord:
    """Subscriber data (LEGAL_RULES.md): who holds the account and the technical data at signup."""

    account: Account
    usernames: tuple[UsernameHeld, ...]
    registration_ip: str
    service: str
    app: str


@dataclass(frozen=True)
class IpEvent:
    """One connection: account, address, source port, time, app (identification/traffic data)."""

    account_id: int
    ip: str
    port: int | None
    ts: datetime
    app: str


@dataclass(frozen=True)
class IpQuery:
    """One (ip, port, time) question of a reverse lookup; port None matches any port."""

    ip: str
    port: int | None
    at: datetime


@dataclass(frozen=True)
class IpMatch:
    """A connection answering the query at ``query_index`` of a batch."""

    query_index: int
    event: IpEvent


@dataclass(frozen=True)
class MessageMeta:
    """Message metadata (traffic data): who, where, when, size — never the text."""

    message_id: int
    chat_id: int
    sender_id: int
    recipient_id: int | None
    ts: datetime
    size: int


@dataclass(frozen=True)
class Traffic:
    """Traffic data of an account in a window: sessions and sent-message metadata."""

    account_id: int
    window: Window
    sessions: tuple[IpEvent, ...]
    messages: tuple[MessageMeta, ...]


@dataclass(frozen=True)
class Message:
    """A cloud-chat message (content data)."""

    message_id: int
    chat_id: int
    sender_id: int
    recipient_id: int | None
    ts: datetime
    text: str
    media_ref: str | None
    media_size: int | None
    media_sha256: str | None


@dataclass(frozen=True)
class NotHeld:
    """An explicit "the platform does not hold this" answer, with the reason."""

    what: str
    reason: Literal["end_to_end_encrypted"] = "end_to_end_encrypted"


@dataclass(frozen=True)
class SecretChat:
    """Metadata of a secret chat: participants and creation time (content is never held)."""

    chat_id: int
    participants: tuple[int, ...]
    created_at: datetime
    content: NotHeld


@dataclass
class ContentStream:
    """Messages streamed from the store, plus explicit not-held answers for secret chats.

    Read it once, either as :class:`Message` values (iterate) or, where the engine has them, as
    Arrow record batches with the columns of :class:`Message` (``ts`` in UTC): the evidence
    packager encodes those without a Python object per message.
    """

    messages: Iterator[Message]
    not_held: list[NotHeld] = field(default_factory=list)
    batches: Iterator[Any] | None = None

    def __iter__(self) -> Iterator[Message]:
        return self.messages


def to_json(value: Any) -> Any:
    """Turn an answer (dataclasses, lists, datetimes, windows) into JSON-ready values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    return value


@functools.lru_cache(maxsize=65_536)
def normalise_ip_text(ip: str) -> str:
    """Canonical text of an address (v4-mapped IPv6 shown as IPv4)."""
    if plain_ipv4(ip) is not None:
        return ip
    addr = parse_ip(ip)
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        return str(addr.ipv4_mapped)
    return str(addr)


class PlatformConnector(ABC):
    """Read access to one platform's data; engines implement the abstract ``_`` methods."""

    def __init__(self, *, max_window: timedelta = DEFAULT_MAX_WINDOW) -> None:
        self.max_window = max_window

    # -- validation shared by all engines ---------------------------------------------------
    def window(self, start: str | datetime, end: str | datetime) -> Window:
        """Build a window checked against this connector's maximum length."""
        return make_window(start, end, max_window=self.max_window)

    def _check(self, window: Window) -> Window:
        return make_window(window.start, window.end, max_window=self.max_window)

    def _check_tolerance(self, tolerance: timedelta) -> timedelta:
        if tolerance < timedelta(0):
            raise IdentifierError("the tolerance must not be negative", field="tolerance")
        if 2 * tolerance > self.max_window:
            raise IdentifierError(
                f"a tolerance of {tolerance} spans more than the maximum window "
                f"of {self.max_window.days} days",
                field="tolerance",
            )
        return tolerance

    # -- public API -------------------------------------------------------------------------
    def resolve(self, identifier: str | Identifier) -> list[Resolution]:
        """Resolve a phone, username (current/former), account id or public link; [] if unknown."""
        ident = identifier if isinstance(identifier, Identifier) else parse_identifier(identifier)
        return self._resolve(ident)

    def subscriber(self, account_id: int) -> SubscriberRecord:
        """Subscriber data of an account; raises UnknownAccount."""
        return self._subscriber(int(account_id))

    def ip_history(self, account_id: int, window: Window) -> list[IpEvent]:
        """Connections (ip, port, time) of an account in a window, oldest first."""
        return self._ip_history(int(account_id), self._check(window))

    def who_used_ip(
        self, ip: str, port: int | None, at: datetime, tolerance: timedelta = timedelta(minutes=5)
    ) -> list[IpEvent]:
        """Connections from ``ip`` (and ``port`` if given) within ``at`` ± tolerance."""
        query = IpQuery(normalise_ip_text(ip), port, parse_time(at))
        return self._who_used_ip(query, self._check_tolerance(tolerance))

    def who_used_ip_batch(
        self, queries: Sequence[IpQuery], tolerance: timedelta = timedelta(minutes=5)
    ) -> list[IpMatch]:
        """The reverse lookup for many (ip, port, time) tuples at once, ordered by query index."""
        norm = [IpQuery(normalise_ip_text(q.ip), q.port, parse_time(q.at)) for q in queries]
        return self._who_used_ip_batch(norm, self._check_tolerance(tolerance))

    def traffic(self, account_id: int, window: Window) -> Traffic:
        """Sessions and sent-message metadata (never text) of an account in a window."""
        window = self._check(window)
        return Traffic(
            int(account_id),
            window,
            tuple(self._ip_history(int(account_id), window)),
            tuple(self._message_meta(int(account_id), window)),
        )

    def content(
        self,
        window: Window,
        *,
        chat_ids: Iterable[int] = (),
        account_ids: Iterable[int] = (),
        batch_rows: int = 10_000,
    ) -> ContentStream:
        """Stream messages of the given chats, and those sent by the given accounts, in a window.

        Secret chats named (or joined by the accounts) come back in ``not_held``.
        """
        window = self._check(window)
        chats = sorted({int(c) for c in chat_ids})
        accounts = sorted({int(a) for a in account_ids})
        secret = set(self._secret_chat_ids(chats, accounts))
        not_held = [NotHeld(f"content of secret chat {c}") for c in sorted(secret)]
        cloud = [c for c in chats if c not in secret]
        return ContentStream(self._stream_content(window, cloud, accounts, batch_rows), not_held,
                             self._content_batches(window, cloud, accounts, batch_rows))

    def message(self, chat_id: int, message_id: int) -> Message | None:
        """One cloud-chat message by chat and message id (None if there is none, or the chat
        is secret: its content is never held)."""
        return self._message(int(chat_id), int(message_id))

    def secret_chats(self, account_id: int) -> list[SecretChat]:
        """Secret chats of an account: metadata, content NotHeld(end_to_end_encrypted)."""
        return self._secret_chats(int(account_id))

    def secret_chat_content(self, chat_id: int) -> NotHeld:
        """The content of a secret chat: always not held (end-to-end encrypted)."""
        return NotHeld(f"content of secret chat {int(chat_id)}")

    # -- engine hooks -----------------------------------------------------------------------
    @abstractmethod
    def _resolve(self, ident: Identifier) -> list[Resolution]: ...

    @abstractmethod
    def _subscriber(self, account_id: int) -> SubscriberRecord: ...

    @abstractmethod
    def _ip_history(self, account_id: int, window: Window) -> list[IpEvent]: ...

    @abstractmethod
    def _who_used_ip(self, query: IpQuery, tolerance: timedelta) -> list[IpEvent]: ...

    @abstractmethod
    def _who_used_ip_batch(self, queries: Sequence[IpQuery], tolerance: timedelta) -> list[IpMatch]: ...

    @abstractmethod
    def _message_meta(self, account_id: int, window: Window) -> list[MessageMeta]: ...

    @abstractmethod
    def _secret_chat_ids(self, chat_ids: Sequence[int], account_ids: Sequence[int]) -> list[int]: ...

    @abstractmethod
    def _message(self, chat_id: int, message_id: int) -> Message | None: ...

    @abstractmethod
    def _secret_chats(self, account_id: int) -> list[SecretChat]: ...

    @abstractmethod
    def _stream_content(
        self, window: Window, chat_ids: Sequence[int], account_ids: Sequence[int], batch_rows: int
    ) -> Iterator[Message]: ...

    def _content_batches(
        self, window: Window, chat_ids: Sequence[int], account_ids: Sequence[int], batch_rows: int
    ) -> Iterator[Any] | None:
        """The same messages as Arrow record batches, lazily; None where the engine has none."""
        return None
