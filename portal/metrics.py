"""Prometheus metrics on an internal port (``PORTAL_METRICS_PORT``; nginx never routes to it).

* web: django-prometheus' middleware (request latency, responses and exceptions by view); the
  gunicorn master serves what its workers wrote (``portal/deploy/gunicorn.conf.py``);
* worker: task durations, outcomes (succeeded / failed / retried) by task, from Celery's signals;
  the worker's main process serves what its pool children wrote;
* beat: the length of every queue, read from the broker at scrape time, and whether this beat
  holds the leader lock (``portal.beat``).

Processes that fork (gunicorn workers, prefork children) share counters through files in
``PROMETHEUS_MULTIPROC_DIR`` (prometheus-client's multiprocess mode), which the start scripts
empty at start.  Metrics are per machine by nature: nothing else of the portal lives there.
"""

from __future__ import annotations

import logging
import os
import time

from prometheus_client import CollectorRegistry, Counter, Histogram, start_http_server
from prometheus_client.core import GaugeMetricFamily

log = logging.getLogger(__name__)

TASK_SECONDS = Histogram(
    "portal_celery_task_duration_seconds", "Time a Celery task ran, by task and outcome.",
    ["task", "outcome"], buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900))
TASKS = Counter("portal_celery_tasks_total", "Celery tasks finished, by task and outcome.", ["task", "outcome"])

_started: dict[str, float] = {}


def registry() -> CollectorRegistry:
    """The registry to serve: the files of every process when in multiprocess mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        collected = CollectorRegistry()
        multiprocess.MultiProcessCollector(collected)
        return collected
    from prometheus_client import REGISTRY

    return REGISTRY


def serve(*, extra=None) -> bool:
    """Start the exporter thread if ``PORTAL_METRICS_PORT`` is set; ``extra`` collectors are added
    (in multiprocess mode only the serving process registers them)."""
    port = os.environ.get("PORTAL_METRICS_PORT", "")
    if not port:
        return False
    served = registry()
    for collector in extra or ():
        served.register(collector)
    start_http_server(int(port), addr=os.environ.get("PORTAL_METRICS_ADDR", "0.0.0.0"), registry=served)
    log.info("metrics exporter listening on port %s", port)
    return True


# -- Celery ----------------------------------------------------------------------------------------

def connect_celery() -> None:
    from celery import signals  # local: the web process never needs Celery's signal machinery

    signals.task_prerun.connect(_task_started, weak=False)
    signals.task_postrun.connect(_task_finished, weak=False)
    signals.task_retry.connect(_task_retried, weak=False)
    signals.worker_init.connect(_worker_serve, weak=False)
    signals.worker_process_shutdown.connect(_child_gone, weak=False)
    signals.beat_init.connect(_beat_serve, weak=False)


def _task_started(task_id=None, **kwargs) -> None:
    _started[task_id] = time.monotonic()


def _task_finished(task_id=None, task=None, state=None, **kwargs) -> None:
    began = _started.pop(task_id, None)
    outcome = {"SUCCESS": "succeeded", "FAILURE": "failed", "RETRY": "retried"}.get(state or "", "other")
    name = getattr(task, "name", "unknown")
    TASKS.labels(name, outcome).inc()
    if began is not None:
        TASK_SECONDS.labels(name, outcome).observe(time.monotonic() - began)


def _task_retried(sender=None, **kwargs) -> None:
    # task_postrun also fires, with state RETRY; nothing more to count here than the log line.
    log.info("task %s will be retried", getattr(sender, "name", "?"))


def _worker_serve(**kwargs) -> None:
    serve()


def _child_gone(pid=None, **kwargs) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid or os.getpid())


def _beat_serve(**kwargs) -> None:
    serve(extra=[QueueLengths()])


class QueueLengths:
    """``portal_celery_queue_length{queue}``, read from Redis when scraped (beat serves it: it is
    the one process of which there is exactly one)."""

    def collect(self):
        from portal.queues import known_queues

        family = GaugeMetricFamily("portal_celery_queue_length", "Messages waiting in a Celery queue.",
                                   labels=["queue"])
        lengths = queue_lengths(known_queues())
        for queue, length in sorted(lengths.items()):
            family.add_metric([queue], length)
        yield family


def queue_lengths(queues) -> dict[str, int]:
    from django.conf import settings

    if not settings.REDIS_URL:
        return {}
    import redis

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=3)
    try:
        return {queue: int(client.llen(queue)) for queue in queues}
    finally:
        client.close()
