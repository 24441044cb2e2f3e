"""``lawdesk verify``: check an evidence package on the recipient's own machine (no Django)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from lawdesk.evidence import keylist
from lawdesk.evidence.verify import Failure, Report, Status, verify_package

EXIT_FAILED = 1
EXIT_UNTRUSTED_KEY = 3  # 2 is Typer's usage error
_EXIT = {Status.VERIFIED: 0, Status.FAILED: EXIT_FAILED, Status.UNTRUSTED_KEY: EXIT_UNTRUSTED_KEY}


def _print_report(r: Report) -> None:
    echo = typer.echo
    echo(f"Package:        {r.package}" + ("  (age-encrypted, decrypted)" if r.encrypted else ""))
    if r.bag_name:
        echo(f"Bag:            {r.bag_name} (BagIt {r.bagit_version})")
    if r.bag_info:
        echo(f"Case:           {r.first('Lawdesk-Case-Number') or r.first('External-Identifier')}")
        echo(f"Authority:      {r.first('Lawdesk-Authority')} ({r.first('Lawdesk-Authority-Country')})")
        echo(f"Instrument:     {r.first('Lawdesk-Instrument-Type')} {r.first('Lawdesk-Instrument-Reference')}"
             f" of {r.first('Lawdesk-Instrument-Date')}")
        echo(f"Produced:       {r.first('Lawdesk-Produced-At')} by {r.first('Lawdesk-Producer')}, "
             f"{r.first('Lawdesk-Platform')}")
    if r.signature_valid:
        echo(f"Signature:      Ed25519 over tagmanifest-sha256.txt: valid, key {r.key_fingerprint} "
             f"({r.key_source})")
    if r.key_validity:
        echo(f"Key validity:   {r.key_validity}")
    if r.tag_manifests:
        echo(f"Tag manifests:  {', '.join(r.tag_manifests)}: {r.tag_files} tag files match")
    if r.manifests:
        oxum = "; Payload-Oxum matches" if r.failure is None else ""
        echo(f"Payload:        {r.payload_files} files, {r.payload_bytes:,} bytes; "
             f"{' and '.join(r.manifests)} manifests match; no file missing or extra{oxum}")


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
    pem = None
    if public_key is not None:
        try:
            pem = public_key.read_bytes()
        except OSError as exc:
            typer.echo(f"FAILED: {Failure(str(public_key), f'cannot read ({exc.strerror})')}", err=True)
            raise typer.Exit(EXIT_FAILED) from None
    key_list = None
    if keys is not None:
        try:
            key_list = keylist.load(keys)
        except Failure as exc:
            typer.echo(f"FAILED: {exc}", err=True)
            raise typer.Exit(EXIT_FAILED) from None
    report = verify_package(package, identity=identity, public_key_pem=pem, trusted_fingerprint=fingerprint,
                            key_list=key_list)
    if as_json:
        typer.echo(json.dumps(report.as_dict(), indent=2))
        raise typer.Exit(_EXIT[report.status])
    _print_report(report)
    if files:
        _print_files(report)
    if report.status is Status.FAILED:
        typer.echo(f"FAILED: {report.failure}", err=True)
        raise typer.Exit(EXIT_FAILED)
    if report.status is Status.UNTRUSTED_KEY:
        typer.echo(
            f"INTACT, ORIGIN NOT CONFIRMED: the package is complete and signed by the key it carries, "
            f"fingerprint {report.key_fingerprint}.\nAnyone can put a key in a package. Compare this "
            f"fingerprint with the one the platform publishes, or run again with --public-key "
            f"PLATFORM_KEY.pem (or --fingerprint SHA256:…).")
        raise typer.Exit(EXIT_UNTRUSTED_KEY)
    if report.key_validity:
        typer.echo(f"VERIFIED: intact and signed by the platform's package key {report.key_fingerprint}, "
                   f"which was valid when the package was signed.")
        return
    typer.echo(f"VERIFIED: intact and signed by the platform key {report.key_fingerprint}.")
