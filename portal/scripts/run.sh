#!/bin/sh
# (a) Install, migrate, load reference + demo data, then start the portal (gunicorn) and a Celery
# worker with its beat scheduler.  Embedded defaults (SQLite, filesystem broker) unless
# DATABASE_URL / REDIS_URL are set.  Ctrl-C stops both.
#
# The portal runs as it would in production, on this machine only:
#   * it listens on 127.0.0.1 (HOST=0.0.0.0 opens it to the network; then set DJANGO_ALLOWED_HOSTS);
#   * DEBUG is off: Chinese error pages, no URL list, tracebacks in var/log/portal.log.
#     PORTAL_DEBUG=1 shows Django's debug pages instead (for a developer at this machine);
#   * the terminal shows the address, the logins and where the logs are; the rest goes to var/log/.
set -eu
cd "$(dirname "$0")/../.."
LOGS="${PORTAL_LOG_DIR:-var/log}"
mkdir -p "$LOGS"

step() {  # step LOGFILE DESCRIPTION COMMAND...: quiet unless it fails
  log="$1"; what="$2"; shift 2
  if ! "$@" >>"$log" 2>&1; then
    echo "失败：$what。最后几行（完整记录见 $log）：" >&2
    tail -n 25 "$log" >&2
    exit 1
  fi
}

echo "正在准备（安装依赖、建库、载入演示数据；首次运行需几分钟）…"
: >"$LOGS/setup.log"
step "$LOGS/setup.log" "安装依赖" sh portal/scripts/install.sh

HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
export PORTAL_BASE_URL="${PORTAL_BASE_URL:-http://127.0.0.1:$PORT}"
PY=.venv/bin/python

if [ "${PORTAL_DEBUG:-0}" = "1" ]; then
  export DJANGO_DEBUG=1
else
  export DJANGO_DEBUG=0
  export DJANGO_SECURE="${DJANGO_SECURE:-0}"  # plain http on this machine: no HTTPS-only cookies
  # A secret key of this installation, made once and kept in var/ (ignored by git).
  if [ -z "${DJANGO_SECRET_KEY:-}" ]; then
    [ -s var/secret_key ] || $PY -c "import secrets; print(secrets.token_urlsafe(50))" >var/secret_key
    DJANGO_SECRET_KEY="$(cat var/secret_key)"
    export DJANGO_SECRET_KEY
  fi
fi

step "$LOGS/setup.log" "数据库迁移" $PY manage.py migrate --noinput
: >"$LOGS/seed.log"
step "$LOGS/seed.log" "载入演示数据" $PY manage.py seed_demo
step "$LOGS/setup.log" "收集静态文件" $PY manage.py collectstatic --noinput
$PY manage.py compilemessages --ignore=.venv >>"$LOGS/setup.log" 2>&1 || true

# Two workers, by kind of work (README "Workers and queues"): one for what someone waits for on a
# page (interactive exports and documents, mail, the default queue) with beat inside it, and one,
# niced, for batch renders and OCR (bulk, ocr; a child replaced after 20 tasks: WeasyPrint's
# memory), so a small export never waits behind a roster PDF or a pile of OCR.  Production runs
# one worker per queue and beat apart (docker-compose.yml, start-worker.sh, start-beat.sh).  The
# beat schedule and the broker folders live in PORTAL_DATA_DIR.
DATA_DIR="${PORTAL_DATA_DIR:-var}"
mkdir -p "$DATA_DIR"
.venv/bin/celery -A portal worker -B -n "interactive@%h" --loglevel=INFO --concurrency=2 --max-tasks-per-child=50 \
  -Q "$($PY -m portal.queues interactive,mail,default)" \
  --schedule "$DATA_DIR/celerybeat-schedule" >"$LOGS/worker.log" 2>&1 &
WORKER=$!
nice -n 10 .venv/bin/celery -A portal worker -n "bulk@%h" --loglevel=INFO --concurrency=1 \
  --max-tasks-per-child 20 -Q "$($PY -m portal.queues bulk,ocr)" >"$LOGS/worker-bulk.log" 2>&1 &
BULK=$!
trap 'kill $WORKER $BULK 2>/dev/null; wait $WORKER $BULK 2>/dev/null' EXIT INT TERM

WHO="仅本机可访问"
[ "$HOST" = "127.0.0.1" ] || WHO="监听 $HOST:$PORT"
cat <<TEXT

  门户已启动：  $PORTAL_BASE_URL/       （$WHO；Ctrl-C 停止）
  管理后台：    $PORTAL_BASE_URL/admin/
$(sed -n '/演示数据已就绪/,$p' "$LOGS/seed.log" | sed 's/^/  /')
  日志：  $LOGS/portal.log（网站与出错详情）  $LOGS/access.log  $LOGS/worker.log
        $LOGS/setup.log  $LOGS/seed.log
TEXT
if [ "$DJANGO_DEBUG" = "1" ]; then
  echo "  调试模式（PORTAL_DEBUG=1）：出错时显示 Django 调试页面。"
else
  echo "  出错时显示中文错误页面；调试请用 PORTAL_DEBUG=1 sh portal/scripts/run.sh 启动。"
fi
echo

.venv/bin/gunicorn portal.wsgi --bind "$HOST:$PORT" --workers 2 --threads 4 --timeout 120 \
  --access-logfile "$LOGS/access.log" --error-logfile "$LOGS/portal.log" --capture-output
