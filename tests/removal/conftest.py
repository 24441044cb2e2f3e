"""Fixtures for removal orders: the synthetic platform without earlier measures, a TCO order."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lawdesk.platform.connector import Message
from tests.factories import CHANNEL, content_url
from tests.factories import payload as base_payload

__all__ = ["CHANNEL", "url"]  # the removal tests' names for the demo channel's builders
url = content_url


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
