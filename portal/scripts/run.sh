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

# One worker for every queue (interactive, bulk, ocr, mail and the default), with beat inside it:
# enough for one machine.  Production runs one worker per queue group and beat apart
# (docker-compose.yml, portal/scripts/start-worker.sh and start-beat.sh).  The beat schedule, the
# broker folders and the worker's log live in PORTAL_DATA_DIR.
DATA_DIR="${PORTAL_DATA_DIR:-var}"
mkdir -p "$DATA_DIR"
.venv/bin/celery -A portal worker -B --loglevel=INFO --concurrency=2 -Q "$($PY -m portal.queues all)" \
  --schedule "$DATA_DIR/celerybeat-schedule" >"$DATA_DIR/worker.log" 2>&1 &
WORKER=$!
trap 'kill $WORKER 2>/dev/null; wait $WORKER 2>/dev/null' EXIT INT TERM

echo
echo "  门户已启动:  $PORTAL_BASE_URL/"
echo "  管理后台:    $PORTAL_BASE_URL/admin/"
echo "  Celery worker 日志: $DATA_DIR/worker.log"
echo
.venv/bin/gunicorn portal.wsgi --bind "0.0.0.0:$PORT" --workers 2 --threads 4 --timeout 120 \
  --access-logfile - --error-logfile -
