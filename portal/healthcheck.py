"""Container healthchecks, the same commands in docker-compose.yml and the topology test:

    python -m portal.healthcheck web      # GET /readyz on this machine's gunicorn: its database and storage
    python -m portal.healthcheck worker   # this worker answers a ping over the broker, and the database answers
    python -m portal.healthcheck beat     # the beat heartbeat is fresh

Exit status 0 when healthy, 1 otherwise (one line on stderr says why).
"""

from __future__ import annotations

import json
import os
import socket
import sys
import time
import urllib.error
import urllib.request

TIMEOUT = 5


def web() -> str | None:
    bind = os.environ.get("PORTAL_BIND", "0.0.0.0:8000")
    host, _, port = bind.rpartition(":")
    host = "127.0.0.1" if host in ("", "0.0.0.0", "[::]") else host.strip("[]")
    try:
        with urllib.request.urlopen(f"http://{host}:{port}/readyz", timeout=TIMEOUT) as response:
            body = json.loads(response.read())
    except urllib.error.HTTPError as error:
        try:
            body = json.loads(error.read())
        except ValueError:
            return f"/readyz answered {error.code}"
    except (OSError, ValueError) as error:
        return f"/readyz unreachable: {error}"
    # A web node serves without the broker, the cache or a worker (the outbox keeps the work, the
    # rate-limited pages say 稍后再试): only its own database and storage make it unhealthy;
    # /readyz names the rest for the monitoring (README, "Health").
    own = [name for name in body.get("failed", []) if name in ("database", "storage")]
    return f"/readyz: {body}" if own else None


def _django() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    django.setup()


def worker() -> str | None:
    _django()
    from django.db import connection

    from portal.celery import app

    node = f"{os.environ.get('PORTAL_WORKER_NAME', 'worker')}@{socket.gethostname()}"
    try:
        replies = app.control.ping(destination=[node], timeout=TIMEOUT)
    except Exception as error:  # noqa: BLE001  (any failure reaching the broker is "unhealthy")
        return f"broker: {error}"
    if not any(node in reply for reply in replies):
        return f"{node} did not answer a ping"
    try:
        connection.ensure_connection()
    except Exception as error:  # noqa: BLE001  (any database failure is "unhealthy")
        return f"database: {error}"
    return None


def beat() -> str | None:
    from portal.beat import TICK_SECONDS, heartbeat_path

    path = heartbeat_path()
    try:
        age = time.time() - path.stat().st_mtime
    except FileNotFoundError:
        return f"no heartbeat at {path}"
    return None if age < 4 * TICK_SECONDS else f"heartbeat is {age:.0f} s old"


def main(argv: list[str]) -> int:
    checks = {"web": web, "worker": worker, "beat": beat}
    if len(argv) != 1 or argv[0] not in checks:
        print(f"usage: python -m portal.healthcheck {'|'.join(checks)}", file=sys.stderr)
        return 2
    problem = checks[argv[0]]()
    if problem:
        print(f"unhealthy: {problem}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
