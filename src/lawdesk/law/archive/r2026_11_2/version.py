"""The frozen version label of this archived rule set (computed when it was current)."""

from __future__ import annotations

VERSION = "2026.11.2+3cb4d300dd75"


def ruleset_version() -> str:
    """The version this archived rule set decided under."""
    return VERSION
