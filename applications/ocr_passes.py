"""The worker's OCR passes over a scan (``applications.tasks``): propose mask boxes on an
original, and read a masked copy back for what is still legible.  They write only what OCR found
(derived data, not audited: the applicant's answer is, ``attachment.masking_answered``)."""

from __future__ import annotations

from PIL import Image

from .models import Attachment
from .ocr import OCRUnavailable, find_identity


def _identity(attachment: Attachment) -> tuple[str, str]:
    user = attachment.application.applicant
    return user.real_name, user.id_number or ""


def attachment_ocr_propose(*, attachment_id: int) -> Attachment | None:
    """Propose mask boxes where the applicant's name or ID number appears on the original."""
    attachment = Attachment.objects.select_related("application__applicant").filter(pk=attachment_id).first()
    if attachment is None or not attachment.is_image:
        return None
    if attachment.ocr_status == "done":  # run twice (at-least-once delivery): one result
        return attachment
    name, number = _identity(attachment)
    try:
        with attachment.file.open("rb") as handle, Image.open(handle) as image:
            hits = find_identity(image, name=name, id_number=number)
    except OCRUnavailable:
        Attachment.objects.filter(pk=attachment_id).update(ocr_status="unavailable")
        return attachment
    Attachment.objects.filter(pk=attachment_id).update(ocr_hits=[h.as_json() for h in hits], ocr_status="done")
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
        with attachment.masked.open("rb") as handle, Image.open(handle) as image:
            hits = find_identity(image, name=name, id_number=number)
    except OCRUnavailable:
        Attachment.objects.filter(pk=attachment_id, masked=masked_name).update(mask_check_status="unavailable")
        return attachment
    # Only if the masked copy is still the one read: the applicant may have redrawn meanwhile.
    Attachment.objects.filter(pk=attachment_id, masked=masked_name).update(
        mask_check=[h.as_json() for h in hits], mask_check_status="leak" if hits else "clean")
    attachment.refresh_from_db()
    return attachment
