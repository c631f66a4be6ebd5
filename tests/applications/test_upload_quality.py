"""The blur check, calibrated on realistic pages (``document_pages.py``): what a reviewer can read
passes — sharp scans at 150–300 dpi, slightly soft ones, sharp phone photos however noisy — and
what they cannot is refused: text blurred by 0.34 mm on the page (a Gaussian of radius 4 at 300 dpi,
2 at 150 dpi), an out-of-focus phone photo.  The numbers are those of uploads.py and the README."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from applications.samples import sample_photo, sample_scan
from applications.uploads import MIN_SHARPNESS, UploadRefused, accept_upload, sharpness_of
from tests.applications.document_pages import a4_page, as_jpeg, blurred, jpeg_bytes, phone_photo

PAGES = [("毕业证书、学位证书", "张建华", ()), ("继续教育培训合格证书", "古丽娜尔·艾买提", ()),
         ("身份证（正面）", "", ()), ("考核表", "李明", ("优秀",)), ("说明", "", ("一",))]


def sample_pages():
    return [Image.open(io.BytesIO(sample_scan(t, n, lines=lines))) for t, n, lines in PAGES]


# (name, image factory, readable?): blur radii in pixels of the page as uploaded.
CASES = [
    ("300 dpi scan", lambda: as_jpeg(a4_page(300)), True),
    ("300 dpi, radius 1", lambda: blurred(a4_page(300), 1), True),
    ("300 dpi, radius 2 (slightly soft)", lambda: blurred(a4_page(300), 2), True),
    ("300 dpi, radius 3 (soft)", lambda: blurred(a4_page(300), 3), True),
    ("300 dpi, radius 4 (unreadable)", lambda: blurred(a4_page(300), 4), False),
    ("200 dpi scan", lambda: as_jpeg(a4_page(200)), True),
    ("200 dpi, radius 4", lambda: blurred(a4_page(200), 4), False),
    ("150 dpi scan", lambda: as_jpeg(a4_page(150)), True),
    ("150 dpi, radius 1", lambda: blurred(a4_page(150), 1), True),
    ("150 dpi, radius 2 (0.34 mm, like radius 4 at 300 dpi)", lambda: blurred(a4_page(150), 2), False),
    ("sharp phone photo", lambda: phone_photo(a4_page(300)), True),
    ("sharp phone photo, dim light (noise 20, JPEG 60)", lambda: phone_photo(a4_page(300), noise=20, quality=60), True),
    ("phone photo slightly out of focus", lambda: phone_photo(a4_page(300), defocus=3, noise=14, quality=70), True),
    ("phone photo out of focus", lambda: phone_photo(a4_page(300), defocus=4), False),
    ("phone photo out of focus, noisy", lambda: phone_photo(a4_page(300), defocus=4, noise=20, quality=60), False),
    ("phone photo of a radius-4 page, noisy", lambda: phone_photo(blurred(a4_page(300), 4), noise=14, quality=70),
     False),
]


@pytest.mark.parametrize("name,make,readable", CASES, ids=[c[0] for c in CASES])
def test_readable_pages_pass_and_unreadable_ones_are_refused(name, make, readable):
    score = sharpness_of(make())
    assert (score >= MIN_SHARPNESS) == readable, f"{name}: {score:.1f}"


def test_a_radius_4_page_is_refused_with_the_reason_and_a_sharp_phone_photo_accepted():
    with pytest.raises(UploadRefused) as refused:
        accept_upload(SimpleUploadedFile("scan.jpg", jpeg_bytes(blurred(a4_page(300), 4))))
    assert refused.value.code == "blurred" and "图片模糊" in refused.value.message
    assert "审核时无法辨认" in refused.value.message and "对焦" in refused.value.message
    accepted = accept_upload(SimpleUploadedFile("photo.jpg", jpeg_bytes(phone_photo(a4_page(300)), 92)))
    assert accepted.sharpness > 2 * MIN_SHARPNESS


def test_the_score_measures_blur_not_the_amount_of_text():
    dense, sparse = a4_page(300), Image.open(io.BytesIO(sample_scan("说明", "", lines=("一",))))
    assert abs(sharpness_of(as_jpeg(dense)) - sharpness_of(sparse)) < 20  # both sharp: about 36 and 55
    for image in sample_pages():
        assert sharpness_of(image) > 1.5 * MIN_SHARPNESS


def test_score_does_not_depend_on_resolution():
    image = sample_pages()[0]
    big = image.resize((image.width * 2, image.height * 2), Image.Resampling.BICUBIC)
    assert abs(sharpness_of(big) - sharpness_of(image)) / sharpness_of(image) < 0.15


def test_blank_page_is_refused_as_blank():
    buf = io.BytesIO()
    Image.new("RGB", (1240, 1754), (250, 250, 246)).save(buf, "JPEG")
    with pytest.raises(UploadRefused) as refused:
        accept_upload(SimpleUploadedFile("blank.jpg", buf.getvalue()))
    assert refused.value.code == "blurred" and "几乎空白" in refused.value.message


def test_photo_slot_accepts_a_small_sharp_portrait():
    accepted = accept_upload(SimpleUploadedFile("photo.jpg", sample_photo()), min_short_side=200)
    assert (accepted.width, accepted.height) == (295, 413)
    with pytest.raises(UploadRefused) as refused:
        accept_upload(SimpleUploadedFile("photo.jpg", sample_photo()))
    assert refused.value.code == "too_small" and "600" in refused.value.message
