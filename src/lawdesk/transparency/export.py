"""Write the public log to a directory that ``lawdesk transparency verify DIR`` checks offline."""

from __future__ import annotations

import json
from pathlib import Path

from lawdesk.core import keys
from lawdesk.transparency import selectors, services
from lawdesk.transparency.models import Checkpoint


def export_log(directory: Path) -> Checkpoint | None:
    """Export the latest checkpoint, the key, its leaves and one report per year and country.

    The same files the server publishes, and nothing else: no case reference, no salt.
    Returns the exported checkpoint, or None (and writes nothing) before the first one.
    """
    checkpoint = services.latest_checkpoint()
    if checkpoint is None:
        return None
    (directory / "reports").mkdir(parents=True, exist_ok=True)
    from lawdesk.audit import anchors
    from lawdesk.transparency.cosign import cosigned_note

    (directory / "checkpoint").write_text(cosigned_note(services.origin(), checkpoint.size,
                                                        checkpoint.note_text), "utf-8")
    (directory / "key").write_text(services.verifier().encode() + "\n", "utf-8")
    (directory / "key.pem").write_bytes(keys.public_key_pem("checkpoint"))
    leaves = selectors.leaf_data(0, checkpoint.size)
    (directory / "leaves.json").write_text(
        json.dumps({"tree_size": checkpoint.size, "leaves": leaves}, indent=0), "utf-8")
    for period, country in selectors.report_scopes(checkpoint):
        report = selectors.report_for(period, country, checkpoint)
        (directory / "reports" / f"{period}-{country}.json").write_text(json.dumps(report, indent=1), "utf-8")
    anchors.export(directory / "anchors")
    return checkpoint
