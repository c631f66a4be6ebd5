"""Celery tasks of the applicant's side: thin wrappers (ids in, service call), queued on commit
by ``applications.services`` and ``applications.processing`` through
``portal.dispatch.enqueue_on_commit`` (queue ``ocr``: the work on uploaded scans)."""

from __future__ import annotations

from celery import shared_task

from .models import Attachment
from .ocr_passes import attachment_ocr_check_masked, attachment_ocr_propose
from .processing import attachment_process


def _run(task, service, status_field: str, attachment_id: int) -> str:
    """Call ``service``; on a crash retry, and after the last retry record "error" so the page stops
    waiting and offers manual boxes."""
    try:
        attachment = service(attachment_id=attachment_id)
    except Exception as exc:  # Tesseract crashed or timed out: not the applicant's problem.
        if task.request.retries >= task.max_retries:
            Attachment.objects.filter(pk=attachment_id).update(**{status_field: "error"})
            return "error"
        raise task.retry(exc=exc) from exc
    return getattr(attachment, status_field) if attachment else "gone"


@shared_task(name="applications.ocr_propose", bind=True, max_retries=2, default_retry_delay=10, acks_late=True)
def ocr_propose_task(self, *, attachment_id: int) -> str:
    return _run(self, attachment_ocr_propose, "ocr_status", attachment_id)


@shared_task(name="applications.ocr_check_masked", bind=True, max_retries=2, default_retry_delay=10,
             acks_late=True)
def ocr_check_masked_task(self, *, attachment_id: int) -> str:
    return _run(self, attachment_ocr_check_masked, "mask_check_status", attachment_id)


@shared_task(name="applications.process_upload", bind=True, max_retries=2, default_retry_delay=10, acks_late=True)
def process_upload_task(self, *, attachment_id: int) -> str:
    """Re-encode and thumbnail an image, or rasterise a PDF's pages (``attachment_process``)."""
    return _run(self, attachment_process, "processing_status", attachment_id)
