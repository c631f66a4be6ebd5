"""Thin Celery tasks: ids in, the worker renders and stores (``review.documents.render``).

Delivery is at-least-once (``acks_late`` + ``reject_on_worker_lost`` in settings): a worker killed
mid-render leaves the message queued and the next worker renders again; rendering is idempotent,
so that converges on one complete document.  An exception is retried a few times with backoff;
``DocumentRefused`` (e.g. not yet accepted) is final.

The worker imports WeasyPrint and builds the font configuration once per process, before the
first task (``worker_process_init``).
"""

from __future__ import annotations

import logging
import time

from celery import shared_task
from celery.signals import worker_process_init

from .engine import warm_up
from .models import Document
from .render import DocumentRefused, document_render

logger = logging.getLogger(__name__)

RETRY = {"autoretry_for": (Exception,), "retry_backoff": 2, "retry_backoff_max": 30,
         "max_retries": 3, "acks_late": True}


@shared_task(name="documents.render_document", **RETRY)
def render_document_task(*, document_id: int) -> str:
    try:
        document = document_render(document_id=document_id)
    except Document.DoesNotExist:
        # Removed since it was asked for (a review form already current with the same data keeps
        # its current version and drops the queued one): nothing to render, not a failure.
        logger.info("document %s no longer exists: nothing to render", document_id)
        return "gone"
    except DocumentRefused as refused:
        logger.warning("document %s refused: %s", document_id, refused.message)
        return "refused"
    return str(document.uid)


def _warm_up(where: str) -> None:
    began = time.monotonic()
    warm_up()
    logger.info("documents engine ready in %s (%.2f s): WeasyPrint and fonts loaded once", where,
                time.monotonic() - began)


@worker_process_init.connect
def _warm_worker_process(**kwargs) -> None:
    # Sent in every prefork child and, with the solo pool, in the worker process itself: the
    # processes that run tasks.  (The threads pool builds the engine on its first task instead.)
    _warm_up("worker process")
