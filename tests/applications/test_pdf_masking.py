"""PDF attachments are masked like images (issue 12 item 2): validated by parsing, asked about,
rasterised page by page, boxes burnt into the pixels, and the committee side gets only the
rasterised copy (no text layer, no metadata, never the PDF as uploaded)."""

import io
import json
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader, PdfWriter

from applications import uploads
from applications.checklist import submission_problems
from applications.masking import MASK_COLOUR
from applications.models import Attachment, Processing, StateChange
from applications.processing import attachment_process
from applications.services import MaskingRefused, attachment_set_masking
from applications.states import State
from applications.uploads import CheckedUpload, attach
from tests.factories import ApplicationFactory, ClerkFactory

from .helpers import (
    NAME_ON_PAGE_2_MM,
    certificate_pdf,
    html_renamed_pdf,
    html_with_pdf_header,
    mm_box_to_pixels,
    pdf_bytes,
)

XHR = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest", "HTTP_ACCEPT": "application/json"}


@pytest.fixture
def app(reference, private_storage):
    return ApplicationFactory()


@pytest.fixture
def owner(client, app):
    client.force_login(app.applicant)
    return client


def post_pdf(client, app, data: bytes, name="patent.pdf"):
    return client.post(reverse("applications:upload", args=[app.code]),
                       {"slot": "ip_certificate", "section": "ip",
                        "file": SimpleUploadedFile(name, data, "application/pdf")}, **XHR)


def render_pages(pdf: bytes, dpi=150) -> list[Image.Image]:
    """The PDF as a reader sees it, by an independent renderer run (pdftoppm to PNG)."""
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "in.pdf"
        source.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(source), str(Path(tmp) / "p")], check=True)
        files = sorted(Path(tmp).glob("p-*.png"), key=lambda f: int(f.stem.rsplit("-", 1)[1]))
        return [Image.open(f).convert("RGB") for f in files]


def at_committee(app) -> None:
    """Put ``app`` at the committee step as the chain leaves it (state and its history row)."""
    StateChange.objects.create(application=app, action="approve", from_state=State.COUNTY_REVIEW,
                               to_state=State.COMMITTEE_REVIEW)
    type(app).objects.filter(pk=app.pk).update(state=State.COMMITTEE_REVIEW)


def near(colour, target, tolerance=10):
    return all(abs(a - b) <= tolerance for a, b in zip(colour, target))


@pytest.fixture
def certificate(owner, app):
    data = certificate_pdf(app.applicant.real_name)
    response = post_pdf(owner, app, data)
    assert response.status_code == 200, response.content
    return Attachment.objects.get(application=app, slot="ip_certificate"), data


def test_pdf_with_the_name_on_page_2_is_masked_into_rasterised_pages(owner, app, certificate):
    attachment, original = certificate
    assert attachment.needs_masking is None and not attachment.masking_answered
    assert any("是否包含本人姓名" in p.message for p in submission_problems(app))
    # The masking page shows every page as an image (rasterised now if the worker has not yet).
    page = owner.get(reverse("applications:mask", args=[app.code, attachment.uid]))
    assert page.status_code == 200
    attachment.refresh_from_db()
    assert attachment.processing_status == Processing.DONE and len(attachment.pages) == 2
    html = page.content.decode()
    assert 'data-page="0"' in html and 'data-page="1"' in html and "第2页" in html
    page_image = owner.get(reverse("applications:mask_page", args=[app.code, attachment.uid, 1]))
    assert page_image.status_code == 200 and page_image["Content-Type"] == "image/jpeg"
    assert owner.get(reverse("applications:mask_page", args=[app.code, attachment.uid, 2])).status_code == 404

    x, y, w, h = mm_box_to_pixels(NAME_ON_PAGE_2_MM)
    response = owner.post(reverse("applications:mask", args=[app.code, attachment.uid]),
                          {"needs_masking": "1", "boxes": json.dumps([[x, y, w, h, 1]])})
    assert response.status_code == 302
    attachment.refresh_from_db()
    assert attachment.needs_masking is True and attachment.masking_answered
    assert attachment.mask_boxes == [[x, y, w, h, 1]]
    assert attachment.masked.name.endswith(".pdf") and attachment.reviewer_file == attachment.masked
    with attachment.masked.open("rb") as handle:
        masked = handle.read()

    # No text layer, no fonts, none of the original's metadata.
    reader = PdfReader(io.BytesIO(masked))
    assert len(reader.pages) == 2
    assert all(not (p.extract_text() or "").strip() for p in reader.pages)
    assert all("/Font" not in (p.get("/Resources") or {}) for p in reader.pages)
    info = {str(k): str(v) for k, v in (reader.metadata or {}).items()}
    assert not any("张三的电脑" in v or "专利证书" in v for v in info.values()), info
    text = subprocess.run(["pdftotext", "-", "-"], input=masked, capture_output=True, check=True).stdout
    assert not text.strip()
    assert app.applicant.real_name in subprocess.run(["pdftotext", "-", "-"], input=original, capture_output=True,
                                                     check=True).stdout.decode()

    # Page 2: black under the box, where the original has the name's ink; page 1 untouched.
    masked_pages, original_pages = render_pages(masked), render_pages(original)
    assert len(masked_pages) == 2
    burnt = masked_pages[1]
    assert abs(burnt.width - original_pages[1].width) <= 2
    for px in range(x + 3, x + w - 3, 9):  # the edge pixels are interpolated by the renderer
        for py in range(y + 3, y + h - 3, 9):
            assert near(burnt.getpixel((px, py)), MASK_COLOUR), (px, py)
    ink = original_pages[1].crop((x, y, x + w, y + h)).convert("L")
    assert ink.getextrema()[0] < 80  # the name is there in the original
    assert near(burnt.getpixel((x + w + 150, y + h + 150)), (255, 255, 255), 12)
    assert burnt.crop((0, 0, burnt.width, y - 5)).convert("L").getextrema()[0] < 80  # "发明人" above, kept
    first = masked_pages[0].convert("L")
    assert first.getextrema()[0] < 80 and first.getpixel((x + 20, y + 20)) > 200  # title kept, no box


def test_committee_side_gets_only_the_rasterised_copy(client, app, certificate, settings):
    attachment, original = certificate
    attachment_process(attachment_id=attachment.pk)
    x, y, w, h = mm_box_to_pixels(NAME_ON_PAGE_2_MM)
    attachment.refresh_from_db()
    attachment_set_masking(attachment=attachment, needs_masking=True, boxes=[[x, y, w, h, 1]])
    with attachment.masked.open("rb") as handle:
        masked = handle.read()
    at_committee(app)
    client.force_login(ClerkFactory(committee=app.campaign.committee))
    body = b"".join(client.get(reverse("review:attachment", args=[attachment.pk])).streaming_content)
    assert body == masked and body != original
    review = client.get(reverse("applications:attachment_file", args=[attachment.uid, "review"]))
    assert review.status_code == 200 and review["Content-Type"] == "application/pdf"
    assert b"".join(review.streaming_content) == masked
    for variant in ("original", "thumb"):
        assert client.get(reverse("applications:attachment_file", args=[attachment.uid, variant])).status_code == 404


def test_pdf_answered_no_still_goes_to_the_committee_rasterised(client, app, certificate):
    attachment, original = certificate
    attachment_set_masking(attachment=attachment, needs_masking=False)
    attachment.refresh_from_db()
    assert attachment.needs_masking is False and attachment.masking_answered and attachment.masked
    with attachment.masked.open("rb") as handle:
        masked = handle.read()
    assert not subprocess.run(["pdftotext", "-", "-"], input=masked, capture_output=True, check=True).stdout.strip()
    at_committee(app)
    client.force_login(ClerkFactory(committee=app.campaign.committee))
    body = b"".join(client.get(reverse("review:attachment", args=[attachment.pk])).streaming_content)
    assert body == masked
    assert client.get(reverse("applications:attachment_file", args=[attachment.uid, "original"])).status_code == 404


def test_pdf_boxes_must_name_an_existing_page(app, certificate):
    attachment, _original = certificate
    with pytest.raises(MaskingRefused) as refused:
        attachment_set_masking(attachment=attachment, needs_masking=True, boxes=[[10, 10, 100, 100, 5]])
    assert "页不存在" in refused.value.message
    with pytest.raises(MaskingRefused) as refused:
        attachment_set_masking(attachment=attachment, needs_masking=True, boxes=[])
    assert "PDF" in refused.value.message


def _encrypted_pdf() -> bytes:
    writer = PdfWriter(clone_from=io.BytesIO(pdf_bytes()))
    writer.encrypt("secret")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def _huge_page_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=5000, height=5000)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


BROKEN = [
    ("html_renamed_pdf", html_renamed_pdf, "not_jpeg", "不是JPG图片或PDF文件"),
    ("html_with_pdf_header", html_with_pdf_header, "broken", "PDF文件已损坏或不是真正的PDF"),
    ("encrypted", _encrypted_pdf, "encrypted", "密码"),
    ("huge_page", _huge_page_pdf, "page_too_large", "尺寸过大"),
]


@pytest.mark.parametrize("label,make,code,words", BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_pdf_is_refused_in_chinese(owner, app, label, make, code, words):
    response = post_pdf(owner, app, make())
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == code and words in body["message"], body
    assert not Attachment.objects.filter(application=app).exists()


def test_too_many_pages_are_refused(owner, app, monkeypatch):
    monkeypatch.setattr(uploads, "MAX_PDF_PAGES", 1)
    response = post_pdf(owner, app, pdf_bytes())
    assert response.status_code == 400 and "超过1页的上限" in response.json()["message"]


def test_a_pdf_the_worker_cannot_render_is_marked_and_cannot_be_masked(owner, app):
    garbage = CheckedUpload(b"%PDF-1.4 nothing renderable", "application/pdf", 0, 0, "0" * 64, "x.pdf",
                            page_count=1)
    attachment = attach(app, garbage, section="ip", slot="ip_certificate")
    processed = attachment_process(attachment_id=attachment.pk)
    assert processed.processing_status == Processing.ERROR and not processed.pages
    with pytest.raises(MaskingRefused) as refused:
        attachment_set_masking(attachment=processed, needs_masking=False)
    assert "无法处理" in refused.value.message
    page = owner.get(reverse("applications:mask", args=[app.code, attachment.uid])).content.decode()
    assert "无法处理" in page


def test_pdfs_stored_before_are_rasterised_by_the_upgrade_command(app):
    from django.core.management import call_command

    data = pdf_bytes()
    legacy = attach(app, CheckedUpload(data, "application/pdf", 0, 0, "0" * 64, "old.pdf", page_count=2),
                    section="ip", slot="ip_certificate")
    # As migration 0002 leaves a PDF of before: processed, no pages, answered "no" automatically.
    Attachment.objects.filter(pk=legacy.pk).update(processing_status=Processing.DONE, needs_masking=False)
    legacy.refresh_from_db()
    assert not legacy.masking_answered  # the committee may not open it as it is
    call_command("rasterise_pdfs", stdout=io.StringIO())
    legacy.refresh_from_db()
    assert len(legacy.pages) == 2 and legacy.masked and legacy.masking_answered
    assert legacy.needs_masking is False and legacy.reviewer_file == legacy.masked
    with legacy.masked.open("rb") as handle:
        assert len(PdfReader(handle).pages) == 2
