"""The Celery queues a worker may consume, by kind of work: ``interactive`` (exports, single
documents), ``bulk`` (batch renders), ``ocr``, ``mail``, and the default queue for anything not
routed.  Routing lives in settings (``CELERY_TASK_ROUTES``); this module only names the queues so
that the start script, the metrics and the README agree.

``python -m portal.queues all`` prints every queue (a single worker consuming everything: the
newcomer's ``run.sh``); ``python -m portal.queues interactive,default`` resolves ``default`` to the
configured default queue.
"""

from __future__ import annotations

import sys

KINDS = ("interactive", "bulk", "ocr", "mail")


def known_queues() -> list[str]:
    from django.conf import settings

    names = [settings.CELERY_TASK_DEFAULT_QUEUE, *KINDS]
    for route in (getattr(settings, "CELERY_TASK_ROUTES", None) or {}).values():
        if isinstance(route, dict) and route.get("queue"):
            names.append(route["queue"])
    for queue in getattr(settings, "CELERY_TASK_QUEUES", None) or ():
        names.append(getattr(queue, "name", queue))
    return list(dict.fromkeys(names))


def resolve(spec: str) -> list[str]:
    from django.conf import settings

    if spec.strip() in ("", "all"):
        return known_queues()
    names = [n.strip() for n in spec.split(",") if n.strip()]
    return list(dict.fromkeys(settings.CELERY_TASK_DEFAULT_QUEUE if n == "default" else n for n in names))


if __name__ == "__main__":
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    django.setup()
    print(",".join(resolve(sys.argv[1] if len(sys.argv) > 1 else "all")))
