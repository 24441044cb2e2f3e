"""Migration 0007 stores the decision once: no stored decision is lost, old ones still replay."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from lawdesk.audit import triggers as audit_triggers
from lawdesk.cases.models import Case
from lawdesk.law.replay import verify_record
from lawdesk.transparency import triggers as log_triggers

BEFORE = [("cases", "0006_message_thread")]


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
    targets = targets or executor.loader.graph.leaf_nodes()  # None: every migration
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_old_rows_keep_their_decision_and_replay(chain_head, submit):
    try:
        both = submit()  # decided since 0002: the decision in the column and in the record
        only_column = submit(instrument_reference="EPOC-2026-0043")
        stored = dict(both.law_record)
        try:
            old = _migrate(BEFORE)
            OldCase = old.get_model("cases", "Case")
            # Going back puts the decision into its own column again.
            assert OldCase.objects.get(pk=both.pk).decision == stored["decision"]
            # A row analysed before 0002 had the decision in its column only.
            OldCase.objects.filter(pk=only_column.pk).update(law_record={})
            column = OldCase.objects.get(pk=only_column.pk).decision
        finally:
            _migrate()
        both = Case.objects.get(pk=both.pk)
        assert both.law_record == stored
        assert verify_record(both.law_record)
        moved = Case.objects.get(pk=only_column.pk)
        assert moved.law_record == {"decision": column, "ruleset_version": column["ruleset_version"]}
        assert moved.legal is not None and moved.legal.to_dict() == column
    finally:
        audit_triggers.drop(connection)  # the flush after a transactional test deletes every row
        audit_triggers.drop_anchor_triggers(connection)
        log_triggers.drop(connection)
