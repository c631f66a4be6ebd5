"""Uploads through the page: each bad file gets its own clear refusal, the draft stays intact,
and a good sideways phone photo ends up upright, without EXIF, privately stored."""


import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from applications.models import Attachment, Processing
from applications.processing import attachment_process
from applications.samples import fill_sample_application
from applications.services import section_save
from tests.factories import ApplicationFactory

from .helpers import blurred_scan, bomb_bytes, pdf_bytes, png_bytes, scan_bytes, sideways_photo, small_bytes

XHR = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest", "HTTP_ACCEPT": "application/json"}


@pytest.fixture
def app(reference, private_storage):
    return ApplicationFactory()


@pytest.fixture
def owner(client, app):
    client.force_login(app.applicant)
    return client


def post_file(client, app, data: bytes, *, name="scan.jpg", slot="diploma", **extra):
    return client.post(reverse("applications:upload", args=[app.code]),
                       {"slot": slot, "section": "education", "file": SimpleUploadedFile(name, data, "image/jpeg"),
                        **extra}, **XHR)


BAD_FILES = [
    ("renamed_png", png_bytes, "not_jpeg", "PNG"),
    ("renamed_pdf", pdf_bytes, "pdf_not_allowed", "不接受PDF"),
    ("truncated", lambda: scan_bytes()[:20000], "broken", "损坏或不完整"),
    ("empty", lambda: b"", "empty", "0 字节"),
    ("bomb", bomb_bytes, "too_many_pixels", "像素过大"),
    ("blurred", blurred_scan, "blurred", "模糊"),
    ("too_small", small_bytes, "too_small", "分辨率过低"),
]


@pytest.mark.parametrize("label,make,code,words", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_upload_gets_its_own_refusal_and_the_draft_stays(owner, app, label, make, code, words):
    raw = {"education-rows-TOTAL_FORMS": ["1"], "education-rows-INITIAL_FORMS": ["0"],
           "education-rows-0-school": ["新疆大学"], "education-rows-0-major": ["土木工程"]}
    section_save(application=app, key="education", raw=raw)
    response = post_file(owner, app, make())
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == code
    assert words in body["message"]
    assert not Attachment.objects.filter(application=app).exists()
    section = app.sections.get(key="education")
    assert section.draft == raw


def test_over_size_file_is_refused(owner, app, settings):
    settings.PORTAL_UPLOAD_MAX_BYTES = 100_000
    data = scan_bytes(quality=97)
    assert len(data) > 100_000
    response = post_file(owner, app, data)
    assert response.status_code == 400
    assert response.json()["code"] == "too_large"
    assert "不能超过" in response.json()["message"]


def test_pdf_accepted_where_the_notice_allows_it(owner, app):
    response = owner.post(reverse("applications:upload", args=[app.code]),
                          {"slot": "ip_certificate", "section": "ip",
                           "file": SimpleUploadedFile("patent.pdf", pdf_bytes(), "application/pdf")}, **XHR)
    assert response.status_code == 200, response.content
    attachment = Attachment.objects.get(application=app, slot="ip_certificate")
    # Asked about like an image, never "needs masking: no" by itself.
    assert attachment.content_type == "application/pdf" and not attachment.masking_answered
    assert attachment.needs_masking is None and attachment.page_count == 2


def test_slot_outside_the_applicants_checklist_is_refused(owner, app):
    response = post_file(owner, app, scan_bytes(), slot="freelance_political")  # not a freelancer
    assert response.status_code == 400
    assert "不需要此项材料" in response.json()["message"]


def test_sideways_phone_photo_is_stored_upright_without_exif(owner, app, private_storage):
    data = sideways_photo()
    response = post_file(owner, app, data)
    assert response.status_code == 200, response.content
    attachment = Attachment.objects.get(application=app)
    assert (attachment.width, attachment.height) == (1240, 1754)  # portrait, read from the header
    # The request stored the file as sent: re-encoding and thumbnail are the worker's.
    assert attachment.processing_status == Processing.PENDING and not attachment.thumbnail
    with attachment.file.open("rb") as handle:
        assert handle.read() == data
    attachment_process(attachment_id=attachment.pk)  # what the worker runs
    attachment.refresh_from_db()
    assert attachment.processing_status == Processing.DONE
    with attachment.file.open("rb") as handle, Image.open(handle) as stored:
        assert stored.size == (1240, 1754)
        assert not stored.getexif()
        # The heading sits in the top band of an upright page: darker than the bottom-left blank area.
        grey = stored.convert("L")
        top = grey.crop((300, 100, 940, 200)).resize((1, 1)).getpixel((0, 0))
        side = grey.crop((100, 1500, 500, 1600)).resize((1, 1)).getpixel((0, 0))
        assert top < side
    assert attachment.thumbnail and attachment.needs_masking is None
    # Stored privately: the file lives under the per-test storage, and its URL is no public address.
    assert (private_storage / attachment.file.name).exists()
    assert attachment.file.url.startswith("https://no-public-media.invalid/")
    assert "html" in response.json() and str(attachment.uid) in response.json()["html"]


def test_award_certificate_must_name_its_row(owner, app):
    fill_sample_application(app)
    response = owner.post(reverse("applications:upload", args=[app.code]),
                          {"slot": "award_certificate", "section": "awards",
                           "file": SimpleUploadedFile("a.jpg", scan_bytes(), "image/jpeg")}, **XHR)
    assert response.status_code == 400 and "对应的是哪一项" in response.json()["message"]
    response = owner.post(reverse("applications:upload", args=[app.code]),
                          {"slot": "award_certificate", "section": "awards", "row": "5",
                           "file": SimpleUploadedFile("a.jpg", scan_bytes(), "image/jpeg")}, **XHR)
    assert response.status_code == 400
    response = owner.post(reverse("applications:upload", args=[app.code]),
                          {"slot": "award_certificate", "section": "awards", "row": "0",
                           "file": SimpleUploadedFile("a.jpg", scan_bytes(), "image/jpeg")}, **XHR)
    assert response.status_code == 200


def test_upload_without_javascript_redirects_with_message(owner, app):
    response = owner.post(reverse("applications:upload", args=[app.code]),
                          {"slot": "diploma", "section": "education",
                           "file": SimpleUploadedFile("x.jpg", png_bytes(), "image/jpeg")}, follow=True)
    assert response.status_code == 200
    assert "不是JPG图片" in response.content.decode()
