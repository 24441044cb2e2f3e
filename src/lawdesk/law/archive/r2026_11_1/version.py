"""The frozen version label of this archived rule set (computed when it was current)."""

from __future__ import annotations

VERSION = "2026.11.1+958dd7192a53"


def ruleset_version() -> str:
    """The version this archived rule set decided under."""
    return VERSION
