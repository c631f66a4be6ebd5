#!/bin/sh
# (b) Install (with Chromium) and run the whole test suite.
# Uses PostgreSQL and Redis on 127.0.0.1 when they answer (starting them first if they are
# installed but stopped); otherwise the embedded defaults: SQLite and the filesystem broker.
# PORTAL_SERVICES=embedded forces the embedded way; PORTAL_SERVICES=required (CI) fails when
# PostgreSQL or Redis does not answer.  DATABASE_URL / REDIS_URL set beforehand are used as they
# are.  PORTAL_TEST_TODAY=YYYY-MM-DD runs every test with the clock at that day (tests/conftest.py).
# Without arguments and with PORTAL_TEST_WORKERS=2 (or more): the fault drills alone, then the
# rest of the suite on that many processes (below).  Otherwise one pytest run, with the extra
# arguments if any (add "-n 2" to run it on two processes).
set -eu
cd "$(dirname "$0")/../.."
PORTAL_WITH_BROWSER=1 sh portal/scripts/install.sh
PY=.venv/bin/python

answers() {  # host port
  $PY -c "import socket,sys; s=socket.socket(); s.settimeout(1); sys.exit(s.connect_ex(('$1', $2)))" 2>/dev/null
}

require() {  # name url default-port: fail loudly unless the service at url answers
  host=$(echo "$2" | sed -E 's#^[a-z]+://([^@/]*@)?([^:/]+).*#\2#')
  port=$(echo "$2" | sed -E -n 's#^[a-z]+://([^@/]*@)?[^:/]+:([0-9]+).*#\2#p')
  if [ -z "$2" ] || ! answers "$host" "${port:-$3}"; then
    echo "ERROR: PORTAL_SERVICES=required, but $1 does not answer (${2:-no URL}): the suite is not run on the embedded fallback." >&2
    exit 1
  fi
}

if [ "${PORTAL_SERVICES:-auto}" != "embedded" ]; then
  if ! answers 127.0.0.1 5432 && command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    echo "==> starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
    sleep 2
  fi
  if ! answers 127.0.0.1 6379 && command -v redis-server >/dev/null 2>&1; then
    echo "==> starting Redis"
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no || true
    sleep 1
  fi
  if answers 127.0.0.1 5432; then
    export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/portal}"
  fi
  if answers 127.0.0.1 6379; then
    export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"
  fi
  if [ "${PORTAL_SERVICES:-auto}" = "required" ]; then
    require PostgreSQL "${DATABASE_URL:-}" 5432
    require Redis "${REDIS_URL:-}" 6379
  fi
else
  unset DATABASE_URL REDIS_URL || true
fi
echo "==> database: ${DATABASE_URL:-SQLite (embedded)}; broker: ${REDIS_URL:-filesystem (embedded)}"
export PORTAL_DATA_DIR="${PORTAL_DATA_DIR:-$(pwd)/var/test}"
if [ $# -gt 0 ] || [ "${PORTAL_TEST_WORKERS:-1}" -le 1 ]; then
  # One pytest run (the default: on a quiet 2-core machine the two-process run below was not
  # faster, 25 min against 23.5); with arguments, with them (add "-n 2" for two processes).
  exec $PY -m pytest -p tests.parallel "$@"
fi
# The whole suite in two pytest runs.  First the fault drills (tests/faults, marked "faults") alone
# on the machine: they bound every request at 5 s while they kill Redis and the worker, which a
# second test process competing for the CPU would make a matter of luck.  Then everything else on
# PORTAL_TEST_WORKERS processes (pytest-xdist); tests/parallel.py gives each process
# its own test database, Redis database (REDIS_URL's number + N) and data folder.
faults=0
rest=0
$PY -m pytest -p tests.parallel -m faults || faults=$?
$PY -m pytest -p tests.parallel -n "$PORTAL_TEST_WORKERS" -m "not faults" --durations=15 || rest=$?
if [ "$faults" -ne 0 ]; then
  echo "==> the fault drills failed (exit $faults): see the first pytest run above" >&2
  exit "$faults"
fi
exit "$rest"
