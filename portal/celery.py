"""The Celery app.  Broker and schedule come from Django settings (``CELERY_*``)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Worker and beat: structured logs with the request id, task metrics, queue lengths (portal/deploy/).
from portal import logs, metrics  # noqa: E402 - after the app is configured: the signals are Celery's

logs.connect_celery()
metrics.connect_celery()
