"""The one way to start a side effect in the worker: ``enqueue_on_commit``.

Every render, export, OCR pass and e-mail is queued through here, after the caller's transaction
commits (at once when there is none), so a rolled-back write never starts anything and a worker
never reads a row that is not there yet.  A broker that is down does not undo the request: the
failure is logged and the row stays as it was (pending documents offer "render again"; OCR stays
"pending" and the page offers manual boxes).  Issue 14 turns this function into a transactional
outbox; keeping it the only door makes that a one-place change.

Queues (``settings.CELERY_TASK_ROUTES`` routes each task by name; a worker started without
``-Q`` consumes all of them, so one worker still does everything):

* ``interactive`` — exports and single documents someone waits for on a page;
* ``bulk`` — renders started in batches (certificates);
* ``ocr`` — the work on uploaded scans: re-encoding, thumbnails, PDF page images, OCR;
* ``mail`` — e-mail of notifications.
"""

from __future__ import annotations

import logging

from django.db import transaction

logger = logging.getLogger(__name__)

def enqueue_on_commit(task, *, queue: str | None = None, **kwargs) -> None:
    """Send ``task`` with keyword arguments ``kwargs`` once the current transaction commits.

    ``queue`` overrides the route of the task's name (``settings.CELERY_TASK_ROUTES``).
    """
    options = {"queue": queue} if queue else {}

    def send() -> None:
        try:
            task.apply_async(kwargs=kwargs, **options)
        except Exception:  # noqa: BLE001 - kombu raises many types; logged, the row stays pending
            logger.exception("could not queue %s %s", task.name, kwargs)

    # What will be sent, readable from the callback (tests capture on-commit callbacks).
    send.task_name, send.task_kwargs, send.queue = task.name, kwargs, queue
    transaction.on_commit(send)
