"""ApiToken moved from cases to api (migrations cases/0008, api/0002) without touching a row:
tokens issued before the move still authenticate after it, and migrating back and forth keeps
the table as it was."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from lawdesk.api import tokens
from lawdesk.audit import triggers as audit_triggers
from lawdesk.transparency import triggers as log_triggers

BEFORE = [("cases", "0007_decision_stored_once"), ("api", "0001_idempotent_answer")]


@pytest.fixture(scope="module", autouse=True)
def _append_only_again(django_db_blocker):
    """Migrating needs a real transaction, whose end empties the tables (a flush the
    append-only triggers refuse): the test drops them, and they are back for later tests."""
    yield
    with django_db_blocker.unblock():
        audit_triggers.install(connection)
        audit_triggers.install_anchor_triggers(connection)
        log_triggers.install(connection)


def _migrate(targets=None):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _rows():
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, officer_id, name, prefix, token_hash, created_at, last_used_at, "
                       "expires_at, revoked_at FROM cases_api_token ORDER BY id")
        return cursor.fetchall()


@pytest.mark.django_db(transaction=True)
def test_tokens_from_before_the_move_still_authenticate(chain_head, officer, now):
    try:
        _, issued = tokens.create_token(officer_user=officer, name="RMS connector", now=now)
        try:
            old = _migrate(BEFORE)
            # Before the move the model is cases' and the same row is there.
            OldToken = old.get_model("cases", "ApiToken")
            assert OldToken._meta.db_table == "cases_api_token"
            assert OldToken.objects.get().name == "RMS connector"
            # A token written while the model still lived in cases.
            plaintext = "ld_0123abcd_" + "A" * 43
            OldToken.objects.create(officer_id=officer.officer.pk, name="old system",
                                    prefix="ld_0123abcd",
                                    token_hash=hashlib.sha256(plaintext.encode()).hexdigest(),
                                    created_at=now, expires_at=now + timedelta(days=30))
            before = _rows()
        finally:
            new = _migrate()
        assert _rows() == before
        with pytest.raises(LookupError):
            new.get_model("cases", "ApiToken")
        assert new.get_model("api", "ApiToken")._meta.db_table == "cases_api_token"
        assert tokens.authenticate(plaintext, now=now) == officer
        assert tokens.authenticate(issued, now=now) == officer
        assert tokens.authenticate(plaintext, now=now + timedelta(days=31)) is None  # expiry kept
    finally:
        audit_triggers.drop(connection)  # the flush after a transactional test deletes every row
        audit_triggers.drop_anchor_triggers(connection)
        log_triggers.drop(connection)
