"""``lawdesk verify``: check an evidence package on the recipient's own machine (no Django)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from lawdesk.evidence import keylist
from lawdesk.evidence.catalogue import Catalogue, environment_catalogue, gettext_noop, say
from lawdesk.evidence.verify import Failure, Report, Status, verify_package

EXIT_FAILED = 1
EXIT_UNTRUSTED_KEY = 3  # 2 is Typer's usage error
_EXIT = {Status.VERIFIED: 0, Status.FAILED: EXIT_FAILED, Status.UNTRUSTED_KEY: EXIT_UNTRUSTED_KEY}


def _print_report(r: Report, cat: Catalogue) -> None:
    _ = cat.gettext
    lines: list[tuple[str, str]] = [(_("Package:"), str(r.package) + (
        "  " + _("(age-encrypted, decrypted)") if r.encrypted else ""))]
    if r.bag_name:
        lines.append((_("Bag:"), f"{r.bag_name} (BagIt {r.bagit_version})"))
    if r.bag_info:
        lines += [
            (_("Case:"), r.first("Lawdesk-Case-Number") or r.first("External-Identifier")),
            (_("Authority:"), f"{r.first('Lawdesk-Authority')} ({r.first('Lawdesk-Authority-Country')})"),
            (_("Instrument:"), _("%(type)s %(reference)s of %(date)s") % {
                "type": r.first("Lawdesk-Instrument-Type"),
                "reference": r.first("Lawdesk-Instrument-Reference"),
                "date": r.first("Lawdesk-Instrument-Date")}),
            (_("Produced:"), _("%(at)s by %(producer)s, %(platform)s") % {
                "at": r.first("Lawdesk-Produced-At"), "producer": r.first("Lawdesk-Producer"),
                "platform": r.first("Lawdesk-Platform")})]
    if r.signature_valid:
        lines.append((_("Signature:"), _("Ed25519 over tagmanifest-sha256.txt: valid, key %(key)s "
                                         "(%(source)s)") % {"key": r.key_fingerprint,
                                                            "source": _(r.key_source)}))
    if r.key_validity:
        lines.append((_("Key validity:"), say(r.key_validity, cat)))
    if r.tag_manifests:
        lines.append((_("Tag manifests:"), _("%(manifests)s: %(count)s tag files match") % {
            "manifests": ", ".join(r.tag_manifests), "count": r.tag_files}))
    if r.manifests:
        payload = _("%(files)s files, %(bytes)s bytes; %(manifests)s manifests match; no file missing "
                    "or extra") % {"files": r.payload_files, "bytes": _count(r.payload_bytes, cat),
                                   "manifests": _both(r.manifests, cat)}
        if r.failure is None:
            payload += _("; Payload-Oxum matches")
        lines.append((_("Payload:"), payload))
    width = max(16, *(len(label) + 2 for label, _value in lines))
    for label, value in lines:
        typer.echo(f"{label:<{width}}{value}")


def _count(n: int, cat: Catalogue) -> str:
    """A count with the thousands separator of the language (1,234 / 1 234)."""
    return f"{n:,}".replace(",", cat.pgettext("thousands separator", ","))


def _both(names: list[str], cat: Catalogue) -> str:
    if len(names) == 2:
        return cat.gettext("%(first)s and %(second)s") % {"first": names[0], "second": names[1]}
    return ", ".join(names)


def _print_files(r: Report) -> None:
    width = max((len(p) for p, _, _ in r.files), default=0)
    for path, size, sha256 in r.files:
        typer.echo(f"  {path:<{width}}  {size:>14,}  {sha256}")


_PACKAGE_HELP = "The package (.zip.age or .zip) or an unpacked bag directory."
_IDENTITY_HELP = "age identity file (from age-keygen) to decrypt a .zip.age package."
_KEY_HELP = "The platform's published Ed25519 public key (PEM), obtained separately."
_FP_HELP = "The platform's published key fingerprint (SHA256:…), instead of --public-key."
_KEYS_HELP = ("The platform's published key list (https://host/.well-known/lawdesk-keys.json, the site's "
              "URL, or a saved copy): accepts a package key that was valid when the package was signed.")
_FILES_HELP = "Also list every payload file with its size and SHA-256 (to compare with the certificate)."
_JSON_HELP = "Print the report as JSON (same exit codes)."


def verify_command(
    package: Annotated[Path, typer.Argument(help=_PACKAGE_HELP)],
    identity: Annotated[Path | None, typer.Option("--identity", "-i", help=_IDENTITY_HELP)] = None,
    public_key: Annotated[Path | None, typer.Option("--public-key", help=_KEY_HELP)] = None,
    fingerprint: Annotated[str | None, typer.Option("--fingerprint", help=_FP_HELP)] = None,
    keys: Annotated[str | None, typer.Option("--keys", help=_KEYS_HELP)] = None,
    files: Annotated[bool, typer.Option("--files", help=_FILES_HELP)] = False,
    as_json: Annotated[bool, typer.Option("--json", help=_JSON_HELP)] = False,
) -> None:
    """Verify an evidence package: decryption, every checksum, and the platform's signature.

    Exit 0: verified against the key you gave (--public-key, --fingerprint, or a package key of
    the --keys list that was valid when the package was signed).

    Exit 1: failed; the first problem is named.

    Exit 3: intact, but signed only by the key inside the package: compare its fingerprint.
    """
    # Human output in the language of the command line (LANG); --json and exit codes never change.
    cat = environment_catalogue()
    _ = cat.gettext
    pem = None
    if public_key is not None:
        try:
            pem = public_key.read_bytes()
        except OSError as exc:
            unreadable = Failure(str(public_key), gettext_noop("cannot read (%(error)s)"),
                                 {"error": exc.strerror})
            typer.echo(_("FAILED: %(failure)s") % {"failure": unreadable.said(cat)}, err=True)
            raise typer.Exit(EXIT_FAILED) from None
    key_list = None
    if keys is not None:
        try:
            key_list = keylist.load(keys)
        except Failure as exc:
            typer.echo(_("FAILED: %(failure)s") % {"failure": exc.said(cat)}, err=True)
            raise typer.Exit(EXIT_FAILED) from None
    report = verify_package(package, identity=identity, public_key_pem=pem, trusted_fingerprint=fingerprint,
                            key_list=key_list)
    if as_json:
        typer.echo(json.dumps(report.as_dict(), indent=2))
        raise typer.Exit(_EXIT[report.status])
    _print_report(report, cat)
    if files:
        _print_files(report)
    if report.status is Status.FAILED:
        typer.echo(_("FAILED: %(failure)s") % {"failure": report.failure_said(cat)}, err=True)
        raise typer.Exit(EXIT_FAILED)
    if report.status is Status.UNTRUSTED_KEY:
        typer.echo(_(
            "INTACT, ORIGIN NOT CONFIRMED: the package is complete and signed by the key it carries, "
            "fingerprint %(key)s.\nAnyone can put a key in a package. Compare this fingerprint with "
            "the one the platform publishes, or run again with --public-key PLATFORM_KEY.pem (or "
            "--fingerprint SHA256:…).") % {"key": report.key_fingerprint})
        raise typer.Exit(EXIT_UNTRUSTED_KEY)
    if report.key_validity:
        typer.echo(_("VERIFIED: intact and signed by the platform's package key %(key)s, which was "
                     "valid when the package was signed.") % {"key": report.key_fingerprint})
        return
    typer.echo(_("VERIFIED: intact and signed by the platform key %(key)s.")
               % {"key": report.key_fingerprint})


# The verifier's names for where the trusted key came from (Report.key_source), for the catalogue.
_KEY_SOURCES = (gettext_noop("public key file"), gettext_noop("fingerprint"),
                gettext_noop("published key list"), gettext_noop("embedded, not trusted"))
