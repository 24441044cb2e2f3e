"""Parsing and normalising identifiers, addresses, ports, times and windows."""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime, timedelta

import pytest

from lawdesk.platform.identifiers import (
    Identifier,
    IdentifierError,
    ip_from_bytes,
    ip_to_bytes,
    make_window,
    normalise_phone,
    parse_duration,
    parse_identifier,
    parse_ip,
    parse_ip_port,
    parse_port,
    parse_time,
)


@pytest.mark.parametrize(
    "text",
    [
        "+33612345678",
        "+33 6 12 34 56 78",
        "+33 (0)6 12 34 56 78",
        "0033 6 12 34 56 78",
        "+33-6-12-34-56-78",
        " +33.6.12.34.56.78 ",
    ],
)
def test_phone_formats_normalise_to_e164(text):
    assert parse_identifier(text) == Identifier("phone", "+33612345678")


def test_phone_with_region():
    assert normalise_phone("06 12 34 56 78", default_region="FR") == "+33612345678"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@Night_Owl", Identifier("username", "night_owl")),
        ("night_owl", Identifier("username", "night_owl")),
        ("1000001", Identifier("account_id", "1000001")),
        ("https://msgr.example/demo_channel", Identifier("public_link", "demo_channel")),
        ("http://www.msgr.example/Demo_Group/", Identifier("public_link", "demo_group")),
        ("msgr.example/night_owl", Identifier("public_link", "night_owl")),
    ],
)
def test_identifier_forms(text, expected):
    assert parse_identifier(text) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "empty"),
        ("+33 6 12", "not a possible phone number"),
        ("+abc", "not a phone number"),
        ("0612345678", "without its +country code"),
        ("06 12 34 56 78", "without its +country code"),
        ("12345", "neither an account id"),
        ("https://other.example/someone", "not a public link"),
        ("@ab", "not a username"),
        ("bad name!", "not a username"),
    ],
)
def test_bad_identifiers_say_why(text, fragment):
    with pytest.raises(IdentifierError) as exc:
        parse_identifier(text)
    assert fragment in exc.value.message


def test_ip_parsing_and_canonical_form():
    assert parse_ip("::ffff:203.0.113.7") == ipaddress.IPv4Address("203.0.113.7")
    assert parse_ip_port("203.0.113.7:1700") == (ipaddress.IPv4Address("203.0.113.7"), 1700)
    assert parse_ip_port("[2001:db8::1]:443") == (ipaddress.IPv6Address("2001:db8::1"), 443)
    assert parse_ip_port("2001:db8::1") == (ipaddress.IPv6Address("2001:db8::1"), None)
    assert ip_to_bytes("203.0.113.7") == bytes(10) + b"\xff\xff" + bytes([203, 0, 113, 7])
    assert ip_from_bytes(ip_to_bytes("203.0.113.7")) == "203.0.113.7"
    assert ip_from_bytes(ip_to_bytes("2001:DB8:0::1")) == "2001:db8::1"


@pytest.mark.parametrize("text", ["203.0.113.999", "hello", "1.2.3", "[2001:db8::1", "2001:db8::g"])
def test_bad_ip(text):
    with pytest.raises(IdentifierError, match=r"not an IPv4 or IPv6 address|missing"):
        parse_ip_port(text)


@pytest.mark.parametrize("text", ["-1", "65536", "http"])
def test_bad_port(text):
    with pytest.raises(IdentifierError, match="port"):
        parse_port(text)


def test_times_need_a_zone_and_become_utc():
    assert parse_time("2025-09-15T12:00:00+02:00") == datetime(2025, 9, 15, 10, tzinfo=UTC)
    assert parse_time("2025-09-15T10:00:00Z") == datetime(2025, 9, 15, 10, tzinfo=UTC)
    with pytest.raises(IdentifierError, match="no time zone"):
        parse_time("2025-09-15T10:00:00")
    with pytest.raises(IdentifierError, match="not an ISO 8601 time"):
        parse_time("yesterday")


def test_durations():
    assert parse_duration("300") == timedelta(seconds=300)
    assert parse_duration("5m") == timedelta(minutes=5)
    assert parse_duration("2h") == timedelta(hours=2)
    with pytest.raises(IdentifierError, match="not a duration"):
        parse_duration("five minutes")


def test_windows():
    w = make_window("2025-01-01T00:00:00Z", "2025-01-11T00:00:00Z")
    assert w.end - w.start == timedelta(days=10)
    with pytest.raises(IdentifierError, match="before or when it starts"):
        make_window("2025-01-11T00:00:00Z", "2025-01-01T00:00:00Z")
    with pytest.raises(IdentifierError, match="maximum is 30 days"):
        make_window("2025-01-01T00:00:00Z", "2025-03-01T00:00:00Z", max_window=timedelta(days=30))
