#!/bin/sh
# Install what the portal needs on a Debian/Ubuntu machine, skipping what is already there:
# system packages (apt, via sudo when not root), a virtualenv in .venv, the Python dependencies.
# PORTAL_WITH_BROWSER=1 adds Chromium for the browser tests, and Node's npm with axe-core (the
# accessibility checks; tests/browser/axe/package-lock.json pins it) in tests/browser/axe/node_modules;
# PORTAL_WITH_BENCH=1 adds wrk for the concurrent mode of tests/bench/scale.py.
set -eu
cd "$(dirname "$0")/../.."

PYTHON="${PYTHON:-python3}"
packages="libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk fonts-hanazono poppler-utils tesseract-ocr tesseract-ocr-chi-sim"
# The deployment tests (tests/deploy/): nginx in front, envsubst for its templates, a TLS pair,
# pg_dump / pg_restore for the backup scripts.
packages="$packages nginx-light gettext-base openssl postgresql-client"
if [ "${PORTAL_WITH_BROWSER:-0}" = "1" ]; then
  packages="$packages chromium"
  # Node may come from elsewhere (nodesource ships npm inside nodejs): ask apt only when npm is missing.
  if ! command -v npm >/dev/null 2>&1; then
    packages="$packages nodejs npm"
  fi
fi
if [ "${PORTAL_WITH_BENCH:-0}" = "1" ]; then
  packages="$packages wrk"
fi
if ! "$PYTHON" -c "import ensurepip, venv" >/dev/null 2>&1; then
  packages="$packages python3-venv python3-pip"
fi

missing=""
for p in $packages; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
    missing="$missing $p"
  fi
done
if [ -n "$missing" ]; then
  echo "==> apt-get install$missing"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv"
  "$PYTHON" -m venv .venv
fi
stamp=".venv/.portal-install-$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "==> installing Python dependencies"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[test]"
  rm -f .venv/.portal-install-*
  touch "$stamp"
fi

if [ "${PORTAL_WITH_BROWSER:-0}" = "1" ] && [ ! -f tests/browser/axe/node_modules/axe-core/axe.min.js ]; then
  echo "==> installing axe-core (npm)"
  npm ci --prefix tests/browser/axe --no-audit --no-fund --loglevel=error >/dev/null
fi
