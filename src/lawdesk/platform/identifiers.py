"""Parsing and normalising identifiers a request names: phones, usernames, ids, links, IPs, times.

Every parser raises :class:`IdentifierError` with a message that names the problem, so the
request intake form (and the CLI) can show it next to the field it came from.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

import phonenumbers

from lawdesk.core.errors import DomainError


def _(message: str) -> str:
    """The message in the language of the request (plain English outside Django: the tools)."""
    # reason: start-up time: this module is on the command line's or a verifier's import path (no Django)
    from django.conf import settings

    if not settings.configured:
        return message
    # reason: start-up time: this module is on the command line's or a verifier's import path (no Django)
    from django.utils.translation import gettext

    return gettext(message)


#: Host name of the bundled synthetic messenger; public links look like ``https://msgr.example/name``.
PLATFORM_HOST = "msgr.example"

#: Account ids of the synthetic platform are at least this large, so a short number is not an id.
MIN_ACCOUNT_ID = 1_000_000

DEFAULT_MAX_WINDOW = timedelta(days=366)

_V4_MAPPED_PREFIX = b"\x00" * 10 + b"\xff\xff"

_USERNAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,31}$")
_LINK_RE = re.compile(
    r"^(?:(?:https?://)?(?:www\.)?" + re.escape(PLATFORM_HOST) + r"/)([A-Za-z][A-Za-z0-9_]{3,31})/?$",
    re.IGNORECASE,
)

IdentifierKind = Literal["phone", "username", "account_id", "public_link"]


class IdentifierError(DomainError, ValueError):
    """An identifier, address, port or time that cannot be understood; the message says why."""

    code = "invalid_identifier"


@dataclass(frozen=True)
class Identifier:
    """A parsed account/chat identifier: its kind and normalised value."""

    kind: IdentifierKind
    value: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


def normalise_phone(text: str, *, default_region: str | None = None) -> str:
    """Return the E.164 form of a phone number in any common formatting; else IdentifierError."""
    raw = text.strip()
    if not raw:
        raise IdentifierError(_("phone number is empty"), field="phone")
    # "00" international prefix is common in Europe; phonenumbers only knows it per region.
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    try:
        number = phonenumbers.parse(raw, default_region)
    except phonenumbers.NumberParseException as exc:
        raise IdentifierError(
            _("%(text)s is not a phone number; give it in international form, "
              "e.g. +33 6 12 34 56 78") % {"text": repr(text)},
            field="phone",
        ) from exc
    if not phonenumbers.is_possible_number(number):
        raise IdentifierError(
            _("%(text)s is not a possible phone number for country code +%(code)s")
            % {"text": repr(text), "code": number.country_code},
            field="phone",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_username(text: str) -> str:
    """Return a username without its leading @, lower-cased, or raise IdentifierError."""
    name = text.strip().removeprefix("@")
    if not _USERNAME_RE.match(name):
        raise IdentifierError(
            _("%(text)s is not a username: 4-32 letters, digits or _, starting with a letter")
            % {"text": repr(text)},
            field="username",
        )
    # usernames are case-insensitive on the platform and stored lower-case
    return name.lower()


def parse_identifier(text: str) -> Identifier:
    """Classify and normalise an account/chat identifier (phone, @username, id, public link)."""
    raw = text.strip()
    if not raw:
        raise IdentifierError(_("identifier is empty"), field="identifier")
    link = _LINK_RE.match(raw)
    if link:
        return Identifier("public_link", link.group(1).lower())
    if "/" in raw or raw.lower().startswith(("http:", "https:")):
        raise IdentifierError(
            _("%(text)s is not a public link of this platform; expected https://%(host)s/<name>")
            % {"text": repr(text), "host": PLATFORM_HOST},
            field="identifier",
        )
    if raw.startswith("+") or raw.startswith("00"):
        return Identifier("phone", normalise_phone(raw))
    if raw.startswith("@"):
        return Identifier("username", normalise_username(raw))
    compact = re.sub(r"[\s().\-]", "", raw)
    if compact.isascii() and compact.isdigit():  # '³'.isdigit() is True, int('³') fails
        if compact == raw and not raw.startswith("0") and len(raw) <= 10:
            if int(raw) >= MIN_ACCOUNT_ID:
                return Identifier("account_id", raw)
        elif len(compact) >= 8:
            raise IdentifierError(
                _("%(text)s looks like a phone number without its +country code, "
                  "e.g. +33 6 12 34 56 78") % {"text": repr(text)},
                field="identifier",
            )
        raise IdentifierError(
            _("%(text)s is neither an account id (a number ≥ %(min)s) nor a phone number with "
              "its +country code") % {"text": repr(text), "min": MIN_ACCOUNT_ID},
            field="identifier",
        )
    return Identifier("username", normalise_username(raw))
    digits = raw.replace(" ", "")
    if digits.isascii() and digits.isdigit():
        number = int(digits)
        if number >= MIN_ACCOUNT_ID and " " not in raw and len(digits) <= 10:
            return Identifier("account_id", str(number))
        raise IdentifierError(
            _("%(text)s is ambiguous: a phone number needs its +country code, an account id is "
              "a number ≥ %(min)s") % {"text": repr(text), "min": MIN_ACCOUNT_ID},
            field="identifier",
        )
    if re.fullmatch(r"[\d\s().\-]+", raw):
        raise IdentifierError(
            _("%(text)s looks like a phone number without its +country code")
            % {"text": repr(text)}, field="identifier"
        )
    return Identifier("username", normalise_username(raw))


def parse_account_id(text: str | int) -> int:
    """Return a numeric account id, or raise IdentifierError."""
    try:
        value = int(str(text).strip())
    except ValueError:
        raise IdentifierError(_("%(text)s is not a numeric account id") % {"text": repr(text)},
                              field="account") from None
    if value < MIN_ACCOUNT_ID:
        raise IdentifierError(_("%(text)s is not an account id (ids are ≥ %(min)s)")
                              % {"text": repr(text), "min": MIN_ACCOUNT_ID}, field="account")
    return value


def parse_ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """Parse an IPv4 or IPv6 address; a v4-mapped IPv6 address comes back as IPv4."""
    raw = text.strip()
    try:
        addr = ipaddress.ip_address(raw.strip("[]"))
    except ValueError:
        raise IdentifierError(_("%(text)s is not an IPv4 or IPv6 address") % {"text": repr(text)},
                              field="ip") from None
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        return addr.ipv4_mapped
    return addr


def parse_port(text: str | int) -> int:
    """Parse a TCP/UDP source port (0-65535)."""
    try:
        port = int(str(text).strip())
    except ValueError:
        raise IdentifierError(_("%(text)s is not a port number") % {"text": repr(text)},
                              field="port") from None
    if not 0 <= port <= 65535:
        raise IdentifierError(_("port %(port)s is outside 0-65535") % {"port": port}, field="port")
    return port


def parse_ip_port(text: str) -> tuple[ipaddress.IPv4Address | ipaddress.IPv6Address, int | None]:
    """Parse ``ip``, ``ip:port`` (IPv4) or ``[ipv6]:port``; the port is None when absent."""
    raw = text.strip()
    if raw.startswith("["):
        host, sep, rest = raw[1:].partition("]")
        if not sep:
            raise IdentifierError(_("%(text)s: missing ']' after the IPv6 address")
                                  % {"text": repr(text)}, field="ip")
        if not rest:
            return parse_ip(host), None
        if not rest.startswith(":"):
            raise IdentifierError(_("%(text)s: expected ':port' after ']'") % {"text": repr(text)},
                                  field="ip")
        return parse_ip(host), parse_port(rest[1:])
    if raw.count(":") == 1:
        host, _sep, port = raw.partition(":")
        return parse_ip(host), parse_port(port)
    return parse_ip(raw), None


def plain_ipv4(text: str) -> bytes | None:
    """The 4 bytes of a plain dotted-quad IPv4 text, None if it is anything else (fast path)."""
    parts = text.split(".")
    if len(parts) != 4:
        return None
    for p in parts:
        if not p.isdigit() or not p.isascii() or (len(p) > 1 and p[0] == "0") or int(p) > 255:
            return None
    return bytes(int(p) for p in parts)


@functools.lru_cache(maxsize=65_536)
def ip_to_bytes(addr: ipaddress.IPv4Address | ipaddress.IPv6Address | str) -> bytes:
    """Return the 16-byte stored form of an address (IPv4 as v4-mapped IPv6)."""
    if isinstance(addr, str):
        quad = plain_ipv4(addr)
        if quad is not None:
            return _V4_MAPPED_PREFIX + quad
        addr = parse_ip(addr)
    if isinstance(addr, ipaddress.IPv4Address):
        return b"\x00" * 10 + b"\xff\xff" + addr.packed
    return addr.packed


@functools.lru_cache(maxsize=65_536)
def ip_from_bytes(raw: bytes) -> str:
    """Return the canonical text of a 16-byte stored address (v4-mapped shown as IPv4)."""
    raw = bytes(raw)
    if raw[:12] == _V4_MAPPED_PREFIX:
        # the common case, without the cost of ipaddress objects
        return "%d.%d.%d.%d" % tuple(raw[12:])  # noqa: UP031
    return str(ipaddress.IPv6Address(raw))


def parse_time(text: str | datetime) -> datetime:
    """Parse an ISO 8601 time; it must carry a zone (``Z`` or an offset). Returns UTC."""
    if isinstance(text, datetime):
        value = text
    else:
        raw = text.strip()
        try:
            value = datetime.fromisoformat(raw.replace("z", "Z"))
        except ValueError:
            raise IdentifierError(
                _("%(text)s is not an ISO 8601 time, e.g. 2025-09-15T10:00:00Z")
                % {"text": repr(text)}, field="time"
            ) from None
    if value.tzinfo is None or value.utcoffset() is None:
        raise IdentifierError(
            _("%(text)s has no time zone; add Z for UTC or an offset like +02:00")
            % {"text": repr(text)}, field="time"
        )
    return value.astimezone(UTC)


def parse_duration(text: str | timedelta) -> timedelta:
    """Parse a tolerance like ``300``/``300s``, ``5m``, ``2h``, ``10d``."""
    if isinstance(text, timedelta):
        return text
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", text)
    if not match:
        raise IdentifierError(_("%(text)s is not a duration; use e.g. 300s, 5m, 2h or 10d")
                              % {"text": repr(text)}, field="tolerance")
    unit = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[match.group(2)]
    return timedelta(seconds=float(match.group(1)) * unit)


@dataclass(frozen=True)
class Window:
    """A half-open time window [start, end) in UTC."""

    start: datetime
    end: datetime

    def to_json(self) -> dict[str, str]:
        """Return the window as ISO 8601 strings."""
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


def make_window(
    start: str | datetime, end: str | datetime, *, max_window: timedelta = DEFAULT_MAX_WINDOW
) -> Window:
    """Build a validated window: both ends zoned, end after start, no longer than max_window."""
    s, e = parse_time(start), parse_time(end)
    if e <= s:
        raise IdentifierError(
            _("the window ends (%(end)s) before or when it starts (%(start)s)")
            % {"end": e.isoformat(), "start": s.isoformat()},
            field="window",
        )
    if e - s > max_window:
        raise IdentifierError(
            _("the window is %(days)s days long; the maximum is %(max)s days")
            % {"days": (e - s).days, "max": max_window.days},
            field="window",
        )
    return Window(s, e)
