#!/bin/sh
# restore.sh DIR — restore a backup.sh folder into an EMPTY database (DATABASE_URL, created with
# `createdb`) and an EMPTY storage (a new bucket or private folder), then compare the row count of
# every table and the checksum of every file with the backup's.  Exit status 1 if anything differs.
# Stop web, workers and beat first (docker compose stop web worker-interactive ... beat).
set -eu
[ $# -eq 1 ] || { echo "usage: $0 DIR" >&2; exit 2; }
cd "$(dirname "$0")/../.."
. portal/scripts/_env.sh
source="$1"
[ -n "${DATABASE_URL:-}" ] || { echo "DATABASE_URL is not set" >&2; exit 2; }
pg_restore --no-owner --no-privileges --exit-on-error --single-transaction --dbname="$DATABASE_URL" \
  "$source/database.dump"
python -m portal.ops ensure-bucket
python -m portal.ops storage-import "$source"
python -m portal.ops verify "$source"
