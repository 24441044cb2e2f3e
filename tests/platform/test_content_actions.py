"""Content measures on the synthetic platform: its reader stops returning what a measure hides."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from lawdesk.law.vocabulary import EU_MEMBER_STATES as LAW_EU
from lawdesk.platform.connector import Message
from lawdesk.platform.content_actions import (
    EU_MEMBER_STATES,
    ContentActionError,
    PlatformView,
    SyntheticContentActions,
    Withheld,
    account_target,
    message_target,
    parse_content_url,
)
from lawdesk.platform.ibis_connector import IbisConnector
from lawdesk.platform.identifiers import IdentifierError

CHANNEL = 700_000_003
T0 = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


@pytest.fixture
def first(duck: IbisConnector) -> Message:
    window = duck.window("2024-01-01T00:00:00Z", "2024-12-31T00:00:00Z")
    for w in (window, duck.window("2025-01-01T00:00:00Z", "2025-12-31T00:00:00Z")):
        for message in duck.content(w, chat_ids=[CHANNEL]):
            return message
    raise AssertionError("the demo channel has no message")


def view(duck: IbisConnector, tmp_path: Path) -> tuple[PlatformView, SyntheticContentActions]:
    actions = SyntheticContentActions(tmp_path / "platform")
    return PlatformView(duck, actions), actions


def test_the_eu_list_is_the_law_list() -> None:
    assert EU_MEMBER_STATES == LAW_EU


def test_links_locate_the_message(duck: IbisConnector, first: Message, tmp_path: Path) -> None:
    reader, _ = view(duck, tmp_path)
    by_name = reader.locate(f"https://msgr.example/demo_channel/{first.message_id}")
    by_id = reader.locate(f"msgr.example/c/{CHANNEL}/{first.message_id}")
    assert by_name == by_id == first
    with pytest.raises(IdentifierError, match="no message 1 in chat"):
        reader.locate("https://msgr.example/demo_channel/1")
    with pytest.raises(IdentifierError, match="not a message link"):
        parse_content_url("https://elsewhere.example/demo_channel/1")


def test_removal_hides_the_message_everywhere_and_restore_brings_it_back(
        duck: IbisConnector, first: Message, tmp_path: Path) -> None:
    reader, actions = view(duck, tmp_path)
    target = message_target(CHANNEL, first.message_id)
    assert reader.read(CHANNEL, first.message_id, country="FR") == first
    measure = actions.apply(reference="LD-1", kind="remove", target=target, now=T0)
    assert measure.whole_eu and measure.applied_at == "2026-11-30T12:00:00.000000+00:00"
    for country in ("FR", "DE", "US", None):
        assert reader.read(CHANNEL, first.message_id, country=country) == \
            Withheld(target, "removed", "LD-1")
    # Idempotent: a retry an hour later returns the measure with its first time.
    again = actions.apply(reference="LD-1", kind="remove", target=target, now=T0 + timedelta(hours=1))
    assert again == measure and len(actions.measures(target=target)) == 1
    lifted = actions.restore(reference="LD-1", target=target, now=T0 + timedelta(days=2),
                             reason="order quashed on scrutiny")
    assert [m.restore_reason for m in lifted] == ["order quashed on scrutiny"]
    assert reader.read(CHANNEL, first.message_id, country="FR") == first
    assert actions.restore(reference="LD-1", target=target, now=T0 + timedelta(days=3),
                           reason="again") == []
    # The history keeps the restored measure.
    [kept] = actions.measures(reference="LD-1")
    assert kept.restored_at is not None and not kept.in_force


def test_a_geo_block_is_visible_by_country(duck: IbisConnector, first: Message,
                                            tmp_path: Path) -> None:
    reader, actions = view(duck, tmp_path)
    target = message_target(CHANNEL, first.message_id)
    partial = actions.apply(reference="LD-2", kind="disable", target=target, now=T0,
                            countries=["fr", "DE"])
    assert partial.countries == ("DE", "FR") and not partial.whole_eu
    assert isinstance(reader.read(CHANNEL, first.message_id, country="FR"), Withheld)
    assert reader.read(CHANNEL, first.message_id, country="BE") == first
    widened = actions.apply(reference="LD-2", kind="disable", target=target,
                            now=T0 + timedelta(minutes=5), countries=["EU"])
    assert widened.whole_eu and widened.applied_at == partial.applied_at
    assert widened.changed_at == "2026-11-30T12:05:00.000000+00:00"
    assert isinstance(reader.read(CHANNEL, first.message_id, country="BE"), Withheld)
    assert reader.read(CHANNEL, first.message_id, country="US") == first  # outside the EU


def test_restriction_and_suspension(duck: IbisConnector, first: Message, tmp_path: Path) -> None:
    reader, actions = view(duck, tmp_path)
    target = message_target(CHANNEL, first.message_id)
    actions.apply(reference="LD-3", kind="restrict", target=target, now=T0)
    assert reader.read(CHANNEL, first.message_id, country="FR") == \
        Withheld(target, "restricted", "LD-3")
    assert reader.read(CHANNEL, first.message_id, country="FR", member=True) == first
    actions.restore(reference="LD-3", target=target, now=T0, reason="lifted")
    actions.apply(reference="LD-4", kind="suspend", target=account_target(first.sender_id), now=T0)
    withheld = reader.read(CHANNEL, first.message_id, country="FR", member=True)
    assert isinstance(withheld, Withheld) and withheld.reason == "account_suspended"


@pytest.mark.parametrize(("kind", "target", "countries", "field"), [
    ("remove", "message:1:2", ["FR"], "countries"),
    ("disable", "message:1:2", [], "countries"),
    ("disable", "message:1:2", ["France"], "countries"),
    ("suspend", "message:1:2", [], "target"),
    ("remove", "account:7", [], "target"),
    ("erase", "message:1:2", [], "kind"),
])
def test_bad_measures_name_the_field(tmp_path: Path, kind: str, target: str,
                                     countries: list[str], field: str) -> None:
    with pytest.raises(ContentActionError) as err:
        SyntheticContentActions(tmp_path).apply(reference="LD-5", kind=kind, target=target,  # type: ignore[arg-type]
                                                now=T0, countries=countries)
    assert err.value.field == field


def test_measures_survive_a_restart(tmp_path: Path) -> None:
    """Another process (a restarted worker) sees the measure and its journal line."""
    SyntheticContentActions(tmp_path).apply(reference="LD-6", kind="remove",
                                            target="message:1:2", now=T0)
    code = ("import sys; from lawdesk.platform.content_actions import SyntheticContentActions as S;"
            "[m] = S(sys.argv[1]).in_force('message:1:2'); print(m.reference, m.applied_at)")
    src = Path(__file__).resolve().parents[2] / "src"
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path)], check=True,
                         capture_output=True, text=True, env={"PYTHONPATH": str(src)}).stdout
    assert out.split() == ["LD-6", "2026-11-30T12:00:00.000000+00:00"]
    assert (tmp_path / "content_measures.jsonl").read_text().count('"event": "applied"') == 1


def test_postgres_engine_reads_the_same_message(duck: IbisConnector, pg: IbisConnector,
                                                first: Message) -> None:
    assert pg.message(CHANNEL, first.message_id) == first
    assert pg.message(CHANNEL, 1) is None
