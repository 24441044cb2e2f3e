#!/usr/bin/env bash
# Make sure PostgreSQL answers on 127.0.0.1:5432 as postgres/postgres: start the installed
# cluster when it is stopped, install it from Debian when it is missing.
set -euo pipefail
answers() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
if ! command -v pg_lsclusters >/dev/null; then
  echo "Installing PostgreSQL from Debian…"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql postgresql-client
fi
if ! answers; then
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  if [ -z "$version" ]; then
    echo "No PostgreSQL cluster found under /etc/postgresql" >&2; exit 1
  fi
  if ! pg_lsclusters -h | awk '{print $2}' | grep -qx main; then
    pg_createcluster "$version" main
  fi
  echo "Starting PostgreSQL $version/main…"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 30); do answers && break; sleep 1; done
fi
answers || { echo "PostgreSQL does not answer on 127.0.0.1:5432" >&2; exit 1; }
# A freshly installed cluster asks for a password on TCP: give postgres the one tests use.
if ! PGPASSWORD=postgres psql -h 127.0.0.1 -U postgres -d postgres -Atqc 'select 1' >/dev/null 2>&1; then
  su postgres -c "psql -qc \"ALTER USER postgres PASSWORD 'postgres'\""
fi
PGPASSWORD=postgres psql -h 127.0.0.1 -U postgres -d postgres -Atqc 'select version()'
