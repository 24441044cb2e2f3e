"""Write tests/audit/data/chain_before_issue18.json: a chain made by the pre-issue-18 code.

Run once, before the faster verifier landed (``python -m tests.audit.make_chain_fixture``);
the file is committed and must never be regenerated: it is the evidence that a chain written
by the old code still verifies, with the same hashes, after the change.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

OUT = Path(__file__).parent / "data" / "chain_before_issue18.json"

# Values that exercise the canonical encoder: escapes, non-ASCII, nesting, numbers, nulls.
PARAMS = [
    {},
    {"n": 0, "text": "é ✓"},
    {"quote": 'say "hi"', "backslash": "a\\b", "controls": "tab\tnl\nbell\x07esc\x1b", "del": "\x7f"},
    {"emoji": "👩‍⚖️ 🇫🇷", "sep": "line\u2028para\u2029", "bom": "\ufeff", "zw": "a\u200bb"},
    {"nested": {"z": [3, 2, 1], "a": {"y": None, "b": True, "a": False}}, "list": [{"b": 1, "a": 2}]},
    # Floats PostgreSQL's jsonb gives back as written (1e16 comes back as an integer there, so
    # it is left out: see docs/benchmarks.md, audit section).
    {"floats": [0.1, 1.5, -2.25, 1e-7, 123456789.123, 0.0025], "ints": [0, -1, 2**53, 2**63 - 1]},
    {"big": 2**70, "neg_big": -(2**65)},
    {"Zebra": 1, "apple": 2, "Äpfel": 3, "_x": 4, "10": 5, "9": 6},
    {"page": 3, "filter": "cases:case:"},
    {"reason": "x" * 500, "unicode_keys": {"ключ": "значение", "鍵": "値"}},
    {"date_like": "2026-11-02T09:30:00Z", "decimal_str": "12.50"},
    {"empty": {"list": [], "dict": {}, "str": ""}},
]


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="lawdesk-chain-fixture-"))
    os.environ["LAWDESK_MODE"] = "test"
    os.environ["LAWDESK_HOME"] = str(tmp)
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'db.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lawdesk.settings")
    import django

    django.setup()
    from django.contrib.auth.models import AnonymousUser
    from django.core.management import call_command
    from django.test import RequestFactory

    call_command("migrate", verbosity=0)
    from lawdesk.audit.models import ChainHead, Event
    from lawdesk.audit.services import record
    from lawdesk.core.origin import Origin

    if ChainHead.objects.filter(id=1).first() is None or Event.objects.exists():
        sys.exit("expected an empty chain after migrate")
    factory = RequestFactory()
    base = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
    times = [
        base,                                                   # no microseconds
        base + timedelta(microseconds=1),
        base + timedelta(seconds=59, microseconds=999999),
        datetime(2026, 11, 2, 11, 0, 0, 500000, tzinfo=timezone(timedelta(hours=2))),  # not UTC
        datetime(1999, 12, 31, 23, 59, 59, tzinfo=UTC),
        datetime(2038, 1, 19, 3, 14, 8, 123000, tzinfo=UTC),
    ]
    inputs = []
    for i, params in enumerate(PARAMS * 2):
        at = times[i % len(times)] + timedelta(hours=i)
        kwargs: dict = {"params": params, "now": at}
        req = None
        if i % 3 == 1:
            req = factory.get("/x", REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT="Mozilla/5.0 (X11) é")
            req.user = AnonymousUser()
        elif i % 3 == 2:
            req = factory.get("/x", REMOTE_ADDR="2001:db8::1", HTTP_USER_AGENT="agent/" + "u" * 400)
            req.user = AnonymousUser()
        target_type, target_id = ("cases.case", str(1000 + i)) if i % 2 else ("", "")
        record(f"test:fixture:event{i % 4}", actor=getattr(req, "user", None), origin=Origin.of(req),
               target_type=target_type, target_id=target_id,
               **kwargs)
        inputs.append({"action": f"test:fixture:event{i % 4}", "params": params, "now": at.isoformat(),
                       "target_type": target_type, "target_id": target_id,
                       "request": None if req is None else {"ip": req.META["REMOTE_ADDR"],
                                                            "user_agent": req.META["HTTP_USER_AGENT"]}})
    # Events whose actor is a signed-in user (a snapshot of name, e-mail and roles); they come
    # last so that the events before them can be replayed without the user.
    from lawdesk.accounts.services import create_staff_member

    staff = create_staff_member(actor=None, now=base, email="fixture.admin@platform.example",
                                full_name="Ada Løvelace", roles=["admin", "auditor"],
                                password="correct horse battery 9")
    for k in range(3):
        req = factory.get("/x", REMOTE_ADDR="198.51.100.9", HTTP_USER_AGENT="Firefox")
        req.user = staff.user
        record("test:fixture:by_user", actor=req.user, origin=Origin.from_request(req), params={"k": k, "note": "ü"},
               now=base + timedelta(days=1, microseconds=k))
    rows = [
        {"seq": e.seq, "at": e.at.isoformat(), "actor_id": e.actor_id, "actor": e.actor, "action": e.action,
         "target_type": e.target_type, "target_id": e.target_id, "params": e.params, "ip": e.ip,
         "user_agent": e.user_agent, "prev_hash": e.prev_hash, "hash": e.hash}
        for e in Event.objects.order_by("seq")
    ]
    head = ChainHead.objects.get(id=1)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"inputs": inputs, "rows": rows, "head": {"seq": head.seq, "hash": head.hash}},
                              ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(rows)} events, head {head.hash} -> {OUT}")


if __name__ == "__main__":
    main()
