"""The blur threshold, re-measured on generated scans (the numbers documented in uploads.py)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageFilter

from applications.samples import sample_photo, sample_scan
from applications.uploads import MIN_SHARPNESS, UploadRefused, accept_upload, sharpness_of

PAGES = [("毕业证书、学位证书", "张建华", ()), ("继续教育培训合格证书", "古丽娜尔·艾买提", ()),
         ("身份证（正面）", "", ()), ("考核表", "李明", ("优秀",)), ("说明", "", ("一",))]


def pages():
    return [Image.open(io.BytesIO(sample_scan(t, n, lines=lines))) for t, n, lines in PAGES]


def test_sharp_scans_pass_and_heavily_blurred_ones_fail():
    for image in pages():
        sharp = sharpness_of(image)
        assert sharp > 10 * MIN_SHARPNESS  # ≥ 300 measured
        assert sharpness_of(image.filter(ImageFilter.GaussianBlur(1.5))) > MIN_SHARPNESS
        assert sharpness_of(image.filter(ImageFilter.GaussianBlur(3))) < MIN_SHARPNESS
        assert sharpness_of(image.filter(ImageFilter.GaussianBlur(4))) < MIN_SHARPNESS / 4


def test_score_does_not_depend_on_resolution():
    image = pages()[0]
    big = image.resize((image.width * 2, image.height * 2), Image.Resampling.BICUBIC)
    assert abs(sharpness_of(big) - sharpness_of(image)) / sharpness_of(image) < 0.15


def test_blank_page_is_refused_as_unreadable():
    buf = io.BytesIO()
    Image.new("RGB", (1240, 1754), (250, 250, 246)).save(buf, "JPEG")
    with pytest.raises(UploadRefused) as refused:
        accept_upload(SimpleUploadedFile("blank.jpg", buf.getvalue()))
    assert refused.value.code == "blurred"


def test_photo_slot_accepts_a_small_sharp_portrait():
    accepted = accept_upload(SimpleUploadedFile("photo.jpg", sample_photo()), min_short_side=200)
    assert (accepted.width, accepted.height) == (295, 413)
    with pytest.raises(UploadRefused) as refused:
        accept_upload(SimpleUploadedFile("photo.jpg", sample_photo()))
    assert refused.value.code == "too_small" and "600" in refused.value.message
