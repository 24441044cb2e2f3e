"""``lawdesk transparency``: verify a published log (anyone), export or sign it (the platform)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer

from lawdesk.evidence.catalogue import Message, environment_catalogue, gettext_noop, say
from lawdesk.transparency import note
from lawdesk.transparency.verify import (
    DEFAULT_STATE_DIR,
    DirSource,
    HttpSource,
    SourceError,
    State,
    VerifyError,
    open_source,
    receipt_in_log,
    verify_log,
    verify_receipt,
)

app = typer.Typer(help="The verifiable transparency log.", no_args_is_help=True)

EXIT_MISMATCH = 1
EXIT_UNREADABLE = 2
_NOTHING_PUBLISHED = Message(gettext_noop("no checkpoint has been published yet (run `lawdesk transparency "
                                          "publish`)"))

StateDir = Annotated[Path, typer.Option(
    "--state", "--state-dir",
    help="Where this machine keeps, per log, the pinned key, every checkpoint seen and the counts "
         "verified so far (default: $LAWDESK_HOME/transparency-verifier, else $XDG_DATA_HOME/lawdesk, "
         "else ./var/transparency-verifier).")]
KeyOpt = Annotated[str | None, typer.Option("--key", help="The log's verifier key (name+id+base64), "
                                            "instead of trusting the published one on first use.")]


def _django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lawdesk.settings")
    # reason: start-up time: the command line loads only what the command it runs needs
    import django

    django.setup()


def _fail(lines: list[str], code: int) -> None:
    # Human output in the language of the command line (LANG), decision 0020; exit codes never change.
    cat = environment_catalogue()
    for line in lines:
        typer.echo(cat.gettext("FAIL: %(problem)s") % {"problem": say(line, cat)}, err=True)
    raise typer.Exit(code)


def _ok(line: str) -> None:
    cat = environment_catalogue()
    typer.echo(cat.gettext("ok: %(note)s") % {"note": say(line, cat)})


@app.command("verify")
def verify(
    url_or_dir: Annotated[str, typer.Argument(help="http(s)://host/transparency/, a report.json URL, "
                                              "or an export directory.")],
    state_dir: StateDir = DEFAULT_STATE_DIR,
    key: KeyOpt = None,
    witness: Annotated[list[str] | None, typer.Option(
        "--witness", help="A witness key (name+id+base64, type 0x04) that counts; repeat.")] = None,
    quorum: Annotated[int, typer.Option(
        "--quorum", help="How many of the --witness keys must have cosigned (default: all of them).")] = 0,
    skip_pdf: Annotated[bool, typer.Option("--skip-pdf", help="Do not fetch and read the PDF reports "
                                           "(their figures are also in the JSON and CSV checked).")] = False,
) -> None:
    """Check the latest checkpoint, its consistency with every checkpoint seen, and every published
    figure (reports, statistics JSON and CSV, PDF) against the leaves of the latest log."""
    # reason: start-up time: the command line loads only what the command it runs needs
    from lawdesk.transparency.witness import WitnessError, parse_witness_key

    try:
        witnesses = [parse_witness_key(w) for w in witness or []]
    except WitnessError as exc:
        _fail([Message("--witness: %(error)s", error=exc)], EXIT_MISMATCH)
    try:
        source = open_source(url_or_dir)
        if skip_pdf and isinstance(source, HttpSource | DirSource):
            source.with_pdf = False
        outcome = verify_log(source, state=State(state_dir), key=key, witnesses=witnesses, quorum=quorum)
    except SourceError as exc:
        _fail([Message(gettext_noop("cannot read the log: %(error)s"), error=exc)], EXIT_UNREADABLE)
    except note.NoteError as exc:
        _fail([Message(gettext_noop("key: %(error)s"), error=exc)], EXIT_MISMATCH)
    except VerifyError as exc:
        _fail(exc.problems, EXIT_MISMATCH)
    for line in outcome.notes:
        _ok(line)
    typer.echo(environment_catalogue().gettext("VERIFIED %(origin)s at size %(size)s")
               % {"origin": outcome.origin, "size": outcome.size})


@app.command("verify-receipt")
def verify_receipt_command(
    receipt_file: Annotated[Path, typer.Argument(help="The receipt JSON given with a closed case.")],
    state_dir: StateDir = DEFAULT_STATE_DIR,
    key: KeyOpt = None,
    log: Annotated[str | None, typer.Option("--log", help="Also verify the platform's public log "
                                            "(URL or export directory) and that it holds this leaf.")] = None,
    keys: Annotated[str | None, typer.Option("--keys", help="The platform's key list (URL or file): also "
                                             "check the receipt key's signature.")] = None,
) -> None:
    """Check that a closed case's leaf is in the signed log and commits to that case."""
    try:
        receipt = json.loads(receipt_file.read_text("utf-8"))
        claimed = note.parse_verifier_key(receipt["verifier_key"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        _fail([Message(gettext_noop("cannot read the receipt: %(error)s"), error=exc)], EXIT_UNREADABLE)
    _ = environment_catalogue().gettext  # the language of the command line (LANG), decision 0020
    pinned = State(state_dir).pinned_key(claimed.name)
    trusted = key or pinned
    if trusted is None:
        typer.echo(_("warning: no pinned key for this log; trusting the receipt's own key. Run "
                     "`lawdesk transparency verify` on the platform's log first, or pass --key."), err=True)
        trusted = claimed.encode()
    if keys is not None:
        # reason: start-up time: the command line loads only what the command it runs needs
        from lawdesk.evidence import keylist

        try:
            signer = keylist.check_receipt_signature(receipt, keylist.load(keys))
        except keylist.Failure as exc:
            _fail([exc.said(environment_catalogue())], EXIT_MISMATCH)
        _ok(Message(gettext_noop("signed by the platform's receipt key %(key)s (%(period)s)"),
                    key=signer.fingerprint, period=signer.period()))
    try:
        leaf = verify_receipt(receipt, note.parse_verifier_key(trusted))
        if log is not None:
            source = open_source(log)
            outcome = verify_log(source, state=State(state_dir), key=trusted)
            receipt_in_log(receipt, outcome, source)
            _ok(Message(gettext_noop("the public log (%(size)s leaves, verified) holds this leaf"),
                        size=outcome.size))
    except SourceError as exc:
        _fail([Message(gettext_noop("cannot read the log: %(error)s"), error=exc)], EXIT_UNREADABLE)
    except (VerifyError, note.NoteError) as exc:
        _fail(exc.problems if isinstance(exc, VerifyError) else [str(exc)], EXIT_MISMATCH)
    typer.echo(_("VERIFIED: case %(case)s is leaf %(index)s of %(log)s (%(period)s %(country)s %(kind)s "
                 "%(outcome)s, %(accounts)s accounts)") % {
        "case": receipt["case_ref"], "index": receipt["leaf_index"], "log": claimed.name,
        "period": leaf.period, "country": leaf.country, "kind": leaf.kind, "outcome": leaf.outcome,
        "accounts": leaf.accounts_affected})


@app.command("status")
def status() -> None:
    """Show the log's size, latest checkpoint, unsigned leaves and missing triggers (platform side)."""
    _django_setup()
    # reason: start-up time: the command line loads only what the command it runs needs
    from lawdesk.transparency.services import status as log_status

    info = log_status()
    for name, value in info.items():
        typer.echo(f"{name}: {value}")
    if info["missing_triggers"]:
        _fail([f"append-only triggers missing: {', '.join(info['missing_triggers'])}"], EXIT_MISMATCH)


@app.command("rebuild")
def rebuild(
    check: Annotated[bool, typer.Option("--check", help="Only compare; change nothing.")] = False,
) -> None:
    """Recompute the report counts from the cases (one transaction) and report any difference."""
    _django_setup()
    # reason: start-up time: the command line loads only what the command it runs needs
    from lawdesk.transparency.counts import rebuild as rebuild_counts

    problems = rebuild_counts(write=not check)
    for line in problems:
        typer.echo(f"differs: {line}")
    if not problems:
        typer.echo("The count tables agree with the cases.")
    elif check:
        raise typer.Exit(EXIT_MISMATCH)
    else:
        typer.echo(f"Rebuilt: {len(problems)} difference(s) corrected.")


@app.command("publish")
def publish() -> None:
    """Sign a checkpoint of the log as it is now (the platform side)."""
    _django_setup()
    # reason: start-up time: the command line loads only what the command it runs needs
    from lawdesk.core.clock import utcnow
    from lawdesk.transparency.cosign import cosigned_note, witness_latest
    from lawdesk.transparency.services import origin, publish_checkpoint

    checkpoint = publish_checkpoint(now=utcnow())
    cosigned = witness_latest(now=utcnow())
    typer.echo(cosigned_note(origin(), checkpoint.size, checkpoint.note_text), nl=False)
    for name, count in cosigned.items():
        typer.echo(f"{name}: {count} witness cosignature(s)", err=True)


@app.command("eu-report")
def eu_report(
    which: Annotated[str, typer.Argument(help="orders: the IR 2024/2835 \"Member States orders\" sheet; "
                                         "tco: the TCO Art. 7 transparency report.")],
    period: Annotated[str, typer.Option("--period", help="A year (2026), half-year (2026-H2) or "
                                        "quarter (2026-Q4).")],
    fmt: Annotated[str, typer.Option("--format", help="json, csv or xlsx.")] = "csv",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write (default: "
                                                "standard output; required for xlsx).")] = None,
) -> None:
    """Write an EU reporting template of a period, computed from the leaves under the latest
    checkpoint (the platform side; `verify` recomputes the published ones)."""
    _django_setup()
    # reason: start-up time: the command line loads only what the command it runs needs
    from lawdesk.transparency import eu_publication
    from lawdesk.transparency.report import ReportError

    if which not in eu_publication.TEMPLATES:
        _fail([Message(gettext_noop("which: choose %(choices)s, not %(given)s"),
                       choices=" or ".join(eu_publication.TEMPLATES), given=repr(which))], EXIT_UNREADABLE)
    if fmt not in eu_publication.FORMATS:
        _fail([Message(gettext_noop("--format: choose %(choices)s, not %(given)s"),
                       choices=", ".join(eu_publication.FORMATS), given=repr(fmt))], EXIT_UNREADABLE)
    if fmt == "xlsx" and output is None:
        _fail([Message(gettext_noop("--output: a workbook is written to a file"))], EXIT_UNREADABLE)
    try:
        doc = eu_publication.for_desk(which, period)
    except ReportError as exc:
        _fail([Message("--period: %(error)s", error=exc)], EXIT_UNREADABLE)
    if doc is None:
        _fail([_NOTHING_PUBLISHED], EXIT_UNREADABLE)
        return
    data = eu_publication.render(which, doc, fmt)
    if output is None:
        typer.echo(data.decode("utf-8"), nl=False)
    else:
        output.write_bytes(data)
        typer.echo(environment_catalogue().gettext("Wrote %(file)s (%(which)s, %(period)s, checkpoint "
                                                   "%(size)s leaves)") % {
            "file": output, "which": which, "period": period, "size": doc["checkpoint"]["size"]}, err=True)


@app.command("export")
def export(directory: Annotated[Path, typer.Argument(help="Directory to write (created).")]) -> None:
    """Write the latest checkpoint, key, leaves and reports as files for offline verification."""
    _django_setup()
    # reason: start-up time: the command line loads only what the command it runs needs
    from lawdesk.transparency.export import export_log

    checkpoint = export_log(directory)
    if checkpoint is None:
        _fail([_NOTHING_PUBLISHED], EXIT_UNREADABLE)
    else:
        typer.echo(f"Exported {checkpoint.size} leaves and their checkpoint to {directory}")
