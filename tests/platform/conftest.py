"""Fixtures for the platform tests: one small generated dataset per session, PostgreSQL, Spark."""

from __future__ import annotations

import importlib.util
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from lawdesk.platform.generator import generate
from lawdesk.platform.ibis_connector import IbisConnector, duckdb_connector, postgres_connector

ACCOUNTS, EVENTS, MESSAGES, SEED = 2_000, 200_000, 50_000, 1234

#: Set by the Makefile: a Spark engine that cannot start fails the suite instead of skipping.
REQUIRE_SPARK = os.environ.get("LAWDESK_REQUIRE_SPARK") == "1"

PG_ADMIN_DSN = os.environ.get(
    "LAWDESK_PLATFORM_TEST_PG", "postgresql://postgres:postgres@127.0.0.1:5432/postgres"
)


@pytest.fixture(scope="session")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small dataset, generated once per session."""
    return generate(
        tmp_path_factory.mktemp("platform") / "data",
        accounts=ACCOUNTS,
        events=EVENTS,
        messages=MESSAGES,
        seed=SEED,
    )


@pytest.fixture(scope="session")
def duck(dataset: Path) -> IbisConnector:
    """The default engine: DuckDB over the generated Parquet files."""
    return duckdb_connector(dataset)


def _pg_dsn(worker: str) -> str:
    """A database of our own (one per xdist worker), created if missing."""
    import psycopg

    name = f"lawdesk_platform_test_{worker}"
    try:
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True, connect_timeout=3) as con:
            exists = con.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
            if not exists:
                con.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL unreachable at {PG_ADMIN_DSN.rsplit('@', 1)[-1]}: {exc}")
    return PG_ADMIN_DSN.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(scope="session")
def pg(dataset: Path, worker_id: str) -> IbisConnector:
    """The same dataset loaded into PostgreSQL (tables + b-tree indexes)."""
    from lawdesk.platform.postgres import load_postgres

    dsn = _pg_dsn(worker_id)
    load_postgres(dataset, dsn)
    return postgres_connector(dsn)


@pytest.fixture(scope="session")
def spark(dataset: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[IbisConnector]:
    """The same Parquet files read by Apache Spark in local mode: one JVM for the whole session."""
    from lawdesk.platform.spark import FAST_START_JAVA_OPTIONS, java_available, spark_connector

    def unavailable(reason: str) -> None:
        if REQUIRE_SPARK:
            pytest.fail(f"{reason} (LAWDESK_REQUIRE_SPARK=1: `make test` installs it)", pytrace=False)
        pytest.skip(reason)

    if not java_available():
        unavailable("no Java runtime for Spark (Debian: apt-get install default-jre-headless)")
    if importlib.util.find_spec("pyspark") is None:
        unavailable("pyspark is not installed (pip install -e '.[dev]')")
    conn = spark_connector(
        dataset,
        work_dir=tmp_path_factory.mktemp("spark"),
        cores=2,
        java_options=FAST_START_JAVA_OPTIONS,
        conf={"spark.sql.shuffle.partitions": "2"},
    )
    session = conn.con._session  # type: ignore[attr-defined]
    session.sparkContext.setLogLevel("ERROR")
    # py4j logs its goodbyes after pytest closed the streams
    logging.getLogger("py4j").setLevel(logging.WARNING)
    yield conn
    session.stop()
