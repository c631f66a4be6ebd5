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


def bomb_bytes() -> bytes:
    buf = io.BytesIO()
    Image.new("L", (20000, 20000), 255).save(buf, "JPEG", quality=10)
    return buf.getvalue()


def small_bytes() -> bytes:
    buf = io.BytesIO()
    Image.open(io.BytesIO(scan_bytes())).resize((400, 566)).save(buf, "JPEG", quality=90)
    return buf.getvalue()


# A patent certificate as a real PDF with a text layer: page 1 the title, page 2 the inventor's
# name, set at a known place (mm from the top-left corner of an A4 page) so tests know where to box.
NAME_ON_PAGE_2_MM = (30, 100, 90, 20)  # x, y, w, h of the box around the name


def certificate_pdf(name="张三", *, title="发明专利证书", author="张三的电脑") -> bytes:
    from PIL import ImageFile
    from weasyprint import HTML  # noqa: PLC0415 - heavy import, only where a PDF is made

    ImageFile.LOAD_TRUNCATED_IMAGES = False  # importing WeasyPrint turned it on for the whole process

    html = f"""<html><head><meta charset="utf-8"><title>{title}</title><meta name="author" content="{author}">
    <style>@page {{ size: A4; margin: 0 }} body {{ margin: 0; font-family: "Noto Sans CJK SC", sans-serif }}
    .p {{ position: relative; width: 210mm; height: 297mm; page-break-after: always }}
    .t {{ position: absolute; left: 40mm; top: 40mm; font-size: 28pt }}
    .n {{ position: absolute; left: 35mm; top: 104mm; font-size: 24pt; line-height: 1 }}
    </style></head><body>
    <div class="p"><div class="t">{title}</div></div>
    <div class="p" style="page-break-after: auto"><div class="t">发明人</div><div class="n">{name}</div></div>
    </body></html>"""
    return HTML(string=html).write_pdf()


def pdf_bytes() -> bytes:
    """A two-page PDF without a name (pypdf parses it, pdftoppm renders it)."""
    return certificate_pdf("", title="专利证书")


def mm_box_to_pixels(box_mm, dpi=150) -> list[int]:
    return [round(v * dpi / 25.4) for v in box_mm]


def html_renamed_pdf() -> bytes:
    return b"<!DOCTYPE html><html><head><title>x</title></head><body>not a pdf</body></html>\n"


def html_with_pdf_header() -> bytes:
    """The old check (``%PDF-`` prefix and ``%%EOF``) let this through."""
    return b"%PDF-1.4\n<html><body><script>alert(1)</script></body></html>\n%%EOF\n"
