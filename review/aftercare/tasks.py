"""Thin Celery tasks of the after-acceptance work: ids in, the service does the rest.

Imported by ``review.tasks`` (which Celery autodiscovers).  Delivery is at-least-once
(``acks_late``); ``render.certificate_render`` is idempotent, so a retry converges on one PDF.
"""

from __future__ import annotations

from celery import shared_task

RETRY = {"autoretry_for": (Exception,), "retry_backoff": 2, "retry_backoff_max": 30, "max_retries": 3,
         "acks_late": True}


@shared_task(name="aftercare.render_certificate", **RETRY)
def render_certificate_task(*, certificate_id: int) -> str:
    from .render import certificate_render

    return certificate_render(certificate_id=certificate_id).number


@shared_task(name="aftercare.render_publicity_list", **RETRY)
def render_publicity_list_task(*, campaign_id: int) -> str:
    from .exports import publicity_list_render

    return publicity_list_render(campaign_id=campaign_id).list_source
