"""Shared fixtures: real database (SQLite or PostgreSQL from DATABASE_URL), real objects."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from itertools import count

import pytest

from tests import factories
from tests.factories import ApiClient, enrol_totp, payload, pdf

_seq = count(1)


def pytest_sessionstart(session: pytest.Session) -> None:
    """The translation catalogues compiled (`make test` does it too; this covers a bare pytest)."""
    import subprocess
    from pathlib import Path

    script = Path(__file__).resolve().parent.parent / "scripts" / "compile-messages.sh"
    subprocess.run([str(script)], check=True)


@pytest.fixture
def chain_head(transactional_db) -> None:
    """The audit chain's head row as migrations seed it. A transactional test (one that
    migrates) starts on whatever the previous one left: after its flush, an empty table."""
    from lawdesk.audit.hashing import GENESIS_HASH
    from lawdesk.audit.models import ChainHead

    ChainHead.objects.get_or_create(id=1, defaults={"seq": 0, "hash": GENESIS_HASH})


@pytest.fixture
def now() -> datetime:
    return datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


@pytest.fixture
def make_staff(db, now) -> Callable[..., object]:
    """Create a staff member with roles (and, by default, an enrolled TOTP)."""
    from lawdesk.accounts.services import create_staff_member

    def make(*roles: str, email: str | None = None, totp: bool = True, password: str = "correct horse battery 9"):
        staff = create_staff_member(actor=None, now=now, email=email or f"staff{next(_seq)}@platform.example",
                                    full_name="Staff Person", roles=list(roles) or ["reviewer"],
                                    password=password)
        from allauth.account.models import EmailAddress

        EmailAddress.objects.create(user=staff.user, email=staff.user.email, verified=True, primary=True)
        if totp:
            enrol_totp(staff.user)
        return staff.user

    return make


@pytest.fixture
def admin_user(make_staff):
    return make_staff("admin", email="root-admin@platform.example")


@pytest.fixture
def second_admin(make_staff):
    """Another administrator: trust-anchor changes need two."""
    return make_staff("admin", email="second-admin@platform.example")


@pytest.fixture
def make_agency(db, now, admin_user, second_admin) -> Callable[..., object]:
    """Create an active agency with one verified domain and a call-back number."""
    from lawdesk.accounts import services

    def make(name: str | None = None, domain: str | None = None, country: str = "FR",
             kind: str = "police", status: str = "active"):
        n = next(_seq)
        agency = services.create_agency(actor=admin_user, now=now, name=name or f"Agency {n}",
                                        country=country, kind=kind)
        for change in (
            services.propose_domain(actor=admin_user, now=now, agency=agency,
                                    domain=domain or f"agency{n}.example", note="DNS TXT checked"),
            services.propose_callback_number(actor=admin_user, now=now, agency=agency,
                                             phone="+33 1 99 00 00 01", source="Official directory"),
        ):
            services.approve_anchor_change(actor=second_admin, now=now, change=change)
        if status != "pending":
            services.set_agency_status(actor=admin_user, now=now, agency=agency, status="active",
                                       reason="verified")
        if status == "suspended":
            services.set_agency_status(actor=admin_user, now=now, agency=agency, status="suspended",
                                       reason="compromised mailbox")
        agency.refresh_from_db()
        return agency

    return make


@pytest.fixture
def make_officer(db, now, admin_user) -> Callable[..., object]:
    """Create an officer of ``agency`` with a verified e-mail, approved unless told otherwise."""
    from allauth.account.models import EmailAddress

    from lawdesk.accounts import services
    from lawdesk.accounts.models import User

    def make(agency, *, local: str | None = None, approve: bool = True, totp: bool = True,
             password: str = "correct horse battery 9"):
        domain = agency.verified_domains()[0]
        email = f"{local or f'officer{next(_seq)}'}@{domain}"
        user = User.objects.create_user(email=email, password=password, full_name="Officer Person")
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        officer = services.register_officer(user=user, agency=agency, title="Lieutenant",
                                            supervisor_name="Chief", now=now,
                                            supervisor_email=f"chief{next(_seq)}@{domain}")
        if approve:
            services.answer_for_supervisor(officer=officer, confirmed=True, now=now)
            services.decide_officer(actor=admin_user, now=now, officer=officer, status="active",
                                    reason="Supervisor confirmed; agency called back")
        if totp:
            enrol_totp(user)
        return User.objects.get(pk=user.pk)

    return make


# --- A requesting agency, its officer, the desk's two pairs of eyes, a request, the API ------

@pytest.fixture
def agency(make_agency):
    return make_agency(name="Parquet de Paris J3", kind="prosecutor", country="FR",
                       domain="justice.example")


@pytest.fixture
def officer(agency, make_officer):
    return make_officer(agency)


@pytest.fixture
def reviewer(make_staff):
    return make_staff("reviewer", email="reviewer@platform.example")


@pytest.fixture
def approver(make_staff):
    return make_staff("approver", email="approver@platform.example")


@pytest.fixture
def submit(officer, now):
    from lawdesk.cases.submission import submit_request

    def go(actor=None, at=None, uploads=None, **overrides):
        return submit_request(actor=actor or officer, now=at or now, payload=payload(**overrides),
                              uploads=[pdf()] if uploads is None else uploads)

    return go


@pytest.fixture
def token(officer, now) -> str:
    from lawdesk.api.tokens import create_token

    _, plaintext = create_token(officer_user=officer, name="case system", now=now)
    return plaintext


@pytest.fixture
def api(token) -> ApiClient:
    return ApiClient(token)


@pytest.fixture
def anon() -> ApiClient:
    return ApiClient(None)


@pytest.fixture(scope="session")
def platform_data(tmp_path_factory):
    """A small synthetic platform (with the documented demo accounts), generated once."""
    from lawdesk.platform.generator import generate

    return generate(tmp_path_factory.mktemp("platform") / "data", accounts=1_500,
                    events=60_000, messages=20_000, seed=20240824)


@pytest.fixture
def platform(platform_data, settings):
    """Point lawdesk's connector at the generated platform for one test."""
    from lawdesk.collection import collector

    settings.LAWDESK_PLATFORM_DIR = str(platform_data)
    collector.connector.cache_clear()
    import shutil

    def forget_earlier_state() -> None:
        # Holds, notices and content measures are files in the session's shared dataset: a
        # test's measures would otherwise hide messages from later tests and the live server.
        for name in ("holds.json", "content_measures.json", "content_measures.jsonl"):
            (platform_data / name).unlink(missing_ok=True)
        shutil.rmtree(platform_data / "outbox", ignore_errors=True)

    forget_earlier_state()
    yield platform_data
    forget_earlier_state()
    collector.connector.cache_clear()



@pytest.fixture(scope="module")
def _append_only_at_module_end(django_db_blocker):
    yield
    from django.db import connection

    from lawdesk.audit import triggers as audit_triggers
    from lawdesk.transparency import triggers as log_triggers

    with django_db_blocker.unblock():
        audit_triggers.install(connection)
        audit_triggers.install_anchor_triggers(connection)
        log_triggers.install(connection)


@pytest.fixture
def flushable(chain_head, _append_only_at_module_end, django_db_blocker):
    """For a test with real transactions (``django_db(transaction=True)``), in a module of its
    own: the test's end empties the tables, a flush the append-only triggers refuse. They are
    dropped after the test and installed again when its module ends."""
    yield
    from django.db import connection

    from lawdesk.audit import triggers as audit_triggers
    from lawdesk.transparency import triggers as log_triggers

    with django_db_blocker.unblock():
        audit_triggers.drop(connection)
        audit_triggers.drop_anchor_triggers(connection)
        log_triggers.drop(connection)


# Removal orders name messages of the synthetic platform's demo channel (tests/removal, and
# take-downs over HI-1 in tests/interop).
@pytest.fixture
def removal_platform(platform):
    from lawdesk.removal import services

    for name in ("content_measures.json", "content_measures.jsonl"):
        (platform / name).unlink(missing_ok=True)
    services._connector.cache_clear()
    yield platform
    services._connector.cache_clear()


@pytest.fixture
def channel_messages(removal_platform) -> list:
    from lawdesk.removal.services import connector

    conn = connector()
    out: list = []
    for year in (2024, 2025, 2026):
        window = conn.window(f"{year}-01-01T00:00:00Z", f"{year}-12-31T00:00:00Z")
        out += list(conn.content(window, chat_ids=[factories.CHANNEL]))
    assert len(out) >= 2, "the demo channel needs two messages"
    return out
