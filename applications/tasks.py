"""Celery tasks of the applicant's side: thin wrappers (ids in, service call) started with
``transaction.on_commit`` by ``applications.services``."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(bind=True, max_retries=2, default_retry_delay=10, acks_late=True)
def ocr_propose_task(self, *, attachment_id: int) -> str:
    try:
        attachment = services.attachment_ocr_propose(attachment_id=attachment_id)
    except Exception as exc:  # Tesseract crashed or timed out: try again, then leave manual boxes.
        if self.request.retries >= self.max_retries:
            from .models import Attachment

            Attachment.objects.filter(pk=attachment_id).update(ocr_status="error")
            return "error"
        raise self.retry(exc=exc)
    return attachment.ocr_status if attachment else "gone"


@shared_task(bind=True, max_retries=2, default_retry_delay=10, acks_late=True)
def ocr_check_masked_task(self, *, attachment_id: int) -> str:
    try:
        attachment = services.attachment_ocr_check_masked(attachment_id=attachment_id)
    except Exception as exc:  # see above
        if self.request.retries >= self.max_retries:
            from .models import Attachment

            Attachment.objects.filter(pk=attachment_id).update(mask_check_status="error")
            return "error"
        raise self.retry(exc=exc)
    return attachment.mask_check_status if attachment else "gone"
