#!/bin/sh
# (b) Install (with Chromium) and run the whole test suite.
# Uses PostgreSQL and Redis on 127.0.0.1 when they answer (starting them first if they are
# installed but stopped); otherwise the embedded defaults: SQLite and the filesystem broker.
# PORTAL_SERVICES=embedded forces the embedded way.  Extra arguments go to pytest.
set -eu
cd "$(dirname "$0")/../.."
PORTAL_WITH_BROWSER=1 sh portal/scripts/install.sh
PY=.venv/bin/python

answers() {  # host port
  $PY -c "import socket,sys; s=socket.socket(); s.settimeout(1); sys.exit(s.connect_ex(('$1', $2)))" 2>/dev/null
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
else
  unset DATABASE_URL REDIS_URL || true
fi
echo "==> database: ${DATABASE_URL:-SQLite (embedded)}; broker: ${REDIS_URL:-filesystem (embedded)}"
export PORTAL_DATA_DIR="${PORTAL_DATA_DIR:-$(pwd)/var/test}"
exec $PY -m pytest "$@"
