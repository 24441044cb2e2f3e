"""The demo seed: everything a new user needs, and nothing duplicated on a second run."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pyotp
import pytest

from lawdesk.accounts.models import Agency, Officer, StaffMember, User
from lawdesk.audit.models import Event
from lawdesk.audit.verify import verify_chain
from lawdesk.cases.models import Case
from lawdesk.demo.seed import USERS, seed, totp_secret

pytestmark = pytest.mark.django_db


def _counts():
    return (User.objects.count(), Agency.objects.count(), Officer.objects.count(),
            StaffMember.objects.count(), Case.objects.count(), Event.objects.count())


def test_seed_twice_creates_everything_once(now):
    # The 2024 history (953 closed cases) is seeded, twice, in tests/transparency.
    seed(now, with_history=False)
    first = _counts()
    seed(now, with_history=False)
    assert _counts() == first
    assert first[1] == 2 and first[2] == 2
    assert Case.objects.count() == 4
    assert verify_chain().intact


def test_every_demo_user_has_a_working_totp_and_the_right_role(now):
    from lawdesk.core.permissions import roles_of

    seed(now, with_cases=False)
    for spec in USERS:
        user = User.objects.get(email=spec.email)
        assert len(pyotp.TOTP(totp_secret(user)).now()) == 6
        assert spec.role in roles_of(user)
    agencies = {a.name: a for a in Agency.objects.all()}
    ofmin = agencies["Office mineurs (OFMIN) — Police nationale"]
    assert ofmin.status == "active" and ofmin.callback_phone and ofmin.verified_domains()
    assert agencies["Parquet de Paris — section J3 cybercriminalité"].kind == "prosecutor"


def test_demo_mail_lists_the_latest_mails_with_their_links(client, settings, tmp_path, make_agency):
    from django.core.mail import send_mail
    from typer.testing import CliRunner

    from lawdesk.cli import app

    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    send_mail("[lawdesk] LD-2026-000001: request received", "See http://x.example/portal/cases/1/",
              "lawdesk@platform.example", ["someone@agency.example"])
    agency = make_agency(domain="police.example")
    password = "Tr0mbone-quietly-9"
    client.post("/accounts/signup/", {
        "full_name": "Camille Petit", "email": "camille@police.example", "agency": agency.pk,
        "title": "Brigadier", "supervisor_name": "Chef Durand",
        "supervisor_email": "durand@police.example", "password1": password, "password2": password})

    result = CliRunner().invoke(app, ["demo", "mail", "--count", "5"])

    assert result.exit_code == 0, result.output
    blocks = result.output.split("\n\n")
    assert "to camille@police.example  (address verification)" in blocks[0]
    link = re.search(r"→ (http://testserver/accounts/confirm-email/\S+/)$", blocks[0], re.M)
    assert link, blocks[0]
    assert client.get(link.group(1)).status_code == 200  # the link is whole: it works
    assert "request received" in blocks[1] and "→ http://x.example/portal/cases/1/" in blocks[1]
    only = CliRunner().invoke(app, ["demo", "mail", "--to", "someone@"]).output
    assert "camille" not in only and "request received" in only


def test_a_demo_run_writes_nothing_in_the_home_folder(tmp_path, platform_data):
    from tests.support import fresh_database

    home, data = tmp_path / "home", tmp_path / "lawdesk-home"
    home.mkdir()
    with fresh_database(data, "lawdesk_demo_home") as db_url:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "MPLCONFIG"))}
        env |= {"HOME": str(home), "LAWDESK_HOME": str(data), "DATABASE_URL": db_url,
                "LAWDESK_PLATFORM_DIR": str(platform_data), "LAWDESK_MODE": "test",
                "LAWDESK_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                "DJANGO_SETTINGS_MODULE": "lawdesk.settings"}
        env.pop("LAWDESK_EMAIL_DIR", None)

        def lawdesk(*args: str) -> subprocess.CompletedProcess[str]:
            done = subprocess.run([sys.executable, "-m", "lawdesk", *args], env=env, cwd=tmp_path,
                                  capture_output=True, text=True, timeout=300, check=False)
            assert done.returncode == 0, done.stdout + done.stderr
            return done

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        up = subprocess.Popen([sys.executable, "-m", "lawdesk", "up", "--no-seed", "--port",
                               str(port)], env=env, cwd=tmp_path, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
        try:
            lines = []
            for line in up.stdout:  # until the summary is printed
                lines.append(line)
                if "mail it sends" in line:
                    break
            summary = "".join(lines)
            assert f"lawdesk is running at http://127.0.0.1:{port}/" in summary, summary
            assert f"{data}  (LAWDESK_HOME)" in summary
            assert "Booting worker" not in summary and "GET /" not in summary  # logs go to files
            lawdesk("demo", "seed", "--no-cases")
            lawdesk("transparency", "publish")  # a checkpoint for the verifier to check
            base = f"http://127.0.0.1:{port}"
            for path in ("/accounts/login/", "/favicon.ico", "/transparency/",
                         "/transparency/report.pdf"):
                with urllib.request.urlopen(base + path, timeout=30) as answer:
                    assert answer.status == 200
            lawdesk("transparency", "verify", base + "/transparency/")
            lawdesk("demo", "mail")
        finally:
            up.terminate()
            up.wait(timeout=30)
    assert sorted(str(p.relative_to(home)) for p in home.rglob("*")) == []
    assert (data / "log" / "web.log").stat().st_size > 0
    assert (data / "transparency-verifier").is_dir()


@pytest.mark.parametrize("succeeds", [True, False])
def test_installs_print_one_line_and_keep_pip_output_in_a_log(tmp_path, succeeds):
    script = Path(__file__).resolve().parent.parent / "scripts" / "pip-install.sh"
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    pip = venv / "bin" / "pip"
    # A pip that behaves like one on a machine whose pip configuration names missing indexes.
    pip.write_text("#!/bin/sh\nfor i in $(seq 1 200); do\n"
                   "  echo \"WARNING: Location 'file:///opt/pypi/simple/pkg$i/' is ignored\" >&2\n"
                   f"done\nexit {0 if succeeds else 1}\n")
    pip.chmod(0o755)
    env = {**os.environ, "LAWDESK_HOME": str(tmp_path / "var")}

    done = subprocess.run([str(script), str(venv), "lawdesk", "-e", "."], env=env,
                          capture_output=True, text=True, timeout=60, check=False)

    log = tmp_path / "var" / "log" / "install.log"
    assert log.read_text().count("is ignored") == 200
    if succeeds:
        assert done.returncode == 0
        assert done.stdout.splitlines() == [f"Installed lawdesk into {venv} (pip's output: {log})"]
        assert done.stderr == ""
    else:
        assert done.returncode == 1
        assert "Installing lawdesk failed" in done.stderr
        assert done.stderr.count("is ignored") == 40  # the end of the log, not all of it
