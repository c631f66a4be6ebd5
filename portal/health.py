"""``/healthz`` (liveness: the process answers; nothing else is touched, so it stays cheap) and
``/readyz`` (readiness: the portal can do its work — the database, the cache, the broker and the
file storage answer, and a worker said it was alive within ``PORTAL_WORKER_HEARTBEAT_MAX``
seconds).  ``/readyz`` answers 503 with the names of what is down, e.g.
``{"ok": false, "failed": ["broker", "worker"]}``; every check has a timeout of about a second.

Both are answered by the first middleware, before Django's host check and the SSL redirect: a
container healthcheck calls ``http://127.0.0.1:8000/readyz`` with neither a public host name nor
``X-Forwarded-Proto``.  They reveal nothing but ``ok`` and which check failed.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import ClassVar

from django.http import JsonResponse

log = logging.getLogger(__name__)


def liveness(request=None):
    return JsonResponse({"ok": True})


def readiness(request=None):
    checks = {"database": _database, "cache": _cache, "broker": _broker, "storage": _storage, "worker": _worker}
    failed = []
    for name, check in checks.items():
        try:
            check()
        except Exception:  # any failure means "not ready"; the reason goes to the log, not the answer
            log.warning("readiness check %s failed", name, exc_info=True)
            failed.append(name)
    response = JsonResponse({"ok": not failed, "failed": failed}, status=503 if failed else 200)
    response["Cache-Control"] = "no-store"
    return response


def _database() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _cache() -> None:
    from django.core.cache import cache

    cache.set("portal:readyz", "1", timeout=30)
    if cache.get("portal:readyz") != "1":
        raise RuntimeError("cache did not return what was written")


def _broker() -> None:
    from django.conf import settings

    from portal.dispatch.health import broker_client

    client = broker_client()
    if client is not None:
        client.ping()
    elif not (Path(settings.DATA_DIR) / "broker" / "queue").is_dir():  # the embedded broker's folder
        raise RuntimeError("the broker folder is missing")


def _storage() -> None:
    from django.core.files.storage import default_storage

    default_storage.exists("readyz-probe")  # a stat on disk, a HEAD request on S3


def _worker() -> None:
    from django.conf import settings

    from portal.dispatch.health import heartbeat_age

    age = heartbeat_age()
    limit = float(getattr(settings, "PORTAL_WORKER_HEARTBEAT_MAX", 90))
    if age is None or age > limit:
        raise RuntimeError(f"no worker heartbeat for {age if age is not None else 'ever'} s")


class HealthCheckMiddleware:
    """First in ``MIDDLEWARE``: the two probes, for GET and HEAD, nothing else."""

    ROUTES: ClassVar[dict] = {"/healthz": liveness, "/readyz": readiness}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        probe = self.ROUTES.get(request.path_info)
        if probe is not None and request.method in ("GET", "HEAD"):
            return probe(request)
        return self.get_response(request)
