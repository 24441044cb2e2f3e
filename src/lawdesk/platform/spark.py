"""Apache Spark as an engine of the platform connector (decision 0025).

The connector code is :class:`~lawdesk.platform.ibis_connector.IbisConnector`, unchanged; this
module only says *where the tables are* for a Spark session — one temporary view per logical
table over the dataset's Parquet files — and defines the one SQL function the connector needs,
``from_hex``, as a temporary SQL function over Spark's ``unhex`` (SQL functions need Spark 4).

A session is either local (``local_session``: PySpark starts a JVM in this process's machine;
the tests and the benchmark) or a cluster reached over Spark Connect (``connect_session`` with
``sc://host:port``). With a cluster, the dataset location must be a path *the cluster* reads
(``s3a://…``, ``hdfs://…``, ``abfss://…`` or a shared file system), not one on lawdesk's host.

pyspark is a dev/test extra (``pip install 'lawdesk[spark]'`` for a deployment), never needed
by the embedded default, so it is imported only when a Spark connector is opened.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ibis

from lawdesk.platform.ibis_connector import IbisConnector
from lawdesk.platform.identifiers import DEFAULT_MAX_WINDOW

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

#: Where each logical table is inside a dataset directory, as Spark reads it: the two sorted
#: copies of the log are Hive-partitioned directories (the bucket column comes back as a
#: column, so the connector's bucket pruning works as on DuckDB).
SPARK_PATHS = {
    "accounts": "accounts.parquet",
    "usernames": "usernames.parquet",
    "chats": "chats.parquet",
    "chat_members": "chat_members.parquet",
    "events_by_account": "events_by_account",
    "events_by_ip": "events_by_ip",
    "messages_by_chat": "messages_by_chat",
    "messages_by_sender": "messages_by_sender.parquet",
}

FROM_HEX_SQL = "CREATE OR REPLACE TEMPORARY FUNCTION from_hex(h STRING) RETURNS BINARY RETURN unhex(h)"

#: A small local session: no web UI, few shuffle partitions (the default 200 makes every join
#: of a few rows schedule 200 tasks), times in UTC, footers listed by the driver.
LOCAL_CONF = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.shuffle.partitions": "4",
    "spark.sql.sources.parallelPartitionDiscovery.threshold": "256",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
}

#: JVM options that halve a short-lived session's start-up (C1 compiler only, serial GC);
#: for tests, not for long jobs (C2 makes long scans faster).
FAST_START_JAVA_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:CICompilerCount=1"


def java_available() -> bool:
    """Whether a Java runtime PySpark can start is installed (JAVA_HOME or ``java`` on PATH)."""
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").exists():
        return True
    return shutil.which("java") is not None


def local_session(
    *,
    cores: int = 2,
    memory: str = "1g",
    work_dir: Path | str | None = None,
    java_options: str = "",
    conf: Mapping[str, str] | None = None,
) -> SparkSession:
    """A local-mode Spark session (one JVM, ``cores`` task threads)."""
    from pyspark.sql import SparkSession  # reason: pyspark (and its JVM) only when Spark is asked for

    builder = SparkSession.builder.master(f"local[{int(cores)}]").appName("lawdesk")
    settings = dict(LOCAL_CONF)
    settings["spark.driver.memory"] = memory
    if work_dir is not None:
        work = Path(work_dir).resolve()
        settings["spark.local.dir"] = str(work / "local")
        settings["spark.sql.warehouse.dir"] = str(work / "warehouse")
    if java_options:
        settings["spark.driver.extraJavaOptions"] = java_options
    settings.update(conf or {})
    for key, value in settings.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def connect_session(url: str) -> SparkSession:
    """A session on a Spark cluster over Spark Connect (``sc://host:port[/;token=…]``)."""
    # reason: pyspark only when Spark is asked for
    from pyspark import SparkContext
    from pyspark.sql import SparkSession

    if SparkContext._active_spark_context is None:
        return SparkSession.builder.remote(url).getOrCreate()
    # This process runs a local (classic) Spark too — the tests, whose Connect server is in
    # that local JVM: pyspark's generic builder refuses a remote session beside a local one
    # (SESSION_ALREADY_EXIST); the Spark Connect client's own builder opens the same gRPC
    # session, without switching the process's pyspark functions to Connect.
    from pyspark.sql.connect.session import (  # reason: the Connect client only when asked for
        SparkSession as ConnectSession,
    )

    # (the generic builder types its Connect session as the classic class; this one does not)
    return ConnectSession.builder.remote(url).getOrCreate()  # type: ignore[return-value]


def register_dataset(spark: SparkSession, location: str | Path) -> None:
    """Make the dataset at ``location`` the session's platform tables (temporary views)."""
    root = str(location).rstrip("/")
    if "://" not in root:
        root = str(Path(root).resolve())
    for key, rel in SPARK_PATHS.items():
        spark.read.parquet(f"{root}/{rel}").createOrReplaceTempView(key)
    spark.sql(FROM_HEX_SQL)


def spark_connector(
    location: str | Path,
    *,
    spark: SparkSession | None = None,
    max_window: timedelta = DEFAULT_MAX_WINDOW,
    **session: Any,
) -> IbisConnector:
    """The connector over the dataset at ``location``, read by Spark.

    ``spark`` is an existing session (local or Spark Connect); without one a local session
    is started with ``session`` as the arguments of :func:`local_session`.
    """
    if spark is None:
        spark = local_session(**session)
    register_dataset(spark, location)
    return IbisConnector(ibis.pyspark.connect(spark), max_window=max_window)


def spark_connect_connector(
    url: str, *, data: str | None = None, max_window: timedelta = DEFAULT_MAX_WINDOW
) -> IbisConnector:
    """The connector over a Spark cluster at ``sc://…``, the dataset at ``data``.

    ``data`` defaults to ``$LAWDESK_PLATFORM_SPARK_DATA``: the dataset's location as the
    cluster sees it.
    """
    data = data or os.environ.get("LAWDESK_PLATFORM_SPARK_DATA")
    if not data:
        raise ValueError(
            "a Spark Connect platform needs the dataset's location as the cluster reads it: "
            "set LAWDESK_PLATFORM_SPARK_DATA (e.g. s3a://bucket/lawdesk-platform)"
        )
    return spark_connector(data, spark=connect_session(url), max_window=max_window)
