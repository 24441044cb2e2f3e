"""Database triggers that keep the log's tables append-only, on SQLite and PostgreSQL.

A leaf's hashed fields, the tree nodes and the checkpoints can never be updated or deleted.
Only a leaf's link to its case (``case_ref``, ``salt``) may later be erased, for retention.
Verifiers would catch a rewritten log anyway; the triggers stop it from being written.
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

_FROZEN_LEAF_COLUMNS = '"index", data, leaf_hash, period, country, created_at'
_TABLES = ("transparency_leaf", "transparency_node", "transparency_checkpoint")


def _sqlite_install() -> list[str]:
    statements = [
        f"""CREATE TRIGGER IF NOT EXISTS transparency_leaf_no_update
            BEFORE UPDATE OF {_FROZEN_LEAF_COLUMNS} ON transparency_leaf
            BEGIN SELECT RAISE(ABORT, 'transparency_leaf is append-only: UPDATE refused'); END""",
    ]
    for table in _TABLES:
        statements.append(
            f"""CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table}
                BEGIN SELECT RAISE(ABORT, '{table} is append-only: DELETE refused'); END""")
    for table in _TABLES[1:]:
        statements.append(
            f"""CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table}
                BEGIN SELECT RAISE(ABORT, '{table} is append-only: UPDATE refused'); END""")
    return statements


def _pg_install() -> list[str]:
    statements = [
        """CREATE OR REPLACE FUNCTION transparency_refuse() RETURNS trigger AS $$
           BEGIN RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP; END;
           $$ LANGUAGE plpgsql""",
        "DROP TRIGGER IF EXISTS transparency_leaf_no_update ON transparency_leaf",
        f"""CREATE TRIGGER transparency_leaf_no_update BEFORE UPDATE OF {_FROZEN_LEAF_COLUMNS}
            ON transparency_leaf FOR EACH ROW EXECUTE FUNCTION transparency_refuse()""",
    ]
    for table in _TABLES:
        operations = "DELETE" if table == "transparency_leaf" else "UPDATE OR DELETE"
        statements += [
            f"DROP TRIGGER IF EXISTS {table}_no_change ON {table}",
            f"""CREATE TRIGGER {table}_no_change BEFORE {operations} ON {table}
                FOR EACH ROW EXECUTE FUNCTION transparency_refuse()""",
            f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
            f"""CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
                FOR EACH STATEMENT EXECUTE FUNCTION transparency_refuse()""",
        ]
    return statements


def _sqlite_drop() -> list[str]:
    names = ["transparency_leaf_no_update", *(f"{t}_no_delete" for t in _TABLES),
             *(f"{t}_no_update" for t in _TABLES[1:])]
    return [f"DROP TRIGGER IF EXISTS {name}" for name in names]


def _pg_drop() -> list[str]:
    statements = ["DROP TRIGGER IF EXISTS transparency_leaf_no_update ON transparency_leaf"]
    for table in _TABLES:
        statements += [f"DROP TRIGGER IF EXISTS {table}_no_change ON {table}",
                       f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}"]
    return statements


def _run(connection: BaseDatabaseWrapper, statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def install(connection: BaseDatabaseWrapper) -> None:
    """Create the triggers that refuse rewriting the log."""
    if connection.vendor == "sqlite":
        _run(connection, _sqlite_install())
    elif connection.vendor == "postgresql":
        _run(connection, _pg_install())
    else:
        raise RuntimeError(f"no transparency triggers for database vendor {connection.vendor!r}")


def drop(connection: BaseDatabaseWrapper) -> None:
    """Remove the triggers (tests that play a platform rewriting its log use it)."""
    _run(connection, _sqlite_drop() if connection.vendor == "sqlite" else _pg_drop())


def missing(connection: BaseDatabaseWrapper) -> set[str]:
    """The names of the protecting triggers that are not in the database."""
    if connection.vendor == "sqlite":
        expected = {"transparency_leaf_no_update", *(f"{t}_no_delete" for t in _TABLES),
                    *(f"{t}_no_update" for t in _TABLES[1:])}
        sql = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'transparency%'"
    else:
        expected = {"transparency_leaf_no_update", *(f"{t}_no_change" for t in _TABLES),
                    *(f"{t}_no_truncate" for t in _TABLES)}
        sql = ("SELECT tgname FROM pg_trigger WHERE tgname LIKE 'transparency%' "
               "AND NOT tgisinternal AND tgenabled <> 'D'")
    with connection.cursor() as cursor:
        cursor.execute(sql)
        present = {row[0] for row in cursor.fetchall()}
    return expected - present
