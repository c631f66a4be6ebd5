"""The worker's OCR passes over a scan (``applications.tasks``): propose mask boxes on an
original, and read a masked copy back for what is still legible.  They write only what OCR found
(derived data, not audited: the applicant's answer is, ``attachment.masking_answered``)."""

from __future__ import annotations

import io
from contextlib import ExitStack

from PIL import Image

from .masking import burn_page, page_boxes
from .models import Attachment
from .ocr import OCRUnavailable, find_identity


def _identity(attachment: Attachment) -> tuple[str, str]:
    user = attachment.application.applicant
    return user.real_name, user.id_number or ""


def _pdf_hits(attachment: Attachment, name: str, number: str, *, burnt: bool) -> list[dict]:
    """OCR of each rasterised page of a PDF (with its boxes burnt in when ``burnt``); each hit
    names its page (0-based) as the boxes do."""
    hits = []
    storage = attachment.file.storage
    for page_number, page in enumerate(attachment.pages):
        with ExitStack() as stack:
            handle = stack.enter_context(storage.open(page["name"], "rb"))
            image = stack.enter_context(Image.open(handle))
            if burnt:
                image = Image.open(io.BytesIO(burn_page(image, page_boxes(attachment.mask_boxes, page_number))))
            hits += [{**hit.as_json(), "page": page_number}
                     for hit in find_identity(image, name=name, id_number=number)]
    return hits


def attachment_ocr_propose(*, attachment_id: int) -> Attachment | None:
    """Propose mask boxes where the applicant's name or ID number appears on the original (every
    page of a PDF)."""
    attachment = Attachment.objects.select_related("application__applicant").filter(pk=attachment_id).first()
    if attachment is None or not attachment.is_processed:
        return None
    if attachment.ocr_status == "done":  # run twice (at-least-once delivery): one result
        return attachment
    name, number = _identity(attachment)
    try:
        if attachment.is_pdf:
            hits = _pdf_hits(attachment, name, number, burnt=False)
        else:
            with attachment.file.open("rb") as handle, Image.open(handle) as image:
                hits = [h.as_json() for h in find_identity(image, name=name, id_number=number)]
    except OCRUnavailable:
        Attachment.objects.filter(pk=attachment_id).update(ocr_status="unavailable")
        return attachment
    Attachment.objects.filter(pk=attachment_id).update(ocr_hits=hits, ocr_status="done")
    attachment.refresh_from_db()
    return attachment


def attachment_ocr_check_masked(*, attachment_id: int) -> Attachment | None:
    """Read the masked copy back: anything of the name or ID number still legible is recorded."""
    attachment = Attachment.objects.select_related("application__applicant").filter(pk=attachment_id).first()
    if attachment is None or not attachment.masked:
        return None
    name, number = _identity(attachment)
    masked_name = attachment.masked.name
    try:
        if attachment.is_pdf:
            # The masked PDF is these pages with these boxes burnt in (``masking.burn_pdf_pages``).
            hits = _pdf_hits(attachment, name, number, burnt=True)
        else:
            with attachment.masked.open("rb") as handle, Image.open(handle) as image:
                hits = [h.as_json() for h in find_identity(image, name=name, id_number=number)]
    except OCRUnavailable:
        Attachment.objects.filter(pk=attachment_id, masked=masked_name).update(mask_check_status="unavailable")
        return attachment
    # Only if the masked copy is still the one read: the applicant may have redrawn meanwhile.
    Attachment.objects.filter(pk=attachment_id, masked=masked_name).update(
        mask_check=hits, mask_check_status="leak" if hits else "clean")
    attachment.refresh_from_db()
    return attachment
