"""``python -m lawdesk.evidence PACKAGE …``: the verifier alone.

Needs only cryptography, pyrage and typer — not Django, WeasyPrint or the platform's data
stack — so it runs where just those are installed.
"""

from __future__ import annotations

import typer

from lawdesk.evidence.cli import verify_command


def main() -> None:
    """Run ``verify`` as the only command."""
    typer.run(verify_command)


if __name__ == "__main__":
    main()
