"""``lawdesk witness``: run a witness for someone else's logs (no Django, no database)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lawdesk.transparency import note, witness

app = typer.Typer(help="A transparency log witness (C2SP tlog-witness).", no_args_is_help=True)


def _load_key(path: Path) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise typer.BadParameter(f"{path} is not an Ed25519 private key", param_hint="--key")
    return key


@app.command("keygen")
def keygen(
    name: Annotated[str, typer.Option("--name", help="The witness's name, e.g. witness.example.org/w1.")],
    out: Annotated[Path, typer.Option("--out", help="Private key file to create (PEM, mode 0600).")],
) -> None:
    """Create a witness key and print its public witness key (give it to the logs' verifiers)."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    typer.echo(witness.WitnessKey(name, raw).encode())


@app.command("serve")
def serve(
    name: Annotated[str, typer.Option("--name", help="The witness's name (as in its public key).")],
    key: Annotated[Path, typer.Option("--key", help="The witness's private key (`lawdesk witness keygen`).")],
    log: Annotated[list[str], typer.Option("--log", help="A log's verifier key (name+id+base64) this "
                                                         "witness cosigns for; repeat.")],
    state: Annotated[Path, typer.Option("--state", help="Directory keeping the last checkpoint per log.")],
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 7380,
) -> None:
    """Serve POST /add-checkpoint: verify signature and consistency, then cosign."""
    try:
        logs = [note.parse_verifier_key(v) for v in log]
    except note.NoteError as exc:
        raise typer.BadParameter(str(exc), param_hint="--log") from None
    w = witness.Witness(name, _load_key(key), logs, witness.WitnessState(state))
    server = witness.make_server(w, host, port)
    typer.echo(f"witness {w.public().encode()} listening on http://{host}:{server.server_port}/ "
               f"for {', '.join(v.name for v in logs)}", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
