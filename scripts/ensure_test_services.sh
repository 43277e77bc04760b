#!/usr/bin/env bash
# Make sure the tests can have what they need: a reachable Postgres and a Chromium.
# It starts or installs what it can; a test that still cannot get them fails, never skips.
set -euo pipefail

if [ -z "${TEST_DATABASE_URL:-}" ]; then
  if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
    if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
      echo "Starting the local PostgreSQL cluster..."
      pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n 1)" main start
      for _ in $(seq 1 20); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.5; done
    else
      echo "No Postgres at 127.0.0.1:5432 and TEST_DATABASE_URL is unset: database tests will fail." >&2
    fi
  fi
fi

# CHROMIUM_PATH: another Chromium-based browser the e2e tests may drive (CI's preinstalled Chrome).
if [ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing Debian's chromium for the browser tests..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "No /usr/bin/chromium (install Debian's chromium package): browser tests will fail." >&2
  fi
fi

# PgBouncer: the pooled-connection tests start their own, in transaction mode like Neon's.
if ! command -v pgbouncer >/dev/null && [ ! -x /usr/sbin/pgbouncer ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing Debian's pgbouncer for the pooled-connection tests..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgbouncer >/dev/null
  else
    echo "No pgbouncer (install Debian's pgbouncer package): pooled-connection tests will fail." >&2
  fi
fi
