"""The upload pipeline's core refusals and normalisation, on real files."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from applications.uploads import UploadRefused, accept_upload

from .helpers import pdf_bytes


def jpeg(size=(1200, 1600), exif_orientation=None) -> bytes:
    image = Image.new("RGB", size, (240, 240, 240))
    for x in range(0, size[0], 40):
        image.paste((20, 20, 20), (x, 0, x + 4, size[1]))
    buf = io.BytesIO()
    if exif_orientation:
        exif = Image.Exif()
        exif[0x0112] = exif_orientation
        exif[0x8825] = {1: "N", 2: (43.0, 0.0, 0.0)}  # GPS: must not survive
        image.save(buf, "JPEG", exif=exif)
    else:
        image.save(buf, "JPEG")
    return buf.getvalue()


def upload(data: bytes, name="scan.jpg"):
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def test_png_renamed_jpg_is_refused():
    buf = io.BytesIO()
    Image.new("RGB", (800, 800)).save(buf, "PNG")
    with pytest.raises(UploadRefused) as refused:
        accept_upload(upload(buf.getvalue(), "photo.jpg"))
    assert refused.value.code == "not_jpeg" and "PNG" in refused.value.message


def test_pdf_only_where_allowed():
    pdf = pdf_bytes()
    with pytest.raises(UploadRefused) as refused:
        accept_upload(upload(pdf, "patent.jpg"))
    assert refused.value.code == "pdf_not_allowed"
    assert accept_upload(upload(pdf, "patent.pdf"), allow_pdf=True).content_type == "application/pdf"


def test_truncated_and_empty_files_are_refused():
    data = jpeg()
    with pytest.raises(UploadRefused) as refused:
        accept_upload(upload(data[: len(data) // 3]))
    assert refused.value.code == "broken"
    with pytest.raises(UploadRefused) as refused:
        accept_upload(upload(b""))
    assert refused.value.code == "empty"


def test_oversize_file_is_refused(settings):
    with pytest.raises(UploadRefused) as refused:
        accept_upload(upload(jpeg()), max_bytes=10_000)
    assert refused.value.code == "too_large"


def test_decompression_bomb_is_refused_before_decoding():
    buf = io.BytesIO()
    Image.new("L", (20000, 20000)).save(buf, "JPEG", quality=10)
    with pytest.raises(UploadRefused) as refused:
        accept_upload(upload(buf.getvalue()))
    assert refused.value.code == "too_many_pixels"


def test_exif_orientation_applied_and_metadata_stripped():
    accepted = accept_upload(upload(jpeg(size=(1600, 1200), exif_orientation=6)))
    assert (accepted.width, accepted.height) == (1200, 1600)  # rotated upright
    with Image.open(io.BytesIO(accepted.content)) as out:
        assert not out.getexif()
    assert accepted.thumbnail
