"""The review form (专业技术职务任职资格评审表; titled as the campaign says, e.g. 003's 初定
《初聘专业技术职务任职资格呈报表》, see ``applications.campaign_texts.review_form_title``).

Pure rendering: ``render_review_form(facts, ...)`` turns the data of ``facts.application_facts``
(plus the photo's bytes and the verification code) into PDF bytes.  What the committees require
(notices 000/001/003): A4, printed double-sided, so an even number of pages; the applicant's
photo; every section; boxes for the handwritten commitment, the signature, the unit's and the
competent unit's opinions and seals; a watermark on every page ("有水印方为有效") naming the
committee and the application code; page x / y; a QR code and short code for verification.

Even pages in one pass: the opinion sheet (本人承诺 … 评审委员会意见) is exactly two pages and
starts on a right-hand page (``break-before: right``), so WeasyPrint inserts the blank back page
itself when the sections end on a front page.  Should an unusual campaign text ever push the
sheet past two pages, ``render_review_form`` falls back to a second pass with an explicit blank
page — the count is even in every case (tests check long and short applications).
"""

from __future__ import annotations

import base64
import datetime as dt
import io

import segno
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from .engine import SANS_STACK, SERIF_STACK, RenderedPDF, engine
from .facts import chinese_date

# The photo prints at 26 × 36 mm; 300 dpi is plenty and keeps the PDF small whatever was uploaded.
PHOTO_MAX_PX = (310, 430)


def form_title(facts: dict) -> str:
    """The campaign's title for this application's form (``facts["form_title"]``)."""
    return facts.get("form_title") or _("专业技术职务任职资格评审表")


def photo_for_print(data: bytes | None) -> bytes | None:
    """Upright, RGB, at most ``PHOTO_MAX_PX``, JPEG: deterministic for the same upload."""
    if not data:
        return None
    try:
        with Image.open(io.BytesIO(data)) as src:
            image = ImageOps.exif_transpose(src).convert("RGB")
    except Exception:  # noqa: BLE001 — an unreadable photo prints the placeholder, never fails the form
        return None
    image.thumbnail(PHOTO_MAX_PX)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)
    return out.getvalue()


def qr_data_uri(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=4, border=0)


def _watermark_rows() -> list[int]:
    return list(range(10, 270, 44))


def review_form_html(facts: dict, *, photo: bytes | None, verify_code: str, verify_url: str,
                     generated_on: dt.date, version: int, blank_tail: bool = False) -> str:
    photo_jpeg = photo_for_print(photo)
    context = {
        "f": facts,
        "form_title": form_title(facts),
        # Constant font stacks for the <style> block, where HTML escaping would break the quotes.
        "serif": mark_safe(SERIF_STACK),
        "sans": mark_safe(SANS_STACK),
        "verify_code": verify_code,
        "qr_data_uri": qr_data_uri(verify_url),
        "photo_data_uri": ("data:image/jpeg;base64," + base64.b64encode(photo_jpeg).decode()) if photo_jpeg else "",
        "generated_on": _("生成日期：%s") % chinese_date(generated_on),
        "version": version,
        "watermark": f"{facts['committee']}　{facts['code']}",
        "watermark_rows": _watermark_rows(),
        "blank_tail": blank_tail,
    }
    return render_to_string("documents/pdf/review_form.html", context)


def render_review_form(facts: dict, *, photo: bytes | None, verify_code: str, verify_url: str,
                       generated_on: dt.date, version: int = 1) -> RenderedPDF:
    kwargs = {"photo": photo, "verify_code": verify_code, "verify_url": verify_url,
              "generated_on": generated_on, "version": version}
    rendered = engine().render(review_form_html(facts, **kwargs))
    if rendered.pages % 2:
        rendered = engine().render(review_form_html(facts, blank_tail=True, **kwargs))
    return rendered
