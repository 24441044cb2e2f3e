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


def _spark_unavailable(reason: str) -> None:
    """Skip a Spark test with the reason, or fail it where Spark is required (``make test``)."""
    if REQUIRE_SPARK:
        pytest.fail(f"{reason} (LAWDESK_REQUIRE_SPARK=1: `make test` installs it)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def spark(dataset: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[IbisConnector]:
    """The same Parquet files read by Apache Spark in local mode: one JVM for the whole session."""
    from lawdesk.platform.spark import FAST_START_JAVA_OPTIONS, java_available, spark_connector

    if not java_available():
        _spark_unavailable("no Java runtime for Spark (Debian: apt-get install default-jre-headless)")
    if importlib.util.find_spec("pyspark") is None:
        _spark_unavailable("pyspark is not installed (pip install -e '.[dev]')")
    conn = spark_connector(
        dataset,
        work_dir=tmp_path_factory.mktemp("spark"),
        cores=2,
        java_options=FAST_START_JAVA_OPTIONS,
        conf={
            "spark.sql.shuffle.partitions": "2",
            # read only if `spark_connect` starts its server in this JVM: any free port, local only
            "spark.connect.grpc.binding.port": "0",
            "spark.connect.grpc.binding.address": "127.0.0.1",
        },
    )
    session = conn.con._session  # type: ignore[attr-defined]
    session.sparkContext.setLogLevel("ERROR")
    # py4j logs its goodbyes after pytest closed the streams
    logging.getLogger("py4j").setLevel(logging.WARNING)
    yield conn
    session.stop()


@pytest.fixture(scope="session")
def spark_connect(request: pytest.FixtureRequest, dataset: Path) -> Iterator[IbisConnector]:
    """The connector a deployment opens from ``LAWDESK_PLATFORM_DIR=sc://host:port``, on a real
    Spark Connect server.

    The server is the one ``start-connect-server.sh`` runs on a cluster (Spark's
    ``SparkConnectService``, from the ``spark-connect`` jar pyspark ships), started on a free
    local port in the JVM of the ``spark`` fixture: no second JVM, nothing downloaded. lawdesk
    is its gRPC client, opened by ``open_connector`` with the URL and
    ``LAWDESK_PLATFORM_SPARK_DATA`` as the collection worker opens it; its session on the
    server is a Spark Connect session of its own (its own temporary views and ``from_hex``).
    """
    from lawdesk.platform.ibis_connector import open_connector

    try:
        from pyspark.sql.connect.utils import check_dependencies

        check_dependencies("lawdesk.platform.spark")
    except ImportError as exc:
        _spark_unavailable(f"the Spark Connect client is not installed: {exc} (pip install -e '.[dev]')")
    local = request.getfixturevalue("spark").con._session  # the JVM the server runs in
    services = local.sparkContext._jvm.org.apache.spark.sql.connect.service
    services.SparkConnectService.start(local._jsc.sc())
    # the port it bound (binding port 0: a free one), read from the service's Scala object
    port = getattr(getattr(services, "SparkConnectService$"), "MODULE$").localPort()
    with pytest.MonkeyPatch.context() as env:
        env.setenv("LAWDESK_PLATFORM_SPARK_DATA", str(dataset))
        conn = open_connector(f"sc://127.0.0.1:{port}")
    session = conn.con._session  # type: ignore[attr-defined]
    assert type(session).__module__ == "pyspark.sql.connect.session"  # a gRPC client, not py4j
    yield conn
    session.stop()
    service = services.SparkConnectService
    service.stop(getattr(service, "stop$default$1")(), getattr(service, "stop$default$2")())
