"""Fixtures for removal orders: the synthetic platform without earlier measures, a TCO order."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lawdesk.platform.connector import Message
from tests.factories import payload as base_payload

CHANNEL = 700_000_003


@pytest.fixture
def removal_platform(platform):
    from lawdesk.removal import services

    for name in ("content_measures.json", "content_measures.jsonl"):
        (platform / name).unlink(missing_ok=True)
    services._connector.cache_clear()
    yield platform
    services._connector.cache_clear()


@pytest.fixture
def channel_messages(removal_platform) -> list[Message]:
    from lawdesk.removal.services import connector

    conn = connector()
    out: list[Message] = []
    for year in (2024, 2025, 2026):
        window = conn.window(f"{year}-01-01T00:00:00Z", f"{year}-12-31T00:00:00Z")
        out += list(conn.content(window, chat_ids=[CHANNEL]))
    assert len(out) >= 2, "the demo channel needs two messages"
    return out


def url(message: Message) -> str:
    return f"https://msgr.example/demo_channel/{message.message_id}"


def tco_payload(messages: list[Message], **overrides):
    data = base_payload(
        kind="removal", instrument_type="tco_removal_order", instrument_reference="TCO-FR-2026-7",
        offence_category="terrorism", categories=[],
        offence_description="Instructions for making explosives posted in a public channel.",
        content_locations="\n".join(url(m) for m in messages),
        targets=[{"identifier": "https://msgr.example/demo_channel"}])
    data.pop("max_sentence_years", None)
    data.update(overrides)
    return data


@pytest.fixture
def tco(submit, channel_messages, now):
    """A TCO removal order naming the channel's first two messages, received ``now``."""
    return submit(**tco_payload(channel_messages[:2]))


HOUR = timedelta(hours=1)
