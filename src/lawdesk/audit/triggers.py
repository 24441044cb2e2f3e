"""Database triggers that make the audit table and the anchor log's tables append-only, on
SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

_SQLITE_INSTALL = [
    """CREATE TRIGGER IF NOT EXISTS audit_event_no_update BEFORE UPDATE ON audit_event
       BEGIN SELECT RAISE(ABORT, 'audit_event is append-only: UPDATE refused'); END""",
    """CREATE TRIGGER IF NOT EXISTS audit_event_no_delete BEFORE DELETE ON audit_event
       BEGIN SELECT RAISE(ABORT, 'audit_event is append-only: DELETE refused'); END""",
]
_SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS audit_event_no_update",
    "DROP TRIGGER IF EXISTS audit_event_no_delete",
]
_PG_INSTALL = [
    """CREATE OR REPLACE FUNCTION audit_event_refuse() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit_event is append-only: % refused', TG_OP; END;
       $$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS audit_event_no_change ON audit_event",
    """CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event
       FOR EACH ROW EXECUTE FUNCTION audit_event_refuse()""",
    "DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event",
    """CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
       FOR EACH STATEMENT EXECUTE FUNCTION audit_event_refuse()""",
]
_PG_DROP = [
    "DROP TRIGGER IF EXISTS audit_event_no_change ON audit_event",
    "DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event",
]
SQLITE_NAMES = {"audit_event_no_update", "audit_event_no_delete"}
PG_NAMES = {"audit_event_no_change", "audit_event_no_truncate"}


def _run(connection: BaseDatabaseWrapper, statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def install(connection: BaseDatabaseWrapper) -> None:
    """Create the triggers that refuse UPDATE, DELETE (and TRUNCATE) on the audit table."""
    if connection.vendor == "sqlite":
        _run(connection, _SQLITE_INSTALL)
    elif connection.vendor == "postgresql":
        _run(connection, _PG_INSTALL)
    else:
        raise RuntimeError(f"no audit triggers for database vendor {connection.vendor!r}")


def drop(connection: BaseDatabaseWrapper) -> None:
    """Remove the triggers (used by tests that simulate an attacker, and by test flushes)."""
    _run(connection, _SQLITE_DROP if connection.vendor == "sqlite" else _PG_DROP)


def missing(connection: BaseDatabaseWrapper) -> set[str]:
    """Return the names of the protecting triggers that are not in the database."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_event'"
            )
            expected = SQLITE_NAMES
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_event'::regclass "
                "AND NOT tgisinternal AND tgenabled <> 'D'"
            )
            expected = PG_NAMES
        present = {row[0] for row in cursor.fetchall()}
    return expected - present


# --- Append-only tables -----------------------------------------------------------------------

_ANCHOR_TABLES = ("audit_anchor_entry", "audit_anchor_checkpoint")


def install_anchor_triggers(connection: Any) -> None:
    """Refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL) of the anchor log's tables."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for table in _ANCHOR_TABLES:
                for op in ("UPDATE", "DELETE"):
                    cursor.execute(
                        f"CREATE TRIGGER IF NOT EXISTS {table}_no_{op.lower()} BEFORE {op} ON {table} "
                        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {op} refused'); END")
            return
        cursor.execute("""CREATE OR REPLACE FUNCTION audit_anchor_refuse() RETURNS trigger AS $$
                          BEGIN RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP; END;
                          $$ LANGUAGE plpgsql""")
        for table in _ANCHOR_TABLES:
            cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_change ON {table}")
            cursor.execute(f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
                           "FOR EACH ROW EXECUTE FUNCTION audit_anchor_refuse()")
            cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
            cursor.execute(f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                           "FOR EACH STATEMENT EXECUTE FUNCTION audit_anchor_refuse()")


def drop_anchor_triggers(connection: Any) -> None:
    """Remove them (tests that play the insider)."""
    with connection.cursor() as cursor:
        for table in _ANCHOR_TABLES:
            if connection.vendor == "sqlite":
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_change ON {table}")
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
