#!/bin/sh
# backup.sh DIR — a consistent-enough backup of the portal into DIR (which must not exist):
#   DIR/database.dump    pg_dump, custom format (pg_restore reads it; compressed)
#   DIR/tables.json      row counts of every table, from the dump's own snapshot
#   DIR/files/...        every stored file (bucket or private folder), DIR/files.json their sha256
# The database is dumped first: a file uploaded meanwhile is in the copy without its row (harmless);
# stored names are random or content-addressed and files are not rewritten in place.
# Needs DATABASE_URL (PostgreSQL), pg_dump of the server's major version, and the storage settings.
set -eu
[ $# -eq 1 ] || { echo "usage: $0 DIR" >&2; exit 2; }
cd "$(dirname "$0")/../.."
. portal/scripts/_env.sh
target="$1"
[ ! -e "$target" ] || { echo "$target exists: choose a new folder" >&2; exit 2; }
[ -n "${DATABASE_URL:-}" ] || { echo "DATABASE_URL is not set" >&2; exit 2; }
mkdir -p "$target"
python -m portal.ops database-dump "$target"
python -m portal.ops storage-export "$target"
echo "backup written to $target"
