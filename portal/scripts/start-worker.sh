#!/bin/sh
# A Celery worker for one group of queues: PORTAL_WORKER_QUEUES (e.g. "interactive,default";
# "all", the default, consumes every queue: one worker for a small installation), named
# $PORTAL_WORKER_NAME@host, prefork with PORTAL_WORKER_CONCURRENCY children, each replaced after
# PORTAL_WORKER_MAX_TASKS tasks (WeasyPrint's memory).  docker-compose.yml (worker-*) and the
# topology test run this same command.
set -eu
cd "$(dirname "$0")/../.."
. portal/scripts/_env.sh
name="${PORTAL_WORKER_NAME:-worker}"
queues="$(python -m portal.queues "${PORTAL_WORKER_QUEUES:-all}")"
export PROMETHEUS_MULTIPROC_DIR="${PROMETHEUS_MULTIPROC_DIR:-/tmp/portal-metrics-$name}"
reset_metrics_dir "$PROMETHEUS_MULTIPROC_DIR"
exec celery -A portal worker -n "$name@%h" -Q "$queues" --pool prefork \
  --concurrency "${PORTAL_WORKER_CONCURRENCY:-2}" --max-tasks-per-child "${PORTAL_WORKER_MAX_TASKS:-50}" \
  --without-gossip --without-mingle --loglevel INFO
