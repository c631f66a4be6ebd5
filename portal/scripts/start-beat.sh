#!/bin/sh
# Celery beat: exactly one sends the schedule (portal.beat holds a leader lock in Redis; a second
# one waits as a standby).  The last-run file is disposable, so it lives in /tmp, not on a volume.
# docker-compose.yml (beat) and the topology test run this same command.
set -eu
cd "$(dirname "$0")/../.."
. portal/scripts/_env.sh
exec celery -A portal beat --scheduler portal.beat:Scheduler \
  --schedule "${PORTAL_BEAT_SCHEDULE:-/tmp/portal-celerybeat-schedule}" --loglevel INFO
