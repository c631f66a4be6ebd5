"""The worker's pass over a new upload (issue 16: the web request only checks): an image is decoded
in full, turned upright, re-encoded without EXIF and given its thumbnail; a PDF's pages are
rasterised (pdftoppm) into page images, on which the applicant draws the mask boxes.

``attachment_process`` runs in the worker (``applications.tasks.process_upload_task``, queued on
commit by the upload); a page that needs the finished scan before the worker got to it (the
masking page) calls it too.  The row is locked while the pass runs, and the pass does nothing on
a row already processed, so the two never both write.  OCR of the scan is queued once it is done.
"""

from __future__ import annotations

import hashlib
import io
import logging

from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image

from portal.dispatch import enqueue_on_commit

from .masking import RasteriseFailed, rasterise_pdf
from .models import Attachment, Processing
from .models.attachment import page_path
from .ocr import ocr_available
from .uploads import PDF_RASTER_DPI, UploadRefused, normalise_jpeg, page_thumbnail

logger = logging.getLogger(__name__)


def _page_size(jpeg: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(jpeg)) as page:
        return page.size


def attachment_process(*, attachment_id: int) -> Attachment | None:
    """Finish one upload; returns the attachment (processed, or marked ``error``), None if gone."""
    from .tasks import ocr_propose_task  # noqa: PLC0415 - the tasks module imports this one

    with transaction.atomic():
        attachment = (Attachment.objects.select_for_update().select_related("application")
                      .filter(pk=attachment_id).first())
        if attachment is None or attachment.processing_status != Processing.PENDING:
            return attachment
        storage = attachment.file.storage
        raw_name = attachment.file.name
        with attachment.file.open("rb") as handle:
            data = handle.read()
        written: list[str] = []
        try:
            if attachment.is_pdf:
                pages = rasterise_pdf(data, dpi=PDF_RASTER_DPI)
                entries = []
                for number, page in enumerate(pages, start=1):
                    name = storage.save(page_path(attachment, number), ContentFile(page))
                    written.append(name)
                    width, height = _page_size(page)
                    entries.append({"name": name, "width": width, "height": height})
                attachment.pages, attachment.page_count = entries, len(entries)
                thumbnail = page_thumbnail(pages[0])
            else:
                content, width, height, thumbnail = normalise_jpeg(data)
                attachment.file.save("upload", ContentFile(content), save=False)
                written.append(attachment.file.name)
                attachment.width, attachment.height = width, height
                attachment.size, attachment.sha256 = len(content), hashlib.sha256(content).hexdigest()
            attachment.thumbnail.save("thumb", ContentFile(thumbnail), save=False)
            written.append(attachment.thumbnail.name)
        except (RasteriseFailed, UploadRefused, OSError) as exc:
            logger.warning("upload %s could not be processed: %s", attachment.uid, exc)
            for name in written:
                storage.delete(name)
            Attachment.objects.filter(pk=attachment.pk).update(processing_status=Processing.ERROR)
            attachment.processing_status = Processing.ERROR
            return attachment
        attachment.processing_status = Processing.DONE
        if ocr_available():
            attachment.ocr_status = "pending"
            enqueue_on_commit(ocr_propose_task, attachment_id=attachment.pk)
        else:
            attachment.ocr_status = "unavailable"
        attachment.save()
        if attachment.file.name != raw_name:
            # The upload as sent (with its EXIF) goes once the re-encoded copy is committed.
            transaction.on_commit(lambda: storage.delete(raw_name))
    return attachment


def ensure_processed(attachment: Attachment) -> Attachment:
    """The finished scan now: the worker's pass, run here if the worker has not done it yet."""
    if attachment.is_pdf and not attachment.pages and attachment.processing_status == Processing.DONE:
        # Stored before PDFs were rasterised (migration 0002 marks every row done): do it now.
        Attachment.objects.filter(pk=attachment.pk).update(processing_status=Processing.PENDING)
        attachment.processing_status = Processing.PENDING
    if attachment.processing_status == Processing.PENDING:
        attachment_process(attachment_id=attachment.pk)
        attachment.refresh_from_db()
    return attachment


def attachment_rasterise_legacy_pdf(*, attachment_id: int) -> Attachment | None:
    """A PDF stored before PDFs were masked (answered "no" automatically, served as uploaded):
    its pages rasterised and, when it is answered "no", its masked copy made without boxes, so
    the committee side gets the rasterised copy as for every PDF now.  Unanswered PDFs are left
    to the applicant's answer.  Derived files only: the answer is not changed."""
    from .masking import burn_pdf_pages  # noqa: PLC0415 - kept next to its one use

    attachment = Attachment.objects.filter(pk=attachment_id).first()
    if attachment is None or not attachment.is_pdf:
        return attachment
    attachment = ensure_processed(attachment)
    if attachment.processing_status != Processing.DONE or attachment.masked or attachment.needs_masking is not False:
        return attachment
    storage = attachment.file.storage
    pages = []
    for page in attachment.pages:
        with storage.open(page["name"], "rb") as handle:
            pages.append(handle.read())
    attachment.masked.save("masked", ContentFile(burn_pdf_pages(pages, [], dpi=PDF_RASTER_DPI)), save=False)
    Attachment.objects.filter(pk=attachment.pk, masked="").update(masked=attachment.masked.name)
    return attachment
