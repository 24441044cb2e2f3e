"""The ``lawdesk`` command line: run the server and worker, seed the demo, verify the audit trail."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from lawdesk.audit.actions import Action
from lawdesk.evidence.cli import verify_command
from lawdesk.interop import cli as interop_cli
from lawdesk.law import cli as law_cli
from lawdesk.platform import cli as platform_cli
from lawdesk.transparency import cli as transparency_cli
from lawdesk.transparency import witness_cli

app = typer.Typer(help="lawdesk — lawful requests from public authorities.", no_args_is_help=True)
demo_app = typer.Typer(help="The embedded demo.", no_args_is_help=True)
audit_app = typer.Typer(help="The tamper-evident audit trail.", no_args_is_help=True)
staff_app = typer.Typer(help="Platform staff accounts.", no_args_is_help=True)
keys_app = typer.Typer(help="The platform's signing keys: one per purpose, rotation, revocation.",
                       no_args_is_help=True)
app.add_typer(keys_app, name="keys")
app.add_typer(staff_app, name="staff")
app.add_typer(demo_app, name="demo")
app.add_typer(audit_app, name="audit")
app.add_typer(platform_cli.app, name="platform")
app.add_typer(law_cli.app, name="law")
app.add_typer(transparency_cli.app, name="transparency")
app.add_typer(witness_cli.app, name="witness")
app.add_typer(interop_cli.app, name="hi1")
app.command("verify")(verify_command)


@app.command("verify-receipt")
def verify_receipt(
    pdf: Annotated[str, typer.Argument(help="The acknowledgement of receipt (PDF).")],
    public_key: Annotated[str, typer.Option(help="The platform's public key (PEM), obtained "
                                                 "from the platform, not from the PDF.")],
    signature: Annotated[str | None, typer.Option(help="The signature file (default: PDF + .sig).")]
    = None,
) -> None:
    """Check the platform's signature on an acknowledgement of receipt (no server needed)."""
    # reason: start-up time: the command line loads only what the command it runs needs
    from pathlib import Path

    # reason: start-up time: the command line loads only what the command it runs needs
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    sig_path = Path(signature or f"{pdf}.sig")
    key = load_pem_public_key(Path(public_key).read_bytes())
    if not isinstance(key, Ed25519PublicKey):
        console.print(f"[red]{public_key} is not an Ed25519 public key.[/red]")
        raise typer.Exit(2)
    try:
        key.verify(sig_path.read_bytes(), Path(pdf).read_bytes())
    except InvalidSignature:
        console.print(f"[red]NOT VALID: {sig_path} is not the platform's signature of {pdf} "
                      "(the file was changed, or the key is not the platform's).[/red]")
        raise typer.Exit(1) from None
    console.print(f"VALID: {pdf} is signed by the key in {public_key}.")


@platform_cli.app.command("retention")
def platform_retention(
    keep_days: Annotated[int, typer.Option(help="Keep connection logs this many days.")] = 365,
    purge_deleted: Annotated[bool, typer.Option(help="Also purge deleted accounts' data.")] = True,
    data_dir: Annotated[str | None, typer.Option(help="Dataset (default: the configured one).")]
    = None,
) -> None:
    """Run the synthetic platform's retention and deletion jobs (held data is kept)."""
    # reason: start-up time: the command line loads only what the command it runs needs
    from datetime import timedelta

    # reason: start-up time: the command line loads only what the command it runs needs
    from lawdesk.core.clock import utcnow
    from lawdesk.platform.retention import apply_retention, purge_deleted_accounts

    if data_dir is None:
        django_setup()
        # reason: start-up time: the command line loads only what the command it runs needs
        from django.conf import settings

        data_dir = settings.LAWDESK_PLATFORM_DIR
    report = apply_retention(data_dir, now=utcnow(), keep_for=timedelta(days=keep_days))
    console.print(f"retention: {report.removed} rows removed, {report.kept_by_hold} kept by holds")
    if purge_deleted:
        purged = purge_deleted_accounts(data_dir, now=utcnow())
        console.print(f"deletion: {purged.removed} rows removed, {purged.kept_by_hold} held "
                      "deleted accounts kept")
console = Console(width=max(Console().width, 150))


@law_cli.app.command("docs")
def law_docs(
    out: Annotated[Path, typer.Option(help="Folder for the generated pages.")] = Path("docs/law"),
    check_only: Annotated[
        bool, typer.Option("--check", help="Fail if the committed pages differ; write nothing.")
    ] = False,
) -> None:
    """Generate one Markdown page per regime from the rule definitions, in English and in
    French (OUT/fr/)."""
    django_setup()  # the French citations' phrases come from the gettext catalogue
    # reason: start-up time: the command line loads only what the command it runs needs
    from lawdesk.core.citations import cite
    from lawdesk.evidence.catalogue import available
    from lawdesk.law.docs import missing_french, stale_pages, write_pages

    if not available("fr"):  # a citation's phrases are catalogue messages
        typer.echo("the French catalogue is not compiled: run `make messages` first", err=True)
        raise typer.Exit(2)

    def cite_french(citation: str) -> str:
        return cite(citation, "fr")

    absent = missing_french()
    if absent:
        typer.echo("no French for (add it to src/lawdesk/law/french.py): " + ", ".join(absent),
                   err=True)
        raise typer.Exit(2)
    if check_only:
        stale = stale_pages(out, cite_french)
        if stale:
            for path in stale:
                typer.echo(f"stale: {path} (run `lawdesk law docs --out {out}`)", err=True)
            raise typer.Exit(2)
        typer.echo(f"{out}: up to date")
        return
    for path in write_pages(out, cite_french):
        typer.echo(f"wrote {path}")


def django_setup() -> None:
    """Configure Django for commands that touch the database."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lawdesk.settings")
    # reason: start-up time: the command line loads only what the command it runs needs
    import django

    django.setup()


def _manage(*args: str) -> None:
    django_setup()
    # reason: start-up time: the command line loads only what the command it runs needs
    from django.core.management import call_command

    call_command(*args)


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def manage(ctx: typer.Context) -> None:
    """Run a Django management command (e.g. ``lawdesk manage migrate``)."""
    django_setup()
    # reason: start-up time: the command line loads only what the command it runs needs
    from django.core.management import execute_from_command_line

    execute_from_command_line(["lawdesk manage", *ctx.args])


@app.command()
def migrate() -> None:
    """Create or upgrade the database schema and the shared cache table."""
    _manage("migrate", "--no-input", "--verbosity", "0")
    _manage("createcachetable")
    console.print("Database ready.")


def _lawdesk_home() -> Path:
    django_setup()
    # reason: start-up time: the command line loads only what the command it runs needs
    from django.conf import settings

    return Path(settings.HOME)


def _web_cmd(host: str, port: int, workers: int) -> list[str]:
    # gunicorn's control socket would go to ~/.gunicorn/ by default: keep it in LAWDESK_HOME
    # (a Unix socket path has a length limit; without room, no control socket at all).
    control = _lawdesk_home() / "run" / "gunicorn.ctl"
    control.parent.mkdir(parents=True, exist_ok=True)
    socket_args = (["--control-socket", str(control)] if len(str(control).encode()) < 100
                   else ["--no-control-socket"])
    return [sys.executable, "-m", "gunicorn", "lawdesk.wsgi:application", "--bind",
            f"{host}:{port}", "--workers", str(workers), "--access-logfile", "-",
            "--graceful-timeout", "5", *socket_args]


def _worker_cmd() -> list[str]:
    return [sys.executable, "-m", "lawdesk", "worker"]


@app.command()
def serve(host: str = "127.0.0.1", port: int = 8000, workers: int = 2) -> None:
    """Run the web server (gunicorn) in the foreground."""
    os.execv(sys.executable, _web_cmd(host, port, workers))  # noqa: S606


def anchor_trail(*, now: datetime) -> None:
    """Anchor the audit trail if the last anchor is an hour old, then ask the witnesses to cosign."""
    # reason: start-up time: the command line loads only what the command it runs needs
    from lawdesk.transparency.anchors import anchor_if_due
    from lawdesk.transparency.cosign import witness_latest

    if anchor_if_due(now=now) is not None:
        witness_latest(now=now)


def _clock_loop(interval: float) -> None:
    """Every ``interval`` seconds: escalate deadlines, restart collection jobs whose worker
    died, anchor the audit trail when an hour has passed, send the HI-1 answers that are due
    (all idempotent)."""
    # reason: start-up time: the command line loads only what the command it runs needs
    from django.db import close_old_connections

    # reason: start-up time: the command line loads only what the command it runs needs
    from lawdesk.cases.services import escalate
    from lawdesk.collection.holds import expire_holds
    from lawdesk.collection.notices import recheck as recheck_notices
    from lawdesk.collection.services import recover
    from lawdesk.core.clock import utcnow
    from lawdesk.interop.outbound import send_due as send_hi1_answers
    from lawdesk.removal.alarms import raise_alarms
    from lawdesk.removal.art9 import send_due_reports as send_effect_reports
    from lawdesk.removal.tdb.outbox import send_all_due as send_statements
    from lawdesk.removal.uploaders import inform_due
    from lawdesk.transparency.publication import refresh as publish_due_periods

    steps = (escalate, raise_alarms, inform_due, send_statements, send_effect_reports, recover,
             expire_holds, recheck_notices, anchor_trail, publish_due_periods, send_hi1_answers)
    while True:
        clock_tick(steps, clock=utcnow, after=close_old_connections)
        time.sleep(interval)


def clock_tick(steps: Any, *, clock: Any, after: Any = lambda: None) -> list[str]:
    """Run each step once with the time now; return the names of those that failed.

    Each step on its own: one that fails (a remote service down, a bad row) is logged and tried
    again at the next tick, and never keeps the others — collections' recovery among them — from
    running."""
    failed = []
    for step in steps:
        try:
            step(now=clock())
        except Exception:
            logging.getLogger("lawdesk.clock").exception("clock step %s failed", step.__name__)
            failed.append(step.__name__)
        finally:
            after()
    return failed


@app.command()
def worker(clock_interval: Annotated[float, typer.Option(help="Seconds between deadline checks.")]
           = 60.0) -> None:
    """Run one background worker (jobs, and the legal-clock escalation) in the foreground."""
    # reason: start-up time: the command line loads only what the command it runs needs
    import threading

    django_setup()
    threading.Thread(target=_clock_loop, args=(clock_interval,), daemon=True,
                     name="lawdesk-clock").start()
    _manage("db_worker", "--interval", "1")


@app.command()
def up(host: str = "127.0.0.1", port: int = 8000, workers: int = 2,
       seed: Annotated[bool, typer.Option(help="Seed the demo data.")] = True) -> None:
    """Migrate, seed the demo, start the web server and the worker, and print how to log in."""
    migrate()
    if seed:
        django_setup()
        # reason: start-up time: the command line loads only what the command it runs needs
        from django.conf import settings

        # reason: start-up time: the command line loads only what the command it runs needs
        from lawdesk.platform.generator import ensure_demo_dataset

        console.print("Preparing the synthetic platform (first run only)…")
        ensure_demo_dataset(settings.LAWDESK_PLATFORM_DIR)
        demo_seed(cases=True)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "lawdesk.settings"}
    home = _lawdesk_home()
    logs = home / "log"
    logs.mkdir(exist_ok=True)
    # The servers write to log files, so that the terminal shows one summary, then the logins.
    web_log, worker_log = (logs / "web.log").open("ab"), (logs / "worker.log").open("ab")
    procs = [subprocess.Popen(_web_cmd(host, port, workers), env=env,  # noqa: S603
                              stdout=web_log, stderr=subprocess.STDOUT),
             subprocess.Popen(_worker_cmd(), env=env,  # noqa: S603
                              stdout=worker_log, stderr=subprocess.STDOUT)]
    url = f"http://{host}:{port}/"
    if not _wait_until_serving(url, procs):
        for p in procs:
            p.terminate()
        console.print(f"[red]lawdesk did not start.[/] The last lines of {logs / 'web.log'}:")
        console.print((logs / "web.log").read_text(errors="replace")[-3000:], markup=False)
        raise typer.Exit(1)
    console.print(f"\n[bold green]lawdesk is running at {url}[/]  (Ctrl-C stops it)")
    console.print(f"  everything it keeps:  {home}  (LAWDESK_HOME)")
    console.print(f"  server logs:          {logs / 'web.log'}, {logs / 'worker.log'}")
    console.print("  mail it sends:        [bold].venv/bin/lawdesk demo mail[/]  "
                  "(latest mails with their links)\n")
    if seed:
        _print_logins()

    def stop(*_: object) -> None:
        for p in procs:
            p.terminate()

    signal.signal(signal.SIGTERM, stop)
    try:
        while all(p.poll() is None for p in procs):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        stop()
        for p in procs:
            p.wait(timeout=15)


def _wait_until_serving(url: str, procs: list[subprocess.Popen[bytes]],
                        timeout: float = 60.0) -> bool:
    """True once ``url`` answers; False if a process died or time ran out."""
    # reason: start-up time: the command line loads only what the command it runs needs
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and all(p.poll() is None for p in procs):
        try:
            urllib.request.urlopen(url + "accounts/login/", timeout=2)  # noqa: S310 - our own server
            return True
        except urllib.error.HTTPError:
            return True
        except OSError:
            time.sleep(0.3)
    return False


@staff_app.command("create")
def staff_create(
    email: str,
    name: Annotated[str, typer.Option(help="Full name.")],
    role: Annotated[list[str], typer.Option(help="intake, reviewer, approver, admin, auditor "
                                                 "(repeat for several).")],
) -> None:
    """Create a staff login (the first administrator, say); the password is asked for."""
    django_setup()
    # reason: start-up time: the command line loads only what the command it runs needs
    from allauth.account.models import EmailAddress
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    # reason: start-up time: the command line loads only what the command it runs needs
    from lawdesk.accounts.services import create_staff_member
    from lawdesk.core.clock import utcnow
    from lawdesk.core.errors import DomainError

    password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        validate_password(password)
        staff = create_staff_member(actor=None, now=utcnow(), email=email, full_name=name,
                                    roles=role, password=password)
    except ValidationError as exc:
        console.print(f"[red]password:[/] {' '.join(exc.messages)}")
        raise typer.Exit(2) from None
    except DomainError as exc:
        console.print(f"[red]{exc.field or 'error'}:[/] {exc.message}")
        raise typer.Exit(2) from None
    # An administrator vouches for the address; the second factor is enrolled at first sign-in.
    EmailAddress.objects.create(user=staff.user, email=staff.user.email, verified=True,
                                primary=True)
    console.print(f"Created {email} with roles {', '.join(staff.roles)}. Enrol a second factor "
                  "at the first sign-in.")


@demo_app.command("seed")
def demo_seed(cases: Annotated[bool, typer.Option(help="Also create a few open demo cases.")]
              = True) -> None:
    """Create the demo agencies, officers, staff and cases (idempotent)."""
    django_setup()
    # reason: start-up time: the command line loads only what the command it runs needs
    from lawdesk.demo.seed import seed

    seed(with_cases=cases)
    console.print("Demo data ready.")


def _print_logins() -> None:
    django_setup()
    # reason: start-up time: the command line loads only what the command it runs needs
    import pyotp

    # reason: start-up time: the command line loads only what the command it runs needs
    from lawdesk.accounts.models import User
    from lawdesk.core.clock import utcnow
    from lawdesk.demo.seed import DEMO_PASSWORD, USERS, totp_secret

    table = Table(title=f"Demo logins — password for all: {DEMO_PASSWORD}")
    for col in ("role", "e-mail", "TOTP secret (add to an authenticator app)", "code now"):
        table.add_column(col, overflow="fold", no_wrap=True)
    for spec in USERS:
        user = User.objects.get(email=spec.email)
        secret = totp_secret(user)
        table.add_row(spec.role, spec.email, secret, pyotp.TOTP(secret).at(utcnow()))
    console.print(table)
    console.print("Current codes any time: [bold].venv/bin/lawdesk demo codes[/]  "
                  "(a code is accepted once; wait for the next one to sign in again)")


@demo_app.command("mail")
def demo_mail(
    count: Annotated[int, typer.Option("--count", "-n", help="How many mails.")] = 10,
    to: Annotated[str | None, typer.Option(help="Only mails to this address (or part of it).")]
    = None,
) -> None:
    """List the latest mails of the demo's mailbox, newest first, with their links."""
    django_setup()
    # reason: start-up time: the command line loads only what the command it runs needs
    from pathlib import Path

    # reason: start-up time: the command line loads only what the command it runs needs
    from django.conf import settings

    # reason: start-up time: the command line loads only what the command it runs needs
    from lawdesk.demo.mailbox import latest

    mail_dir = Path(settings.EMAIL_FILE_PATH)
    mails = latest(mail_dir, count=count, to=to)
    if not mails:
        typer.echo(f"No mail in {mail_dir}" + (f" to {to}" if to else "") + ".")
        return
    # Plain lines, never wrapped: a link must stay whole to be clicked or copied.
    for mail in mails:
        typer.echo(f"{mail.sent_at:%Y-%m-%d %H:%M:%S} UTC  to {mail.to}  ({mail.kind})")
        typer.echo(f"  {mail.subject}")
        for link in mail.links:
            typer.echo(f"  → {link}")
        typer.echo("")
    typer.echo(f"{len(mails)} most recent of the mailbox {mail_dir}")


@demo_app.command("codes")
def demo_codes(as_json: Annotated[bool, typer.Option("--json", help="Machine-readable.")] = False) -> None:
    """Print the demo users' TOTP secrets and their current codes."""
    if not as_json:
        _print_logins()
        return
    django_setup()
    # reason: start-up time: the command line loads only what the command it runs needs
    import json

    # reason: start-up time: the command line loads only what the command it runs needs
    from lawdesk.accounts.models import User
    from lawdesk.demo.seed import USERS, totp_secret

    rows = []
    for spec in USERS:
        user = User.objects.get(email=spec.email)
        officer = user.officer_or_none
        rows.append({"email": spec.email, "role": spec.role, "secret": totp_secret(user),
                     "agency_id": officer.agency_id if officer else None})
    print(json.dumps(rows))


@audit_app.command("verify")
def audit_verify(
    anchors: Annotated[str | None, typer.Option(
        "--anchors", help="The anchor log (https://host/transparency/ or an export directory): prove "
                          "every anchored prefix of the trail is unchanged.")] = None,
    key: Annotated[str | None, typer.Option(
        "--key", help="The anchor log's verifier key, instead of trusting the published one on first use.")]
    = None,
    state_dir: Annotated[Path, typer.Option(
        "--state-dir", help="Where the anchor log's pinned key and last checkpoint are kept.")]
    = Path("~/.local/share/lawdesk/anchors"),
    witness: Annotated[list[str] | None, typer.Option(
        "--witness", help="A witness key (name+id+base64) whose cosignature counts; repeat.")] = None,
    quorum: Annotated[int, typer.Option("--quorum", help="How many of the --witness keys must have "
                                                         "cosigned the anchor checkpoint (default: all).")]
    = 0,
    workers: Annotated[int, typer.Option(
        "--workers", min=0, help="Processes checking ranges of the chain in parallel (0: one per core, "
                                 "up to 8, for chains of 200,000 events or more; else 1).")] = 0,
) -> None:
    """Walk the hash chain; exit 1 naming the first broken sequence number.

    With --anchors, also check the trail against the anchor log: an event rewritten or removed
    before the last anchor is caught even if the whole chain was recomputed.
    """
    django_setup()
    # reason: start-up time: the command line loads only what the command it runs needs
    from lawdesk.audit.verify import auto_workers, verify_chain
    from lawdesk.evidence.catalogue import environment_catalogue, say

    cat = environment_catalogue()  # the language of the command line (LANG), decision 0020
    _ = cat.gettext
    report = verify_chain(workers=workers or auto_workers())
    if report.missing_triggers:
        missing = _("Append-only triggers missing:")
        console.print(f"[red]{missing}[/] {', '.join(sorted(report.missing_triggers))}")
    if report.broken_seq is not None or report.problem:
        broken = (_("Audit chain BROKEN at sequence %(seq)s:") % {"seq": report.broken_seq}
                  if report.broken_seq is not None else _("Audit chain BROKEN:"))
        console.print(f"[bold red]{broken}[/] {say(report.problem, cat)}")
        raise typer.Exit(1)
    if anchors is not None:
        _check_anchors(anchors, report.length, key=key, state_dir=state_dir, witnesses=witness or [],
                       quorum=quorum)
    if report.missing_triggers:
        console.print(_("Chain content intact (%(length)s events) but unprotected.")
                      % {"length": report.length})
        raise typer.Exit(1)
    intact = _("Audit chain intact:")
    console.print(f"[green]{intact}[/] " + _("%(length)s events, head %(head)s")
                  % {"length": report.length, "head": report.head_hash})


def _check_anchors(location: str, length: int, *, key: str | None, state_dir: Path, witnesses: list[str],
                   quorum: int) -> None:
    # reason: start-up time: the command line loads only what the command it runs needs
    from lawdesk.evidence.catalogue import environment_catalogue, say
    from lawdesk.transparency import note
    from lawdesk.transparency.anchor_verify import AnchorError, open_anchors, verify_anchors
    from lawdesk.transparency.anchors import Anchor, check_trail
    from lawdesk.transparency.verify import SourceError
    from lawdesk.transparency.witness import WitnessError, parse_witness_key

    cat = environment_catalogue()  # the language of the command line (LANG), decision 0020
    _ = cat.gettext
    try:
        keys_ = [parse_witness_key(w) for w in witnesses]
        log = verify_anchors(open_anchors(location), state_dir=state_dir, key=key, witnesses=keys_,
                             quorum=quorum)
    except SourceError as exc:
        unreadable = _("Cannot read the anchor log:")
        console.print(f"[bold red]{unreadable}[/] {say(exc, cat)}")
        raise typer.Exit(2) from None
    except (AnchorError, note.NoteError, WitnessError) as exc:
        lines = exc.problems if isinstance(exc, AnchorError) else [str(exc)]
        for line in lines:
            failed = _("Anchor log FAILED:")
            console.print(f"[bold red]{failed}[/] {say(line, cat)}")
        raise typer.Exit(1) from None
    for line in log.notes:
        console.print(_("ok: %(note)s") % {"note": say(line, cat)})
    problems, notes = check_trail([Anchor(h.index, h.seq, h.hash, h.at) for h in log.heads], length)
    for line in problems:
        verdict = _("Audit trail REWRITTEN:") if "rewritten" in line else _("Audit trail TRUNCATED:")
        console.print(f"[bold red]{verdict}[/] {say(line, cat)}")
    if problems:
        raise typer.Exit(1)
    for line in notes:
        console.print(_("ok: %(note)s") % {"note": say(line, cat)})


@keys_app.command("list")
def keys_list() -> None:
    """Every platform key: purpose, fingerprint, validity period, revocation."""
    django_setup()
    # reason: start-up time: the command line loads only what the command it runs needs
    from lawdesk.core import keys

    table = Table(title="Platform keys")
    for col in ("purpose", "fingerprint", "valid from", "until", "revoked from"):
        table.add_column(col, overflow="fold")
    for r in keys.registry():
        table.add_row(r.purpose, r.fingerprint, r.not_before, r.not_after or "(current)",
                      f"{r.revoked_at} ({r.revocation_reason})" if r.revoked_at else "")
    console.print(table)


@keys_app.command("init")
def keys_init() -> None:
    """Create a key for every purpose that has none (run once in production), and log them."""
    django_setup()
    # reason: start-up time: the command line loads only what the command it runs needs
    from lawdesk.audit.services import record
    from lawdesk.core import keys
    from lawdesk.core.clock import utcnow
    from lawdesk.transparency.anchors import anchor

    now = utcnow()
    records = keys.init(now)
    record(Action.KEYS_INITIALISED, params={"keys": [[r.purpose, r.fingerprint] for r in records]}, now=now)
    anchor(now=now)
    keys_list()


@keys_app.command("rotate")
def keys_rotate(
    purpose: Annotated[str, typer.Option("--purpose", help="package, checkpoint or receipt.")],
    note: Annotated[str, typer.Option("--note", help="Why (kept in the key list).")] = "",
) -> None:
    """Start a new key for one purpose; the old one stays listed so what it signed still verifies."""
    django_setup()
    # reason: start-up time: the command line loads only what the command it runs needs
    from django.db import transaction

    # reason: start-up time: the command line loads only what the command it runs needs
    from lawdesk.audit.services import record
    from lawdesk.core import keys
    from lawdesk.core.clock import utcnow
    from lawdesk.transparency.anchors import anchor
    from lawdesk.transparency.cosign import witness_latest

    now = utcnow()
    try:
        old, new = keys.rotate(purpose, now, note)
    except keys.KeyError_ as exc:
        console.print(f"[red]purpose:[/] {exc}")
        raise typer.Exit(2) from None
    with transaction.atomic():
        record(Action.KEY_ROTATED, now=now, params={
            "purpose": purpose, "old": old.fingerprint if old else None, "new": new.fingerprint,
            "note": note})
        anchor(now=now)
    witness_latest(now=now)
    console.print(f"Rotated the {purpose} key: new {new.fingerprint}"
                  + (f"; {old.fingerprint} retired (still verifies what it signed)" if old else ""))
    if purpose == "checkpoint":
        console.print("Verifiers pinned the old checkpoint key: publish the new verifier key out of band.")


@keys_app.command("revoke")
def keys_revoke(
    fingerprint: Annotated[str, typer.Argument(help="SHA256:… of the key.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (published).")],
    since: Annotated[str | None, typer.Option(
        "--since", help="From when the key is untrusted (ISO time, UTC; default now). Signatures "
                        "dated from then on fail.")] = None,
) -> None:
    """Revoke a key (e.g. it leaked); a current key is replaced at once."""
    django_setup()
    # reason: start-up time: the command line loads only what the command it runs needs
    from django.db import transaction

    # reason: start-up time: the command line loads only what the command it runs needs
    from lawdesk.audit.services import record
    from lawdesk.core import keys
    from lawdesk.core.clock import utcnow
    from lawdesk.transparency.anchors import anchor
    from lawdesk.transparency.cosign import witness_latest

    now = utcnow()
    try:
        start = datetime.fromisoformat(since.replace("Z", "+00:00")) if since else now
        if start.tzinfo is None:
            raise ValueError("add a time zone, e.g. Z")
    except ValueError as exc:
        console.print(f"[red]--since:[/] not a time ({exc})")
        raise typer.Exit(2) from None
    try:
        revoked, new = keys.revoke(fingerprint, start, reason, now)
    except keys.KeyError_ as exc:
        console.print(f"[red]key:[/] {exc}")
        raise typer.Exit(2) from None
    with transaction.atomic():
        record(Action.KEY_REVOKED, now=now, params={
            "fingerprint": fingerprint, "purposes": [r.purpose for r in revoked], "since": start.isoformat(),
            "reason": reason, "replacement": new.fingerprint if new else None})
        anchor(now=now)
    witness_latest(now=now)
    console.print(f"Revoked {fingerprint} from {start.isoformat()}"
                  + (f"; replaced by {new.fingerprint}" if new else ""))


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
