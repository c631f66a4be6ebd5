"""The worker's side of the outbox: Celery signals keep each ``Outbox`` row's state.

Only messages published by ``portal.dispatch`` (task id ``outbox-<id>``) are followed.  A task
killed with its process sends nothing: its row stays ``running`` until its deadline, and the
sweep publishes it again (the broker, too, redelivers it: ``acks_late`` +
``reject_on_worker_lost``; the task is idempotent).
"""

from __future__ import annotations

import datetime as dt
import logging
import time

from celery import signals
from django.utils import timezone

from . import outbox_id_of

logger = logging.getLogger(__name__)

def _grace() -> float:
    from django.conf import settings

    return float(getattr(settings, "PORTAL_OUTBOX_RUNNING_GRACE", 60))


def _rows(task_id):
    from .models import OPEN_STATUSES, Outbox

    pk = outbox_id_of(task_id)
    return None if pk is None else Outbox.objects.filter(pk=pk, status__in=OPEN_STATUSES)


def _time_limit(task) -> float:
    from django.conf import settings

    return float(getattr(task, "time_limit", None) or getattr(settings, "CELERY_TASK_TIME_LIMIT", None) or 600)


def _guard(handler):
    def run(*args, **kwargs):
        try:
            handler(*args, **kwargs)
        except Exception:  # noqa: BLE001 - bookkeeping never fails a task; the sweep catches up
            logger.warning("outbox bookkeeping failed in %s", handler.__name__, exc_info=True)
    run.__name__ = handler.__name__
    return run


@signals.task_prerun.connect(weak=False)
@_guard
def _started(task_id=None, task=None, **kwargs) -> None:
    from django.db.models import F

    from .models import OutboxStatus

    rows = _rows(task_id)
    if rows is not None:
        now = timezone.now()
        rows.update(status=OutboxStatus.RUNNING, started_at=now, runs=F("runs") + 1,
                    due_at=now + dt.timedelta(seconds=_time_limit(task) + _grace()))


@signals.task_retry.connect(weak=False)
@_guard
def _retrying(request=None, reason=None, **kwargs) -> None:
    from .models import OutboxStatus

    rows = _rows(getattr(request, "id", None))
    if rows is None:
        return
    when = getattr(reason, "when", None)
    now = timezone.now()
    if isinstance(when, dt.datetime):
        eta = when if timezone.is_aware(when) else timezone.make_aware(when, dt.timezone.utc)
    else:
        eta = now + dt.timedelta(seconds=float(when or 0))
    rows.update(status=OutboxStatus.SENT, error=str(getattr(reason, "exc", None) or reason)[:2000],
                due_at=max(eta, now) + dt.timedelta(seconds=_time_limit(kwargs.get("sender")) + _grace()))


@signals.task_postrun.connect(weak=False)
@_guard
def _finished(task_id=None, retval=None, state=None, **kwargs) -> None:
    from .models import OutboxStatus

    rows = _rows(task_id)
    if rows is None:
        return
    if state == "SUCCESS":
        rows.update(status=OutboxStatus.DONE, finished_at=timezone.now(), error="")
    elif state == "FAILURE":
        logger.error("task %s failed for good: dead letter (outbox)", task_id)
        rows.update(status=OutboxStatus.DEAD, finished_at=timezone.now(), error=repr(retval)[:2000])


HEARTBEAT_SECONDS = 10


@signals.worker_ready.connect(weak=False)
def _start_heartbeat(**kwargs) -> None:
    """Every worker writes a heartbeat to the broker (``portal.dispatch.health``) for ``/readyz``."""
    import threading

    from .health import heartbeat_beat

    def beat() -> None:
        while True:
            try:
                heartbeat_beat()
            except Exception:  # noqa: BLE001 - the broker is down: readiness will say so
                logger.debug("worker heartbeat not written", exc_info=True)
            time.sleep(HEARTBEAT_SECONDS)

    threading.Thread(target=beat, name="portal-heartbeat", daemon=True).start()
