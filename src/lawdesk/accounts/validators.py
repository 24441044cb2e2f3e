"""Validation of agency data: countries, domains, phone numbers, age keys."""

from __future__ import annotations

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext

# ISO 3166-1 alpha-2 codes that phonenumbers knows as regions (it knows every assigned
# country), without its non-country entries.
COUNTRY_CODES = frozenset(
    code for code in phonenumbers.SUPPORTED_REGIONS if len(code) == 2 and code.isalpha()
) - {"AC", "TA"}

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def validate_country(value: str) -> None:
    """Accept an upper-case ISO 3166-1 alpha-2 country code."""
    if value not in COUNTRY_CODES:
        raise ValidationError(
            gettext("%(value)s is not an ISO 3166-1 alpha-2 country code (e.g. FR, DE, US)."),
            params={"value": value},
            code="invalid_country",
        )


def normalize_domain(value: str) -> str:
    """Return the ASCII (IDNA/punycode) lower-case form of a domain, or raise.

    Comparing the ASCII forms makes a Unicode look-alike (``police.example`` spelt with a
    Cyrillic o, U+043E) a different domain from the verified one, as it is on the wire.
    """
    raw = value.strip().rstrip(".").lower()
    if not raw or "@" in raw or "/" in raw or " " in raw:
        raise ValidationError(gettext("Enter a bare domain name such as police.example."),
                              code="invalid_domain")
    try:
        ascii_form = raw.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValidationError(gettext("%(value)s is not a valid domain name."), params={"value": value},
                              code="invalid_domain") from None
    labels = ascii_form.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        raise ValidationError(gettext("%(value)s is not a valid domain name."), params={"value": value},
                              code="invalid_domain")
    return ascii_form


def email_domain(email: str) -> str:
    """The normalised domain part of an e-mail address ('' when it has none)."""
    _, _, domain = email.rpartition("@")
    try:
        return normalize_domain(domain)
    except ValidationError:
        return ""


def normalize_phone(value: str) -> str:
    """Parse an international phone number and return it in E.164 form, or raise."""
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        raise ValidationError(
            gettext("Enter the number in international form, starting with + and the country code "
            "(e.g. +33 1 40 00 00 00)."),
            code="invalid_phone",
        ) from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(gettext("%(value)s is not a valid phone number."), params={"value": value},
                              code="invalid_phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def validate_age_recipient(value: str) -> None:
    """Accept an age X25519 recipient (``age1…``) that parses."""
    if not value:
        return
    # reason: start-up time: pyrage loads only when this runs
    from pyrage import x25519

    try:
        x25519.Recipient.from_str(value)
    except Exception:
        raise ValidationError(
            gettext("This is not an age public key: it must start with age1 and be one line of 62 "
            "characters, as printed by age-keygen."),
            code="invalid_age_key",
        ) from None
