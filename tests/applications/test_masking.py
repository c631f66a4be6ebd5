"""信息遮盖 on real images: the masked copy is black under every box, the original is untouched,
answers are required before submission, and boxes outside the image are clipped."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from applications.checklist import submission_problems
from applications.masking import MASK_COLOUR
from applications.models import Attachment
from applications.services import MaskingRefused, attachment_set_masking
from tests.factories import ApplicationFactory

from .helpers import scan_bytes

XHR = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest", "HTTP_ACCEPT": "application/json"}


@pytest.fixture
def uploaded(client, reference, private_storage):
    app = ApplicationFactory()
    client.force_login(app.applicant)
    response = client.post(reverse("applications:upload", args=[app.code]),
                           {"slot": "diploma", "file": SimpleUploadedFile(
                               "d.jpg", scan_bytes("毕业证书", app.applicant.real_name), "image/jpeg")}, **XHR)
    assert response.status_code == 200
    return app, Attachment.objects.get(application=app)


def pixels(field):
    with field.open("rb") as handle, Image.open(handle) as image:
        return image.convert("RGB").copy()


def near(colour, target, tolerance=6):
    return all(abs(a - b) <= tolerance for a, b in zip(colour, target))


def test_masked_copy_is_mask_colour_under_every_box(client, uploaded):
    app, attachment = uploaded
    boxes = [[100, 285, 700, 90], [900, 1400, 200, 150], [1200, 1700, 200, 200]]  # the last one overhangs
    response = client.post(reverse("applications:mask", args=[app.code, attachment.uid]),
                           {"needs_masking": "1", "boxes": json.dumps(boxes)})
    assert response.status_code == 302
    attachment.refresh_from_db()
    assert attachment.needs_masking is True and attachment.masked
    assert attachment.mask_boxes[2] == [1200, 1700, 40, 54]  # clipped to the 1240×1754 page
    masked, original = pixels(attachment.masked), pixels(attachment.file)
    for x, y, w, h in attachment.mask_boxes:
        for px in range(x, x + w, 7):
            for py in range(y, y + h, 7):
                assert near(masked.getpixel((px, py)), MASK_COLOUR), (px, py)
    # Outside the boxes the page is unchanged (JPEG noise aside), and the original keeps the name.
    assert near(masked.getpixel((600, 1000)), original.getpixel((600, 1000)), 12)
    name_band = original.crop((260, 300, 500, 350)).convert("L")
    assert name_band.getextrema()[0] < 80  # ink of the name is in the original
    assert attachment.masking_answered and attachment.reviewer_file == attachment.masked


def test_answer_no_clears_boxes_and_serves_the_original_to_reviewers(client, uploaded,
                                                                     django_capture_on_commit_callbacks):
    app, attachment = uploaded
    attachment_set_masking(attachment=attachment, needs_masking=True, boxes=[[10, 10, 100, 100]])
    masked_name = attachment.masked.name
    with django_capture_on_commit_callbacks(execute=True):  # the old copy goes once committed
        client.post(reverse("applications:mask", args=[app.code, attachment.uid]), {"needs_masking": "0"})
    attachment.refresh_from_db()
    assert attachment.needs_masking is False and not attachment.masked and attachment.mask_boxes == []
    assert not attachment.file.storage.exists(masked_name)
    assert attachment.reviewer_file == attachment.file


def test_yes_without_boxes_is_refused_with_a_reason(client, uploaded):
    app, attachment = uploaded
    with pytest.raises(MaskingRefused) as refused:
        attachment_set_masking(attachment=attachment, needs_masking=True, boxes=[])
    assert "框出本人姓名" in refused.value.message
    response = client.post(reverse("applications:mask", args=[app.code, attachment.uid]),
                           {"needs_masking": "1", "boxes": "[]"}, **XHR)
    assert response.status_code == 400 and "框出本人姓名" in response.json()["message"]
    response = client.post(reverse("applications:mask", args=[app.code, attachment.uid]), {}, **XHR)
    assert response.status_code == 400 and "是" in response.json()["message"]
    attachment.refresh_from_db()
    assert attachment.needs_masking is None


def test_unanswered_images_block_submission(uploaded):
    app, attachment = uploaded
    assert any("是否包含本人姓名" in p.message for p in submission_problems(app))
    attachment_set_masking(attachment=attachment, needs_masking=False)
    assert not any("是否包含本人姓名" in p.message for p in submission_problems(app))


def test_garbage_boxes_are_refused(uploaded):
    _app, attachment = uploaded
    with pytest.raises(MaskingRefused):
        attachment_set_masking(attachment=attachment, needs_masking=True, boxes=[["a", 1, 2, 3]])
    with pytest.raises(MaskingRefused):
        attachment_set_masking(attachment=attachment, needs_masking=True, boxes={"x": 1})
