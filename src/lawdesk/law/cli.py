"""``lawdesk law``: check a request's facts against the rules, print the ruleset version.

``lawdesk law docs`` is registered on this group by ``lawdesk.cli``: the French pages cite the
law through ``lawdesk.core.citations``, which this layer may not import.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from lawdesk.law.config import DEFAULT_CONFIG, DeploymentConfig, load_config
from lawdesk.law.engine import decide
from lawdesk.law.facts import FactsError, parse_facts_json
from lawdesk.law.version import ruleset_version

app = typer.Typer(
    help="The legal rule engine: which authority may obtain which data, and why.",
    no_args_is_help=True,
)

EXIT_BAD_INPUT = 2


def _fail(lines: list[str]) -> None:
    for line in lines:
        typer.echo(line, err=True)
    raise typer.Exit(EXIT_BAD_INPUT)


def _config(path: Path | None) -> DeploymentConfig:
    if path is None:
        return DEFAULT_CONFIG
    try:
        return load_config(path)
    except ValidationError as exc:
        _fail([f"error: {path}: {'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()])
    except (OSError, ValueError) as exc:
        _fail([f"error: {path}: {exc}"])
    raise AssertionError("unreachable")  # pragma: no cover


def _parse_now(text: str) -> datetime:
    try:
        at = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        _fail([f"error: --now: {text!r} is not an ISO 8601 date-time (e.g. 2026-11-02T09:00:00Z)"])
        raise AssertionError("unreachable") from None  # pragma: no cover
    if at.tzinfo is None:
        _fail(["error: --now: give a time zone: add Z for UTC or an offset like +02:00"])
    return at


@app.command()
def check(
    file: Annotated[Path, typer.Argument(help="JSON facts of one request ('-' for stdin).")],
    config: Annotated[Path | None, typer.Option(help="Deployment configuration (TOML).")] = None,
    now: Annotated[
        str | None,
        typer.Option(
            help="The time to decide at (ISO 8601 with a time zone, e.g. 2026-11-02T09:00:00Z), "
            "used when the facts have no received_at; required then, for reproducible runs."
        ),
    ] = None,
) -> None:
    """Decide one request and print the decision as JSON."""
    try:
        text = sys.stdin.read() if str(file) == "-" else file.read_text(encoding="utf-8")
    except OSError as exc:
        _fail([f"error: cannot read {file}: {exc.strerror or exc}"])
    try:
        facts = parse_facts_json(text)
    except FactsError as exc:
        _fail([f"error: {field}: {msg}" for field, msg in exc.errors])
    # The engine reads no clock, and neither does the CLI: a decision that depends on time
    # (e-Evidence applies from 18 August 2026; deadlines run from receipt) takes received_at
    # from the facts, or --now, never today's date silently.
    at = _parse_now(now) if now is not None else None
    if facts.received_at is None and at is None:
        _fail(["error: received_at: required: the decision depends on when the request was "
               "received (applicability dates, deadlines); add received_at to the facts or pass "
               "--now 2026-11-02T09:00:00Z"])
    decision = decide(facts, config=_config(config), now=at)
    typer.echo(json.dumps(decision.to_dict(), indent=2, ensure_ascii=False))


@app.command()
def version() -> None:
    """Print the ruleset version."""
    typer.echo(ruleset_version())


if __name__ == "__main__":
    app()
