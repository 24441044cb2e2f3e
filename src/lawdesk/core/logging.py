"""A logging filter that keeps secrets out of every log line."""

from __future__ import annotations

import logging
import re

# Key names whose values must never reach a log, whatever logged them.
_SECRET_KEYS = r"(password\d?|secret|token|otp|totp|code|key|authorization|cookie|sessionid|csrf\w*)"
_PAIR = re.compile(rf"(?i)(['\"]?{_SECRET_KEYS}['\"]?\s*[:=]\s*)(['\"]?)[^'\"\s,&}}]+")


# Bearer credentials and lawdesk API tokens, wherever they appear.
_BEARER = re.compile(r"(?i)\b(bearer)\s+\S+")
_API_TOKEN = re.compile(r"\bld_[0-9a-f]{8}_[A-Za-z0-9_\-]+")


def redact(text: str) -> str:
    """Replace secret-looking values (key=value pairs, bearer tokens, API tokens)."""
    text = _API_TOKEN.sub("ld_[redacted]", text)
    text = _BEARER.sub(lambda m: f"{m.group(1)} [redacted]", text)
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
