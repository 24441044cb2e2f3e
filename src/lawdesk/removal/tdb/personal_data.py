"""A statement of reasons carries no personal data (DSA Art. 24(5)): free text is checked first.

Practical, not perfect: it finds what lawdesk's own texts could carry by mistake — e-mail
addresses, phone numbers (international ``+…``, or national ``0…`` with at least nine digits,
never a date or a case number), IPv4 and IPv6 addresses, and the identifiers of the accounts
concerned as the platform holds them (phone, usernames past and present, display name, account
number). A finding refuses the statement before it leaves; the desk rewrites the text.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass

import phonenumbers

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
PHONE = re.compile(r"(?<![\w/])(\+|00)?\d[\d\s().-]{6,}\d(?![\w/])")
IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
IPV6 = re.compile(r"(?<![\w:])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![\w:])")


@dataclass(frozen=True)
class Finding:
    kind: str  # email, phone, ip, account
    text: str

    def describe(self) -> str:
        return f"{self.kind}: {self.text}"


@dataclass(frozen=True)
class AccountIdentifiers:
    """What names an account on the platform (looked up, never stored with the statement)."""

    account_id: int | None = None
    phone: str | None = None
    usernames: tuple[str, ...] = ()
    display_name: str | None = None


_NOT_DIGIT = re.compile(r"\D")


def _digits(text: str) -> str:
    return _NOT_DIGIT.sub("", text)


def _phones(text: str) -> Iterable[str]:
    for m in PHONE.finditer(text):
        candidate = m.group(0).strip()
        digits = _digits(candidate)
        if candidate.startswith(("+", "00")):
            try:
                number = phonenumbers.parse("+" + digits[2:] if candidate.startswith("00") else candidate)
            except phonenumbers.NumberParseException:
                continue
            if phonenumbers.is_possible_number(number):
                yield candidate
        elif (
            candidate.startswith("0")
            and 9 <= len(digits) <= 15
            and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", candidate)
        ):
            yield candidate


def _ips(text: str) -> Iterable[str]:
    for m in IPV4.finditer(text):
        try:
            ipaddress.IPv4Address(m.group(0))
        except ValueError:
            continue
        yield m.group(0)
    if text.count(":") < 2:
        return
    for m in IPV6.finditer(text):
        if m.group(0).count(":") < 2:
            continue
        try:
            ipaddress.IPv6Address(m.group(0))
        except ValueError:
            continue
        yield m.group(0)


def find(text: str, accounts: Iterable[AccountIdentifiers] = ()) -> list[Finding]:
    """Personal data found in ``text`` (empty: none found)."""
    found = [Finding("email", m.group(0)) for m in EMAIL.finditer(text)] if "@" in text else []
    found += [Finding("phone", p) for p in _phones(text)]
    if "." in text or ":" in text:
        found += [Finding("ip", ip) for ip in _ips(text)]
    accounts = list(accounts)
    if not accounts:
        return found
    lowered = text.casefold()
    text_digits = _digits(text)
    for account in accounts:
        if (
            account.phone
            and len(_digits(account.phone)) >= 6
            and (_digits(account.phone) in text_digits or _digits(account.phone)[-9:] in text_digits)
        ):
            found.append(Finding("account", "the account's phone number"))
        for name in account.usernames:
            if name and re.search(rf"(?<![\w]){re.escape(name.lstrip('@').casefold())}(?![\w])", lowered):
                found.append(Finding("account", f"the account's username {name}"))
        if (
            account.display_name
            and len(account.display_name.strip()) >= 4
            and account.display_name.strip().casefold() in lowered
        ):
            found.append(Finding("account", "the account's display name"))
        if (
            account.account_id is not None
            and len(str(account.account_id)) >= 4
            and re.search(rf"(?<!\d){account.account_id}(?!\d)", text)
        ):
            found.append(Finding("account", "the account's number"))
    return found
