"""A logging filter that keeps secrets out of every log line."""

from __future__ import annotations

import logging
import re

# Key names whose values must never reach a log, whatever logged them.
_SECRET_KEYS = r"(password\d?|secret|token|otp|totp|code|key|authorization|cookie|sessionid|csrf\w*)"
_PAIR = re.compile(rf"(?i)(['\"]?{_SECRET_KEYS}['\"]?\s*[:=]\s*)(['\"]?)[^'\"\s,&}}]+")


def redact(text: str) -> str:
    """Replace the values of secret-looking key/value pairs with ``[redacted]``."""
    return _PAIR.sub(lambda m: f"{m.group(1)}{m.group(3)}[redacted]", text)


class RedactSecretsFilter(logging.Filter):
    """Rewrite a record's message with its secret-looking values redacted."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not drop the record
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
