"""Rendering the electronic certificate (worker side): data → HTML → PDF → storage.

``certificate_render(certificate_id=)`` is the body of the worker task.  It is idempotent: a
certificate already rendered is returned as is; a crash half-way leaves the row pending and the
retry renders again onto the same storage name.  The web process never imports WeasyPrint.
"""

from __future__ import annotations

import base64
import hashlib
import logging

import segno
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from .certificates import day_text, verify_url
from .models import Certificate, CertificateStatus, certificate_path

logger = logging.getLogger(__name__)


def qr_data_uri(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=4, border=1, dark="#111")


def photo_data_uri(certificate: Certificate) -> str:
    """The 1-inch photo the applicant uploaded for the certificate (the original, unmasked)."""
    photo = certificate.application.attachments.filter(slot="photo").order_by("order", "id").first()
    if photo is None or not photo.file:
        return ""
    with photo.file.open("rb") as fh:
        payload = fh.read()
    return "data:image/jpeg;base64," + base64.b64encode(payload).decode("ascii")


def certificate_context(certificate: Certificate) -> dict:
    return {
        "c": certificate, "meeting_day": day_text(certificate.meeting_date),
        "issued_day": day_text(certificate.issued_on),
        "qr": qr_data_uri(verify_url(certificate)), "verify_url": verify_url(certificate),
        "photo": photo_data_uri(certificate),
    }


def render_pdf(html: str) -> bytes:
    """HTML → PDF with the portal's document engine (CJK fonts loaded once per worker)."""
    try:
        from ..documents.engine import engine
    except ImportError:  # the documents engine is not merged yet: plain WeasyPrint
        from PIL import ImageFile

        truncated = ImageFile.LOAD_TRUNCATED_IMAGES
        import weasyprint

        # Importing WeasyPrint relaxes Pillow process-wide; the upload checks need it strict.
        ImageFile.LOAD_TRUNCATED_IMAGES = truncated
        return weasyprint.HTML(string=html).write_pdf()
    return engine().render(html).content


def store_pdf(name: str, content: bytes) -> str:
    """Write ``content`` at ``name`` so that no reader ever sees half a file (the documents'
    atomic write: temporary file and rename on disk, one upload on S3); returns the name."""
    from ..documents.services import write_atomically

    write_atomically(name, content, hashlib.sha256(content).hexdigest(), storage=default_storage)
    return name


def certificate_render(*, certificate_id: int) -> Certificate:
    certificate = Certificate.objects.select_related("application").get(pk=certificate_id)
    if certificate.is_ready:
        return certificate
    try:
        html = render_to_string("aftercare/pdf/certificate.html", certificate_context(certificate))
        content = render_pdf(html)
        stored = store_pdf(certificate_path(certificate, "certificate.pdf"), content)
    except Exception as exc:
        Certificate.objects.filter(pk=certificate_id).update(
            status=CertificateStatus.FAILED, error=_("生成失败：%s") % (str(exc)[:300] or type(exc).__name__))
        raise
    Certificate.objects.filter(pk=certificate_id).update(
        status=CertificateStatus.READY, error="", checksum=hashlib.sha256(content).hexdigest(), file=stored)
    logger.info("certificate %s rendered: %s, %d bytes", certificate.number, stored, len(content))
    certificate.refresh_from_db()
    return certificate
