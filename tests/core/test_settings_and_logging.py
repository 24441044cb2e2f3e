"""Production mode refuses unsafe settings; secrets never reach the logs; the demo's secrets
are generated, not shipped."""

from __future__ import annotations

import logging
import os
import subprocess
import sys

import pytest

from lawdesk.core.logging import RedactSecretsFilter, redact


def _settings_error(tmp_path, **env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("LAWDESK_", "DATABASE_URL"))}
    result = subprocess.run(
        [sys.executable, "-c", "import lawdesk.settings"],
        env={**clean, "LAWDESK_HOME": str(tmp_path), **env},
        capture_output=True, text=True, check=False)
    return result.stderr


GOOD = {"LAWDESK_MODE": "production", "LAWDESK_SECRET_KEY": "k" * 50,
        "LAWDESK_FIELD_KEY": "f" * 40, "DATABASE_URL": "postgres://u:p@db/lawdesk",
        "LAWDESK_ALLOWED_HOSTS": "lawdesk.platform.example",
        "LAWDESK_CUSTODIAN_NAME": "Riley Chen", "LAWDESK_CUSTODIAN_TITLE": "Custodian of records"}


@pytest.mark.parametrize(("override", "message"), [
    ({"LAWDESK_SECRET_KEY": "changeme"}, "LAWDESK_SECRET_KEY"),
    ({"LAWDESK_SECRET_KEY": ""}, "LAWDESK_SECRET_KEY"),
    ({"LAWDESK_DEBUG": "1"}, "LAWDESK_DEBUG"),
    ({"LAWDESK_FIELD_KEY": "short"}, "LAWDESK_FIELD_KEY"),
    ({"LAWDESK_ALLOWED_HOSTS": ""}, "LAWDESK_ALLOWED_HOSTS"),
    ({"LAWDESK_CUSTODIAN_NAME": ""}, "LAWDESK_CUSTODIAN_NAME"),
])
def test_production_refuses_unsafe_settings(tmp_path, override, message):
    env = {**GOOD, **override}
    assert message in _settings_error(tmp_path, **{k: v for k, v in env.items()})


def test_production_with_proper_settings_starts_and_uses_tls_cookies(tmp_path):
    code = ("import lawdesk.settings as s; assert s.SESSION_COOKIE_SECURE and s.CSRF_COOKIE_SECURE "
            "and s.SECURE_HSTS_SECONDS > 0 and not s.DEBUG")
    clean = {k: v for k, v in os.environ.items() if not k.startswith("LAWDESK_")}
    result = subprocess.run([sys.executable, "-c", code],
                            env={**clean, "LAWDESK_HOME": str(tmp_path), **GOOD},
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_embedded_mode_generates_private_secrets(tmp_path):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("LAWDESK_")}
    subprocess.run([sys.executable, "-c", "import lawdesk.settings"], check=True,
                   env={**clean, "LAWDESK_HOME": str(tmp_path), "LAWDESK_MODE": "embedded"})
    for name in ("secret_key", "field_key"):
        path = tmp_path / name
        assert len(path.read_text()) >= 40
        assert path.stat().st_mode & 0o077 == 0  # readable by the owner only


@pytest.mark.parametrize("line", [
    "login password=hunter2-secret for user",
    "{'code': '123456', 'login': 'x@y'}",
    'Authorization: Bearer ld_abcd1234_SECRETSECRET',
    "totp_secret=JBSWY3DPEHPK3PXP",
])
def test_secrets_are_redacted_from_log_lines(line):
    cleaned = redact(line)
    for secret in ("hunter2-secret", "123456", "SECRETSECRET", "JBSWY3DPEHPK3PXP"):
        assert secret not in cleaned
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "%s", (line,), None)
    RedactSecretsFilter().filter(record)
    assert "[redacted]" in record.getMessage()
