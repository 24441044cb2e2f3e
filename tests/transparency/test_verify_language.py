"""`lawdesk transparency verify` and `verify-receipt` speak the command line's language (LANG),
as `lawdesk verify` does (decision 0020): a French journalist reads every line in French; the
exit codes and the English output do not move."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from lawdesk.transparency import services
from lawdesk.transparency.cli import app as cli_app
from tests.support import english_phrases
from tests.transparency.test_verify import close, edit_json, export

FRENCH = {"LANG": "fr_FR.UTF-8", "LANGUAGE": None, "LC_ALL": None, "LC_MESSAGES": None}
ENGLISH = {"LANG": "C.UTF-8", "LANGUAGE": None, "LC_ALL": None, "LC_MESSAGES": None}


def _verify(*args: str, env: dict[str, str | None]):
    return CliRunner().invoke(cli_app, list(args), env=env)


def test_a_french_command_line_reads_the_verification_in_french(db, now, tmp_path: Path) -> None:
    close(now, 11)
    services.publish_checkpoint(now=now)
    log_dir = export(tmp_path, "v1")
    state = str(tmp_path / "state-fr")

    done = _verify("verify", str(log_dir), "--state-dir", state, env=FRENCH)
    assert done.exit_code == 0, done.output
    assert "signature valide (première utilisation : clé épinglée)" in done.output
    assert "ok : rapport 2024-FR : chaque nombre concorde avec les feuilles du dernier journal" in done.output
    assert "ok : 11 feuilles donnent la racine signée" in done.output
    assert "tous pays : chaque chiffre des demandes clôturées concorde avec le dernier journal" in done.output
    assert done.output.rstrip().splitlines()[-1].startswith("VÉRIFIÉ ")
    assert english_phrases(done.output) == [], done.output
    assert "VERIFIED" not in done.output and "all countries" not in done.output

    # A figure understated in a published report: the mismatch is named in French, same exit code.
    edit_json(log_dir / "reports" / "2024-DE.json",
              lambda doc: doc["counts"].update(requests=doc["counts"]["requests"] - 2))
    workbook = log_dir / "eu" / "2024-tco-art7.xlsx"
    workbook.write_bytes(workbook.read_bytes() + b"\0")  # an EU template altered too
    bad = _verify("verify", str(log_dir), "--state-dir", state, env=FRENCH)
    assert bad.exit_code == 1, bad.output
    assert ("ÉCHEC : rapport 2024-DE : requests : le rapport indique 3, le dernier journal (11 feuilles) "
            "donne 5 (sous-estimé)") in bad.output
    assert "ÉCHEC : tco-art7.xlsx 2024 : le classeur (SHA-256 " in bad.output
    assert english_phrases(bad.output) == [], bad.output
    english = _verify("verify", str(log_dir), "--state-dir", str(tmp_path / "state-en"), env=ENGLISH)
    assert english.exit_code == 1
    assert ("FAIL: report 2024-DE: requests: the report says 3, the latest log (11 leaves) gives 5 "
            "(understated)") in english.output
    assert english_phrases(english.output)  # the check can fail: English is English

    # Unreadable: exit 2 in both languages.
    missing = _verify("verify", str(tmp_path / "nowhere"), "--state-dir", state, env=FRENCH)
    assert missing.exit_code == 2
    assert "ÉCHEC : impossible de lire le journal : " in missing.output
    assert "n'est ni une URL http(s) ni un répertoire" in missing.output
    assert english_phrases(missing.output) == [], missing.output


def test_a_french_command_line_reads_a_tampered_leaf_in_french(db, now, tmp_path: Path) -> None:
    close(now, 11)
    services.publish_checkpoint(now=now)
    log_dir = export(tmp_path, "v1")

    def lower(doc):
        leaf = json.loads(doc["leaves"][4])
        leaf["accounts_affected"] = 0
        doc["leaves"][4] = json.dumps(leaf, sort_keys=True, separators=(",", ":"))

    edit_json(log_dir / "leaves.json", lower)
    bad = _verify("verify", str(log_dir), "--state-dir", str(tmp_path / "s"), env=FRENCH)
    assert bad.exit_code == 1, bad.output
    assert "les 11 feuilles publiées donnent la racine" in bad.output
    assert "des feuilles ont été modifiées, ajoutées ou supprimées" in bad.output
    assert english_phrases(bad.output) == [], bad.output


def test_a_french_command_line_reads_the_receipt_check_in_french(db, now, tmp_path: Path) -> None:
    close(now, 9)
    services.publish_checkpoint(now=now)
    receipt = services.receipt_for("LD-00006")
    export(tmp_path, "public")
    receipt_file = tmp_path / "receipt.json"
    receipt_file.write_text(json.dumps(receipt))
    args = ("verify-receipt", str(receipt_file), "--log", str(tmp_path / "public"))

    done = _verify(*args, "--state-dir", str(tmp_path / "s-fr"), env=FRENCH)
    assert done.exit_code == 0, done.output
    assert "ok : le journal public (9 feuilles, vérifié) contient cette feuille" in done.output
    assert "VÉRIFIÉ : l'affaire LD-00006 est la feuille 6 de " in done.output
    assert "attention : aucune clé épinglée pour ce journal" in done.output
    assert english_phrases(done.output) == [], done.output
    english = _verify(*args, "--state-dir", str(tmp_path / "s-en"), env=ENGLISH)
    assert english.exit_code == 0
    assert "ok: the public log (9 leaves, verified) holds this leaf" in english.output
    assert "VERIFIED: case LD-00006 is leaf 6 of " in english.output

    forged = {**receipt, "case_ref": "LD-00007"}
    receipt_file.write_text(json.dumps(forged))
    bad = _verify(*args, "--state-dir", str(tmp_path / "s-fr"), env=FRENCH)
    assert bad.exit_code == 1, bad.output
    assert "ÉCHEC : l'engagement de la feuille ne porte pas sur l'affaire LD-00007 avec ce sel" in bad.output
    assert english_phrases(bad.output) == [], bad.output


def test_a_figure_is_grouped_as_the_language_writes_it() -> None:
    from lawdesk.evidence.catalogue import catalogue, say
    from lawdesk.transparency.report import figure_mismatches

    problems = figure_mismatches({"headline.requests": 1200, "headline.refused": {"from": 1, "to": 9}},
                                 {"headline.requests": 1386, "headline.refused": 12}, source="the log gives")
    assert problems == ["headline.refused: the band 1\u20139 does not hold the exact count, the log gives 12 "
                        "(understated)",
                        "headline.requests: the document says 1,200, the log gives 1,386 (understated)"]
    french = [say(p, catalogue("fr")) for p in problems]
    assert french[1] == ("headline.requests : le document indique 1\u202f200, the log gives 1\u202f386 "
                         "(sous-estimé)")
    assert french[0].startswith("headline.refused : la tranche 1\u20139 ne contient pas le nombre exact")

