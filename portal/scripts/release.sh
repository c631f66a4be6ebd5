#!/bin/sh
# The release step, once per deploy, before new web nodes and workers start (docker-compose.yml's
# one-shot `migrate` service; the README's "Deploy a new version"): migrations, the bucket, and
# the static files copied where nginx serves them ($PORTAL_STATIC_EXPORT, when set).
set -eu
cd "$(dirname "$0")/../.."
. portal/scripts/_env.sh
python manage.py migrate --noinput
python -m portal.ops ensure-bucket
if [ -n "${PORTAL_STATIC_EXPORT:-}" ]; then
  # Old and new hashed names side by side: pages of the previous version keep their CSS.
  mkdir -p "$PORTAL_STATIC_EXPORT"
  cp -R "${DJANGO_STATIC_ROOT:-staticfiles}/." "$PORTAL_STATIC_EXPORT/"
fi
echo "release step done"
