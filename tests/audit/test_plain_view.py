"""The audit trail page says each event in words: no Python dicts, no model keys."""

from __future__ import annotations

import html as htmllib
import re

import pytest
from django.test import Client

from lawdesk.audit.services import record
from tests.factories import login

pytestmark = pytest.mark.django_db


def test_event_details_are_words_not_python(make_staff, now):
    auditor = make_staff("auditor", email="auditor@platform.example")
    record("cases:law:overridden", actor=auditor, target=auditor, now=now,
           params={"number": "LD-2026-000001", "from": "needs_further_process", "to": "allowed",
                   "categories": ["subscriber", "identification"], "package_sha256": "ab" * 32,
                   "records": {"subscriber/phone": 1}, "encrypted": False, "recipient": None})
    client = Client()
    login(client, auditor)
    html = client.get("/desk/audit/").content.decode()
    text = re.sub(r"<code>.*?</code>", "", html, flags=re.S)
    text = htmllib.unescape(re.sub(r"<[^>]+>", " ", text))
    assert "{'" not in htmllib.unescape(html) and "None" not in text and "False" not in text
    assert "needs_further_process" not in text and "accounts.user" not in text
    assert "Law overridden" in text
    assert "needs further process" in text and "subscriber, identification" in text
    assert "Package SHA-256:" in " ".join(text.split())
