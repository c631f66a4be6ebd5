"""A PDF with the applicant's name on page 2 (issue 12): uploaded, converted to page images by the
worker's pass, masked by drawing a box on page 2 in the browser; the committee side then gets only
the rasterised pages with the box burnt in, never the PDF as uploaded."""

from __future__ import annotations

import io
import subprocess

import pytest
from pypdf import PdfReader

from applications.models import Attachment, StateChange
from applications.states import State
from tests.applications.helpers import NAME_ON_PAGE_2_MM, certificate_pdf, mm_box_to_pixels
from tests.applications.test_pdf_masking import near, render_pages
from tests.factories import ApplicantFactory, ApplicationFactory, ClerkFactory

pytestmark = pytest.mark.browser

A4_MM = (210, 297)


def drag(page, canvas, start, end) -> None:
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    x0, y0 = box["x"] + start[0] * box["width"], box["y"] + start[1] * box["height"]
    x1, y1 = box["x"] + end[0] * box["width"], box["y"] + end[1] * box["height"]
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move((x0 + x1) / 2, (y0 + y1) / 2, steps=4)
    page.mouse.move(x1, y1, steps=4)
    page.mouse.up()


def test_pdf_page_2_masked_in_the_browser_reaches_the_committee_rasterised(
        page, live_server, login, transactional_db, reference, settings, tmp_path):
    settings.PORTAL_TESSERACT_CMD = "/nonexistent/tesseract"  # OCR has its own tests: boxes by hand here
    user = ApplicantFactory(real_name="古丽米热")
    app = ApplicationFactory(applicant=user)
    original = certificate_pdf(user.real_name)
    path = tmp_path / "patent.pdf"
    path.write_bytes(original)
    login(page, user.username, "pass-12345")

    page.goto(f"{live_server.url}/apply/{app.code}/section/ip/")
    form = page.locator("#slot-ip_certificate form.upload-form")
    form.locator("input[type=file]").set_input_files(str(path))
    # The worker's pass is reported on the page: "正在转换PDF页面…", then the finished item.
    page.locator("#slot-ip_certificate .att .pdf-chip").wait_for()
    assert form.locator(".upload-error").is_hidden()
    attachment = Attachment.objects.get(application=app, slot="ip_certificate")
    assert len(attachment.pages) == 2 and attachment.needs_masking is None

    page.goto(f"{live_server.url}/apply/{app.code}/mask/{attachment.uid}/")
    assert page.locator(".mask-stage").count() == 2
    page.check("input[name=needs_masking][value='1']")
    x, y, w, h = NAME_ON_PAGE_2_MM
    margin = 3  # mm around the name's box
    drag(page, page.locator("[data-testid=mask-page-1] canvas"),
         ((x - margin) / A4_MM[0], (y - margin) / A4_MM[1]), ((x + w + margin) / A4_MM[0], (y + h + margin) / A4_MM[1]))
    assert '"' not in page.input_value("#mask-boxes") and ",1]" in page.input_value("#mask-boxes")
    with page.expect_navigation():
        page.click("[data-testid=mask-save-next]")
    attachment.refresh_from_db()
    assert attachment.needs_masking is True and attachment.masking_answered
    assert [box[4] for box in attachment.mask_boxes] == [1]
    with attachment.masked.open("rb") as handle:
        masked = handle.read()
    assert not subprocess.run(["pdftotext", "-", "-"], input=masked, capture_output=True, check=True).stdout.strip()
    burnt = render_pages(masked)[1]
    px, py, pw, ph = mm_box_to_pixels(NAME_ON_PAGE_2_MM)
    for sx in range(px + 3, px + pw - 3, 15):
        for sy in range(py + 3, py + ph - 3, 15):
            assert near(burnt.getpixel((sx, sy)), (0, 0, 0)), (sx, sy)

    # The committee clerk, once the application is at the committee: the rasterised copy only.
    StateChange.objects.create(application=app, action="approve", from_state=State.COUNTY_REVIEW,
                               to_state=State.COMMITTEE_REVIEW)
    type(app).objects.filter(pk=app.pk).update(state=State.COMMITTEE_REVIEW)
    clerk = ClerkFactory(committee=app.campaign.committee)
    page.context.clear_cookies()
    login(page, clerk.username, "pass-12345")
    served = page.request.get(f"{live_server.url}/review/attachments/{attachment.pk}/")
    assert served.ok and served.headers["content-type"] == "application/pdf"
    body = served.body()
    assert body == masked and body != original
    assert len(PdfReader(io.BytesIO(body)).pages) == 2
    assert user.real_name.encode() not in body
    for variant in ("original", "thumb"):
        assert page.request.get(f"{live_server.url}/files/{attachment.uid}/{variant}/").status == 404
