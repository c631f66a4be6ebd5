"""The one way to start a side effect in the worker: ``enqueue_on_commit`` — a transactional outbox.

Every render, export, OCR pass and e-mail is queued through here.  The call writes an
``Outbox`` row in the caller's transaction (so the work is recorded exactly when the action
commits, and never when it rolls back) and publishes the Celery message once the transaction has
committed (at once when there is none).  Publishing has a short timeout and no retries in the
request (``settings.CELERY_BROKER_TRANSPORT_OPTIONS``, ``retry=False``): a broker that is down
costs the request a second at most, the row stays ``pending`` and the beat job
``dispatch.sweep`` (every ``PORTAL_OUTBOX_SWEEP_SECONDS``) publishes it when the broker is back.

The message's task id is ``outbox-<row id>``; the worker's signals (``portal.dispatch.signals``)
mark the row ``done`` when the task succeeds, ``dead`` (the dead letter, with the error) when it
fails for good, and push its deadline back while it runs or waits for a retry.  A row that is
``sent`` but not done by its deadline (the broker lost the message, the worker died) is published
again by the sweep, with growing pauses.  Every task is therefore run *at least* once, and every
task is idempotent: running it twice leaves one result (one document, one OCR result, one mail
per notification).  Administrators see the rows in the admin (待发任务): dead letters can be sent
again (「重新发送」).

Queues (``settings.CELERY_TASK_ROUTES`` routes each task by name; a worker started without
``-Q`` consumes all of them, so one worker still does everything):

* ``interactive`` — exports and single documents someone waits for on a page;
* ``bulk`` — renders started in batches (certificates);
* ``ocr`` — the work on uploaded scans: re-encoding, thumbnails, PDF page images, OCR;
* ``mail`` — e-mail of notifications and password-reset links.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction

logger = logging.getLogger(__name__)

TASK_ID_PREFIX = "outbox-"


def enqueue_on_commit(task, *, queue: str | None = None, **kwargs) -> None:
    """Record ``task`` with keyword arguments ``kwargs`` in the outbox (in the current transaction)
    and publish it once that transaction commits.

    ``queue`` overrides the route of the task's name (``settings.CELERY_TASK_ROUTES``).
    """
    from .models import Outbox

    row = Outbox.objects.create(task=task.name, kwargs=kwargs, queue=queue or "",
                                due_at=_now() + dt.timedelta(seconds=_setting("PORTAL_OUTBOX_PUBLISH_GRACE", 60)))

    def send() -> None:
        publish(row.pk)

    # What will be sent, readable from the callback (tests capture on-commit callbacks).
    send.task_name, send.task_kwargs, send.queue, send.outbox_id = task.name, kwargs, queue, row.pk
    transaction.on_commit(send)


def task_id_of(outbox_id: int) -> str:
    return f"{TASK_ID_PREFIX}{outbox_id}"


def outbox_id_of(task_id: str | None) -> int | None:
    if task_id and task_id.startswith(TASK_ID_PREFIX):
        try:
            return int(task_id[len(TASK_ID_PREFIX):])
        except ValueError:
            return None
    return None


def _now() -> dt.datetime:
    from django.utils import timezone

    return timezone.now()


def _setting(name: str, default: float) -> float:
    from django.conf import settings

    return float(getattr(settings, name, default))


def queued_deadline(attempts: int) -> dt.timedelta:
    """How long a published message may wait before the sweep publishes it again: doubled after
    every publication (so a long queue is not flooded with copies), at most an hour."""
    base = _setting("PORTAL_OUTBOX_QUEUED_SECONDS", 600)
    longest = max(base, _setting("PORTAL_OUTBOX_QUEUED_MAX", 3600))
    return dt.timedelta(seconds=min(base * 2 ** max(0, attempts - 1), longest))


# After a failed publication this process does not try again for a few seconds (the rows stay
# pending for the sweep): a request that queues several tasks pays for one failed attempt at most.
BROKER_DOWN_PAUSE = 5.0
_broker_down_until = 0.0


def publish(outbox_id: int) -> bool:
    """Publish one outbox row now (short timeout, no retry); True when the broker took it.  A row
    already done or dead is left alone."""
    global _broker_down_until
    import time

    from celery import current_app
    from django.db.models import F

    from .models import OPEN_STATUSES, Outbox, OutboxStatus

    row = Outbox.objects.filter(pk=outbox_id, status__in=OPEN_STATUSES).first()
    if row is None:
        return False
    if current_app.conf.task_always_eager:
        # Eager mode (tasks run in-process: the demo walk, scripts): ``send_task`` ignores it, so
        # the task runs here, now, under its outbox id; its signals mark the row as a worker's would.
        current_app.tasks[row.task].apply(kwargs=row.kwargs, task_id=task_id_of(row.pk),
                                          throw=current_app.conf.task_eager_propagates)
        return True
    options = {"queue": row.queue} if row.queue else {}
    try:
        if time.monotonic() < _broker_down_until:
            raise ConnectionError("the broker did not answer a moment ago")
        current_app.send_task(row.task, kwargs=row.kwargs, task_id=task_id_of(row.pk), retry=False, **options)
    except Exception as exc:  # noqa: BLE001 - kombu raises many types; the row stays pending
        _broker_down_until = time.monotonic() + BROKER_DOWN_PAUSE
        logger.warning("could not publish %s (outbox %s): %s", row.task, row.pk, exc)
        pause = dt.timedelta(seconds=_setting("PORTAL_OUTBOX_SWEEP_SECONDS", 30))
        Outbox.objects.filter(pk=row.pk, status__in=OPEN_STATUSES).update(
            error=f"publish: {exc}"[:2000], due_at=_now() + pause)
        return False
    now = _now()
    Outbox.objects.filter(pk=row.pk, status__in=OPEN_STATUSES).update(
        status=OutboxStatus.SENT, published_at=now, publications=F("publications") + 1,
        due_at=now + queued_deadline(row.publications + 1))
    return True


def sweep(*, limit: int = 500) -> int:
    """Publish every row pending or overdue (the beat job); returns how many were published."""
    from .models import OPEN_STATUSES, Outbox, OutboxStatus

    now = _now()
    limit_reached = Outbox.objects.filter(status__in=OPEN_STATUSES, due_at__lte=now,
                                          publications__gte=_setting("PORTAL_OUTBOX_MAX_PUBLICATIONS", 8))
    for row in limit_reached.only("pk", "task"):
        logger.error("outbox %s (%s) never completed: dead letter", row.pk, row.task)
    limit_reached.update(status=OutboxStatus.DEAD, finished_at=now, error="多次重新发送后仍未完成（可在后台「重新发送」）")
    due = list(Outbox.objects.filter(status__in=OPEN_STATUSES, due_at__lte=now)
               .order_by("due_at").values_list("pk", flat=True)[:limit])
    published = 0
    lease = dt.timedelta(seconds=max(60.0, 2 * _setting("PORTAL_OUTBOX_SWEEP_SECONDS", 30)))
    for pk in due:
        # Claim the row first (two sweeps at once must not both publish it): move its deadline.
        if not Outbox.objects.filter(pk=pk, status__in=OPEN_STATUSES, due_at__lte=now).update(due_at=now + lease):
            continue
        if publish(pk):
            published += 1
        else:
            break  # the broker is down: the rest waits for the next sweep
    if due:
        logger.info("outbox sweep: %d of %d overdue published", published, len(due))
    # Rows done long ago are history nobody needs (dead letters stay until sent again).
    keep = dt.timedelta(days=_setting("PORTAL_OUTBOX_KEEP_DAYS", 30))
    old = list(Outbox.objects.filter(status=OutboxStatus.DONE, finished_at__lt=now - keep)
               .values_list("pk", flat=True)[:1000])
    if old:
        Outbox.objects.filter(pk__in=old).delete()
    return published


def resend(outbox_ids) -> int:
    """Send dead letters (or anything) again: back to pending, published now."""
    from .models import Outbox, OutboxStatus

    count = Outbox.objects.filter(pk__in=list(outbox_ids)).exclude(status=OutboxStatus.PENDING).update(
        status=OutboxStatus.PENDING, error="", finished_at=None, due_at=_now())
    for pk in outbox_ids:
        publish(pk)  # a broker that is down leaves them pending: the sweep sends them
    return count
