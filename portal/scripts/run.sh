#!/bin/sh
# (a) Install, migrate, load reference + demo data, then start the portal (gunicorn) and a Celery
# worker with its beat scheduler.  Embedded defaults (SQLite, filesystem broker) unless
# DATABASE_URL / REDIS_URL are set.  Ctrl-C stops both.
set -eu
cd "$(dirname "$0")/../.."
sh portal/scripts/install.sh

PORT="${PORT:-8000}"
export PORTAL_BASE_URL="${PORTAL_BASE_URL:-http://127.0.0.1:$PORT}"
PY=.venv/bin/python

$PY manage.py migrate --noinput -v0
$PY manage.py seed_demo
$PY manage.py compilemessages -v0 >/dev/null 2>&1 || true

# Without -Q the worker consumes every queue in settings.CELERY_TASK_QUEUES (interactive, bulk,
# ocr, mail and the default); the beat schedule and the broker folders live in PORTAL_DATA_DIR.
DATA_DIR="${PORTAL_DATA_DIR:-var}"
mkdir -p "$DATA_DIR"
.venv/bin/celery -A portal worker -B --loglevel=INFO --concurrency=2 >"$DATA_DIR/worker.log" 2>&1 &
WORKER=$!
trap 'kill $WORKER 2>/dev/null; wait $WORKER 2>/dev/null' EXIT INT TERM

echo
echo "  门户已启动:  $PORTAL_BASE_URL/"
echo "  管理后台:    $PORTAL_BASE_URL/admin/"
echo "  Celery worker 日志: $DATA_DIR/worker.log"
echo
.venv/bin/gunicorn portal.wsgi --bind "0.0.0.0:$PORT" --workers 2 --threads 4 --timeout 120 \
  --access-logfile - --error-logfile -
