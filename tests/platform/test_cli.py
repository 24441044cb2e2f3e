"""``lawdesk platform …``: every lookup prints JSON; every kind of bad input exits non-zero."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from lawdesk.cli import app as main_app
from lawdesk.platform.cli import app

runner = CliRunner()


def run(dataset, *args: str):
    return runner.invoke(app, ["lookup", *args, "--data", str(dataset)])


WINDOW = ["--start", "2025-09-10T00:00:00Z", "--end", "2025-09-20T00:00:00Z"]


def test_registered_in_main_cli(dataset):
    result = runner.invoke(main_app, ["platform", "lookup", "resolve", "1000001", "--data", str(dataset)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[0]["account"]["account_id"] == 1000001


def test_resolve(dataset):
    result = run(dataset, "resolve", "@nightowl")
    assert result.exit_code == 0, result.output
    [hit] = json.loads(result.stdout)
    assert hit["matched_by"] == "former_username"
    assert hit["held"] == {
        "username": "nightowl",
        "held_from": "2025-04-01T00:00:00+00:00",
        "held_until": "2025-10-01T00:00:00+00:00",
    }


def test_subscriber_by_phone(dataset):
    result = run(dataset, "subscriber", "+33 6 12 34 56 78")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["account"]["display_name"] == "Camille Martin"


def test_ip_history_and_traffic(dataset):
    hist = run(dataset, "ip-history", "1000001", *WINDOW)
    assert hist.exit_code == 0, hist.output
    assert len(json.loads(hist.stdout)["events"]) >= 20
    traffic = run(dataset, "traffic", "@night_owl", *WINDOW)
    assert traffic.exit_code == 0, traffic.output
    body = json.loads(traffic.stdout)
    assert body["sessions"] and body["messages"] and "text" not in body["messages"][0]


def test_who_used_ip_forms(dataset):
    a = run(dataset, "who-used-ip", "203.0.113.7:1700", "--at", "2025-09-15T12:02:00+02:00")
    b = run(dataset, "who-used-ip", "::ffff:203.0.113.7", "--port", "1700", "--at", "2025-09-15T10:02:00Z")
    assert a.exit_code == b.exit_code == 0, a.output + b.output
    assert [e["account_id"] for e in json.loads(a.stdout)["events"]] == [1000002]
    assert json.loads(a.stdout)["events"] == json.loads(b.stdout)["events"]


def test_who_used_ip_batch(dataset, tmp_path):
    f = tmp_path / "q.csv"
    f.write_text("ip,port,time\n203.0.113.7,1100,2025-09-15T10:00:30Z\n203.0.113.7,,2025-09-15T10:00:00Z\n")
    result = runner.invoke(app, ["lookup", "who-used-ip-batch", str(f), "--data", str(dataset)])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["queries"] == 2
    assert [m["query_index"] for m in body["matches"]].count(0) == 1
    assert [m["query_index"] for m in body["matches"]].count(1) >= 4


def test_content_json_lines_and_secret_chats(dataset):
    result = run(
        dataset,
        "content",
        "--chat",
        "700000004",
        "--chat",
        "700000001",
        "--start",
        "2025-01-01T00:00:00Z",
        "--end",
        "2026-01-01T00:00:00Z",
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines[0] == {
        "not_held": {"what": "content of secret chat 700000004", "reason": "end_to_end_encrypted"}
    }
    assert all("message" in x for x in lines[1:]) and len(lines) > 2
    secret = run(dataset, "secret-chats", "1000001")
    assert secret.exit_code == 0, secret.output
    assert any(c["chat_id"] == 700000004 for c in json.loads(secret.stdout)["secret_chats"])


@pytest.mark.parametrize(
    ("args", "message", "code"),
    [
        (["resolve", "+33 6 12"], "not a possible phone number", 2),
        (["resolve", "+33 7 99 99 99 99"], "no account or chat matches", 3),
        (["subscriber", "9999999"], "no account matches", 3),
        (["who-used-ip", "203.0.113.999", "--at", "2025-09-15T10:00:00Z"], "not an IPv4 or IPv6", 2),
        (["who-used-ip", "203.0.113.7:99999", "--at", "2025-09-15T10:00:00Z"], "outside 0-65535", 2),
        (["who-used-ip", "203.0.113.7", "--at", "2025-09-15 10:00"], "no time zone", 2),
        (["who-used-ip", "203.0.113.7", "--at", "soon"], "not an ISO 8601 time", 2),
        (
            ["ip-history", "1000001", "--start", "2025-09-20T00:00:00Z", "--end", "2025-09-10T00:00:00Z"],
            "before or when it starts",
            2,
        ),
        (
            ["ip-history", "1000001", "--start", "2025-01-01T00:00:00Z", "--end", "2026-06-01T00:00:00Z"],
            "maximum is 366 days",
            2,
        ),
        (["traffic", "1000001", *WINDOW, "--max-window-days", "3"], "maximum is 3 days", 2),
        (["content", *WINDOW], "at least one --chat or --account", 2),
    ],
)
def test_bad_input_gets_a_clear_message_and_non_zero_exit(dataset, args, message, code):
    result = run(dataset, *args)
    assert result.exit_code == code, result.output
    assert message in result.stderr
    assert result.stdout == ""


def test_bad_batch_line_names_the_line(dataset, tmp_path):
    f = tmp_path / "q.csv"
    f.write_text("ip,port,time\n203.0.113.7,1100,2025-09-15T10:00:30Z\nnope,,2025-09-15T10:00:00Z\n")
    result = runner.invoke(app, ["lookup", "who-used-ip-batch", str(f), "--data", str(dataset)])
    assert result.exit_code == 2 and "line 3" in result.stderr


def test_missing_dataset(tmp_path):
    result = runner.invoke(app, ["lookup", "resolve", "1000001", "--data", str(tmp_path / "none")])
    assert result.exit_code == 1 and "lawdesk platform generate" in result.stderr


def test_generate_writes_a_dataset(tmp_path):
    out = tmp_path / "gen"
    result = runner.invoke(
        app,
        [
            "generate",
            "--accounts",
            "50",
            "--events",
            "2000",
            "--messages",
            "300",
            "--seed",
            "3",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert (out / "manifest.json").exists()
    assert '"events": 2024' in result.stdout
