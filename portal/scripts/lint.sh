#!/bin/sh
# The checks CI runs before the tests: ruff, the layering contracts (import-linter, .importlinter)
# and migrations that match the models.  Installs first (the linters are test extras).
set -eu
cd "$(dirname "$0")/../.."
sh portal/scripts/install.sh
echo "==> ruff check ."
.venv/bin/ruff check .
echo "==> lint-imports"
.venv/bin/lint-imports
echo "==> manage.py makemigrations --check --dry-run"
.venv/bin/python manage.py makemigrations --check --dry-run
