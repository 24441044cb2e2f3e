"""``lawdesk platform …``: generate the synthetic platform and run lookups, printing JSON."""

from __future__ import annotations

import csv
import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

import typer

from lawdesk.platform.connector import (
    IpQuery,
    PlatformConnector,
    UnknownAccount,
    to_json,
)
from lawdesk.platform.identifiers import (
    DEFAULT_MAX_WINDOW,
    IdentifierError,
    parse_duration,
    parse_ip_port,
    parse_port,
    parse_time,
)

app = typer.Typer(help="The platform's data: the bundled synthetic messenger and lookups.")
lookup_app = typer.Typer(help="Look up platform data; every command prints JSON.")
app.add_typer(lookup_app, name="lookup")

EXIT_INVALID = 2
EXIT_NOT_FOUND = 3

DataOpt = Annotated[
    str | None,
    typer.Option(
        "--data",
        envvar="LAWDESK_PLATFORM_DIR",
        help="Dataset directory or postgresql:// URL (default: var/platform).",
    ),
]
MaxWindowOpt = Annotated[
    int, typer.Option("--max-window-days", help="Longest time window a lookup may span.")
]
StartOpt = Annotated[str, typer.Option("--start", help="Window start, ISO 8601 with zone.")]
EndOpt = Annotated[str, typer.Option("--end", help="Window end (exclusive), ISO 8601 with zone.")]


class _Fail(Exception):
    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def _emit(value: Any) -> None:
    typer.echo(json.dumps(to_json(value), ensure_ascii=False, indent=2))


@contextmanager
def _errors() -> Iterator[None]:
    """Turn bad input and unknown identifiers into a message on stderr and a non-zero exit."""
    try:
        yield
    except IdentifierError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(EXIT_INVALID) from None
    except (UnknownAccount, _Fail) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(getattr(exc, "code", EXIT_NOT_FOUND)) from None
    except FileNotFoundError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None


def _open(data: str | None, max_window_days: int) -> PlatformConnector:
    # reason: start-up time: the command line loads only what the command it runs needs
    from lawdesk.platform.ibis_connector import open_connector

    if max_window_days < 1:
        raise IdentifierError("--max-window-days must be at least 1", field="max_window")
    return open_connector(data, max_window=timedelta(days=max_window_days))


def _account_id(conn: PlatformConnector, text: str) -> int:
    """An account given by any identifier that resolves to exactly one account."""
    found = [r.account for r in conn.resolve(text) if r.account is not None]
    ids = sorted({a.account_id for a in found})
    if not ids:
        raise _Fail(f"no account matches {text!r}", EXIT_NOT_FOUND)
    if len(ids) > 1:
        raise _Fail(f"{text!r} matches several accounts {ids}; give an account id", EXIT_INVALID)
    return ids[0]


_DEFAULT_DAYS = DEFAULT_MAX_WINDOW.days


@app.command()
def index(
    data: Annotated[Path, typer.Option(envvar="LAWDESK_PLATFORM_DIR", help="The dataset directory.")] = Path(
        "var/platform"
    ),
) -> None:
    """Build the derived SQLite lookup index beside the Parquet files (decision 0022).

    Forward and reverse lookups then read it (sub-millisecond); retention and deletion remove
    it before they delete rows, and lookups read the Parquet files until it is built again.
    """
    # reason: start-up time: the command line loads only what the command it runs needs
    from lawdesk.platform.lookup_index import build_lookup_index

    started = time.monotonic()
    path = build_lookup_index(data)
    typer.echo(f"{path} built in {time.monotonic() - started:.1f}s ({path.stat().st_size / 1e6:,.0f} MB)")


@app.command()
def generate(
    accounts: Annotated[int, typer.Option(min=1, help="Number of accounts.")] = 3_000,
    events: Annotated[int, typer.Option(min=0, help="Connection-log events.")] = 300_000,
    messages: Annotated[int, typer.Option(min=0, help="Cloud-chat messages.")] = 100_000,
    seed: Annotated[int, typer.Option(help="Random seed; same seed, same data.")] = 20240824,
    out: Annotated[Path, typer.Option(envvar="LAWDESK_PLATFORM_DIR", help="Output directory.")] = Path(
        "var/platform"
    ),
) -> None:
    """Generate a deterministic synthetic messenger dataset (replaces ``--out``)."""
    # reason: start-up time: rich loads only when this runs
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    # reason: start-up time: the command line loads only what the command it runs needs
    from lawdesk.platform.generator import generate as run

    started = time.monotonic()
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,}/{task.total:,}"),
        TimeElapsedColumn(),
        transient=False,
    ) as bar:
        tasks: dict[str, Any] = {}

        def report(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=max(total, 1))
            bar.update(tasks[stage], completed=done, total=max(total, 1))

        path = run(out, accounts=accounts, events=events, messages=messages, seed=seed, progress=report)
    manifest = json.loads((path / "manifest.json").read_text())
    manifest["seconds"] = round(time.monotonic() - started, 1)
    manifest["out"] = str(path)
    _emit(manifest)


@lookup_app.command()
def resolve(
    identifier: Annotated[str, typer.Argument(help="Phone, @username, account id or public link.")],
    data: DataOpt = None,
) -> None:
    """Resolve an identifier to accounts or chats (former usernames with their dates)."""
    with _errors():
        found = _open(data, _DEFAULT_DAYS).resolve(identifier)
        if not found:
            raise _Fail(f"no account or chat matches {identifier!r}", EXIT_NOT_FOUND)
        _emit(found)


@lookup_app.command()
def subscriber(
    account: Annotated[str, typer.Argument(help="Account id or any identifier of one account.")],
    data: DataOpt = None,
) -> None:
    """Subscriber data of an account."""
    with _errors():
        conn = _open(data, _DEFAULT_DAYS)
        _emit(conn.subscriber(_account_id(conn, account)))


@lookup_app.command("ip-history")
def ip_history(
    account: Annotated[str, typer.Argument(help="Account id or any identifier of one account.")],
    start: StartOpt,
    end: EndOpt,
    data: DataOpt = None,
    max_window_days: MaxWindowOpt = _DEFAULT_DAYS,
) -> None:
    """IP addresses, ports and times an account connected from, in a window."""
    with _errors():
        conn = _open(data, max_window_days)
        window = conn.window(start, end)
        account_id = _account_id(conn, account)
        _emit(
            {
                "account_id": account_id,
                "window": window,
                "events": conn.ip_history(account_id, window),
            }
        )


@lookup_app.command("who-used-ip")
def who_used_ip(
    address: Annotated[str, typer.Argument(help="IP, IPv4:port or [IPv6]:port.")],
    at: Annotated[str, typer.Option("--at", help="Moment, ISO 8601 with zone.")],
    port: Annotated[str | None, typer.Option(help="Source port (or give it in ADDRESS).")] = None,
    tolerance: Annotated[str, typer.Option(help="± tolerance, e.g. 300s, 5m.")] = "5m",
    data: DataOpt = None,
    max_window_days: MaxWindowOpt = _DEFAULT_DAYS,
) -> None:
    """Which accounts used an IP address (and source port) at a moment ± tolerance."""
    with _errors():
        ip, inline_port = parse_ip_port(address)
        if port is not None and inline_port is not None and parse_port(port) != inline_port:
            raise IdentifierError("two different ports given", field="port")
        the_port = inline_port if inline_port is not None else (parse_port(port) if port else None)
        moment, tol = parse_time(at), parse_duration(tolerance)
        conn = _open(data, max_window_days)
        hits = conn.who_used_ip(str(ip), the_port, moment, tol)
        _emit({"ip": str(ip), "port": the_port, "at": moment, "tolerance": tol, "events": hits})


@lookup_app.command("who-used-ip-batch")
def who_used_ip_batch(
    file: Annotated[
        Path, typer.Argument(help="CSV with columns ip,port,time (port may be empty); - = stdin.")
    ],
    tolerance: Annotated[str, typer.Option(help="± tolerance, e.g. 300s, 5m.")] = "5m",
    data: DataOpt = None,
    max_window_days: MaxWindowOpt = _DEFAULT_DAYS,
) -> None:
    """The reverse lookup for many (ip, port, time) rows at once."""
    with _errors():
        handle = sys.stdin if str(file) == "-" else file.open(newline="")
        queries: list[IpQuery] = []
        for n, row in enumerate(csv.DictReader(handle), start=2):
            try:
                ip, inline = parse_ip_port(row.get("ip") or "")
                raw_port = (row.get("port") or "").strip()
                the_port = parse_port(raw_port) if raw_port else inline
                queries.append(IpQuery(str(ip), the_port, parse_time(row.get("time") or "")))
            except IdentifierError as exc:
                raise IdentifierError(f"line {n}: {exc.message}", field=exc.field) from None
        conn = _open(data, max_window_days)
        matches = conn.who_used_ip_batch(queries, parse_duration(tolerance))
        _emit({"queries": len(queries), "matches": matches})


@lookup_app.command()
def traffic(
    account: Annotated[str, typer.Argument(help="Account id or any identifier of one account.")],
    start: StartOpt,
    end: EndOpt,
    data: DataOpt = None,
    max_window_days: MaxWindowOpt = _DEFAULT_DAYS,
) -> None:
    """Traffic data: sessions and message metadata (never text) of an account in a window."""
    with _errors():
        conn = _open(data, max_window_days)
        window = conn.window(start, end)
        _emit(conn.traffic(_account_id(conn, account), window))


@lookup_app.command()
def content(
    start: StartOpt,
    end: EndOpt,
    chat: Annotated[list[int] | None, typer.Option("--chat", help="Chat id (repeatable).")] = None,
    account: Annotated[
        list[str] | None, typer.Option("--account", help="Sender account (repeatable).")
    ] = None,
    data: DataOpt = None,
    max_window_days: MaxWindowOpt = _DEFAULT_DAYS,
) -> None:
    """Stream messages of chats / sent by accounts as JSON Lines; secret chats as not_held."""
    with _errors():
        if not chat and not account:
            raise IdentifierError("give at least one --chat or --account", field="content")
        conn = _open(data, max_window_days)
        window = conn.window(start, end)
        accounts = [_account_id(conn, a) for a in account or []]
        stream = conn.content(window, chat_ids=chat or [], account_ids=accounts)
        for item in stream.not_held:
            typer.echo(json.dumps({"not_held": to_json(item)}))
        for message in stream:
            typer.echo(json.dumps({"message": to_json(message)}, ensure_ascii=False))


@lookup_app.command("secret-chats")
def secret_chats(
    account: Annotated[str, typer.Argument(help="Account id or any identifier of one account.")],
    data: DataOpt = None,
) -> None:
    """Secret chats of an account: participants and creation time; content is not held."""
    with _errors():
        conn = _open(data, _DEFAULT_DAYS)
        account_id = _account_id(conn, account)
        _emit({"account_id": account_id, "secret_chats": conn.secret_chats(account_id)})


if __name__ == "__main__":
    app()
