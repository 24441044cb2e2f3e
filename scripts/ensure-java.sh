#!/usr/bin/env bash
# A Java runtime for the tests that run the platform connector on Apache Spark (PySpark in
# local mode, decision 0025). Only `make test` needs it: `make demo` never starts Spark.
# PySpark 4.0 needs Java 17 or 21.
set -euo pipefail
if command -v java >/dev/null && java -version 2>&1 | grep -qE 'version "(1[7-9]|2[0-9])'; then
  exit 0
fi
echo "Installing a Java runtime for the Spark tests: default-jre-headless"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless
