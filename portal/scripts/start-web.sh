#!/bin/sh
# A web node: gunicorn (portal/deploy/gunicorn.conf.py) on $PORTAL_BIND (0.0.0.0:8000), JSON access
# log on stdout, metrics on $PORTAL_METRICS_PORT when set.  docker-compose.yml (web) and the
# topology test (tests/deploy/) run this same command.  Migrations are the release step's job.
set -eu
cd "$(dirname "$0")/../.."
. portal/scripts/_env.sh
export PROMETHEUS_MULTIPROC_DIR="${PROMETHEUS_MULTIPROC_DIR:-/tmp/portal-metrics-web}"
reset_metrics_dir "$PROMETHEUS_MULTIPROC_DIR"
# PORTAL_WEB_NICE (0): a lower CPU priority for this node's processes.  Not used by compose: for
# the upload pool (web-uploads) nice 6 starved the uploads in the scale benchmark (README).
exec nice -n "${PORTAL_WEB_NICE:-0}" gunicorn portal.wsgi -c portal/deploy/gunicorn.conf.py
