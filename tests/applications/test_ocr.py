"""OCR with the installed Tesseract (chi_sim): proposes boxes over the name and ID number, and
finds nothing left on a masked copy; without Tesseract the pages fall back to manual boxes."""

import io
import json
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from applications import ocr_passes, services
from applications.masking import burn_mask_boxes
from applications.models import Attachment
from applications.ocr import OCRUnavailable, find_identity, ocr_available
from applications.samples import sample_scan
from tests.factories import ApplicationFactory

ID = "652801199001011232"
needs_tesseract = pytest.mark.skipif(not ocr_available(), reason="tesseract-ocr is not installed")


def page(name, id_number=ID):
    return sample_scan("毕业证书", name, lines=(f"身份证号：{id_number}", "兹证明该同志所提交材料真实有效。"))


# A common name in a common font: what these tests check is the leak check and the worker, not how
# well Tesseract reads rare characters (the factories' names are stems and branches, 柏甲乙…).
OCR_NAME = "张建华"

@needs_tesseract
@pytest.mark.parametrize("name", ["张建华", "古丽娜尔·艾买提"])
def test_name_and_id_number_are_found_and_gone_after_masking(name):
    data = page(name)
    hits = find_identity(Image.open(io.BytesIO(data)), name=name, id_number=ID)
    assert {h.what for h in hits} == {"name", "id_number"}
    name_box = next(h.box for h in hits if h.what == "name")
    # sample_scan draws "姓名：<name>" at (120, 300), 48 px high; the name starts after "姓名：".
    assert 200 < name_box[0] < 320 and 270 < name_box[1] < 320 and name_box[3] >= 40
    masked = burn_mask_boxes(data, [list(h.box) for h in hits])
    assert find_identity(Image.open(io.BytesIO(masked)), name=name, id_number=ID) == []


@needs_tesseract
def test_a_page_without_the_name_gives_no_hits():
    data = sample_scan("继续教育培训合格证书", "", lines=("公需科目 30 学时",))
    assert find_identity(Image.open(io.BytesIO(data)), name="张建华", id_number=ID) == []


def test_missing_tesseract_raises_unavailable(settings):
    settings.PORTAL_TESSERACT_CMD = "/nonexistent/tesseract"
    assert not ocr_available()
    with pytest.raises(OCRUnavailable):
        find_identity(Image.open(io.BytesIO(page("张三"))), name="张三", id_number=ID)


def test_without_tesseract_the_page_says_so_and_manual_boxes_work(client, settings, reference, private_storage):
    settings.PORTAL_TESSERACT_CMD = "/nonexistent/tesseract"
    app = ApplicationFactory()
    client.force_login(app.applicant)
    response = client.post(reverse("applications:upload", args=[app.code]),
                           {"slot": "diploma", "file": SimpleUploadedFile("d.jpg", page(app.applicant.real_name, app.applicant.id_number),
                                                                         "image/jpeg")},
                           HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    assert response.status_code == 200
    attachment = Attachment.objects.get(application=app)
    assert attachment.ocr_status == "unavailable"
    html = client.get(reverse("applications:mask", args=[app.code, attachment.uid])).content.decode()
    assert "未安装文字识别" in html
    client.post(reverse("applications:mask", args=[app.code, attachment.uid]),
                {"needs_masking": "1", "boxes": json.dumps([[100, 285, 700, 90]])})
    attachment.refresh_from_db()
    assert attachment.masked and attachment.mask_check_status == "unavailable"
    # The worker's function degrades the same way when it runs where Tesseract is missing.
    ocr_passes.attachment_ocr_propose(attachment_id=attachment.pk)
    attachment.refresh_from_db()
    assert attachment.ocr_status == "unavailable"


@needs_tesseract
def test_leak_check_warns_when_the_box_misses_the_name(reference, private_storage):
    app = ApplicationFactory(applicant__real_name=OCR_NAME)
    upload = SimpleUploadedFile("d.jpg", page(app.applicant.real_name, app.applicant.id_number), "image/jpeg")
    attachment = services.attachment_upload(application=app, upload=upload, slot="diploma")
    services.attachment_set_masking(attachment=attachment, needs_masking=True, boxes=[[800, 1500, 200, 100]])
    ocr_passes.attachment_ocr_check_masked(attachment_id=attachment.pk)
    attachment.refresh_from_db()
    assert attachment.mask_check_status == "leak"
    assert {h["what"] for h in attachment.mask_check} == {"name", "id_number"}


@needs_tesseract
@pytest.mark.worker
def test_worker_proposes_boxes_after_upload_and_checks_the_masked_copy(celery_worker_process, reference):
    app = ApplicationFactory(applicant__real_name=OCR_NAME)
    upload = SimpleUploadedFile("d.jpg", page(app.applicant.real_name, app.applicant.id_number), "image/jpeg")
    attachment = services.attachment_upload(application=app, upload=upload, slot="diploma")  # commits: on_commit fires
    assert attachment.ocr_status == "pending"

    def wait_for(field, value, timeout=90):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            attachment.refresh_from_db()
            if getattr(attachment, field) == value:
                return
            time.sleep(0.3)
        raise AssertionError(f"{field} never became {value!r}:\n" + celery_worker_process.log_path.read_text()[-3000:])

    try:
        wait_for("ocr_status", "done")
        assert {h["what"] for h in attachment.ocr_hits} == {"name", "id_number"}
        services.attachment_set_masking(attachment=attachment, needs_masking=True,
                                        boxes=[h["box"] for h in attachment.ocr_hits])
        wait_for("mask_check_status", "clean")
    finally:
        for field in (attachment.file, attachment.thumbnail, attachment.masked):
            if field:
                field.delete(save=False)
