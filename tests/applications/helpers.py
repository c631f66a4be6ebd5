"""Real files for upload tests: generated scans (sharp, blurred, sideways), and broken ones."""

from __future__ import annotations

import io

from PIL import Image, ImageFilter

from applications.samples import sample_scan


def scan_bytes(title="毕业证书", name="张三", **kwargs) -> bytes:
    return sample_scan(title, name, **kwargs)


def blurred_scan(radius: float = 4) -> bytes:
    image = Image.open(io.BytesIO(scan_bytes())).filter(ImageFilter.GaussianBlur(radius))
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=90)
    return buf.getvalue()


def sideways_photo(name="张三") -> bytes:
    """A scan stored lying on its side, with EXIF orientation 6 (rotate 90° clockwise to view) and
    a GPS tag, as a phone held sideways writes it."""
    upright = Image.open(io.BytesIO(scan_bytes("毕业证书", name)))
    stored = upright.rotate(90, expand=True)  # counter-clockwise: EXIF 6 turns it back
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x8825] = {1: "N", 2: (41.0, 45.0, 0.0)}
    buf = io.BytesIO()
    stored.save(buf, "JPEG", quality=90, exif=exif)
    return buf.getvalue()


def png_bytes(size=(1240, 1754)) -> bytes:
    buf = io.BytesIO()
    Image.open(io.BytesIO(scan_bytes())).save(buf, "PNG")
    return buf.getvalue()


def pdf_bytes() -> bytes:
    return b"%PDF-1.4\n1 0 obj<< /Type /Catalog >>endobj\ntrailer<< /Root 1 0 R >>\n%%EOF\n"


def bomb_bytes() -> bytes:
    buf = io.BytesIO()
    Image.new("L", (20000, 20000), 255).save(buf, "JPEG", quality=10)
    return buf.getvalue()


def small_bytes() -> bytes:
    buf = io.BytesIO()
    Image.open(io.BytesIO(scan_bytes())).resize((400, 566)).save(buf, "JPEG", quality=90)
    return buf.getvalue()
