"""Blind-review masking (信息遮盖): burn the applicant's boxes into a copy of the scan.

A box is ``[x, y, w, h]`` in the pixels of the image the applicant drew on; for a PDF it is
``[x, y, w, h, page]`` (page 0-based) in the pixels of that page as the worker rasterised it
(``rasterise_pdf``).  A PDF's masked copy is a PDF made only of those page images with the boxes
burnt into their pixels: no text layer, no fonts, no metadata of the original.
"""

from __future__ import annotations

import io
import subprocess
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw

MASK_COLOUR = (0, 0, 0)
PDFTOPPM_TIMEOUT = 120  # seconds for a whole document; a PDF that takes longer is refused


class RasteriseFailed(Exception):
    """pdftoppm could not render the document (damaged beyond what pypdf noticed, or too slow)."""


def _burn(image: Image.Image, boxes) -> Image.Image:
    draw = ImageDraw.Draw(image)
    width, height = image.size
    for x, y, w, h, *_page in boxes:
        left, top = max(0, int(x)), max(0, int(y))
        right, bottom = min(width, int(x + w)), min(height, int(y + h))
        if right > left and bottom > top:
            draw.rectangle([left, top, right - 1, bottom - 1], fill=MASK_COLOUR)
    return image


def burn_mask_boxes(image_bytes: bytes, boxes: list[list[int]], *, quality: int = 90) -> bytes:
    """Return a JPEG of ``image_bytes`` with every ``[x, y, w, h]`` box (original pixels) filled
    with ``MASK_COLOUR``.  Boxes are clipped to the image; the original is not modified."""
    with Image.open(io.BytesIO(image_bytes)) as src:
        image = src.convert("RGB")
    _burn(image, boxes)
    out = io.BytesIO()
    # 4:4:4 keeps the box edges sharp: no chroma bleeding of the name's ink past the box.
    image.save(out, "JPEG", quality=quality, subsampling=0)
    return out.getvalue()


def rasterise_pdf(data: bytes, *, dpi: int) -> list[bytes]:
    """Every page of the PDF ``data`` as a JPEG at ``dpi`` (pdftoppm, from poppler-utils)."""
    with tempfile.TemporaryDirectory(prefix="portal-pdf-") as tmp:
        source = Path(tmp) / "in.pdf"
        source.write_bytes(data)
        try:
            subprocess.run(["pdftoppm", "-r", str(dpi), "-jpeg", "-jpegopt", "quality=90",
                            str(source), str(Path(tmp) / "page")],
                           check=True, capture_output=True, timeout=PDFTOPPM_TIMEOUT)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
            raise RasteriseFailed(str(exc)) from exc
        pages = sorted(Path(tmp).glob("page-*.jpg"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
        if not pages:
            raise RasteriseFailed("no page rendered")
        return [page.read_bytes() for page in pages]


def page_boxes(boxes, page: int) -> list[list[int]]:
    return [box for box in boxes if len(box) == 5 and box[4] == page]


def burn_page(image: Image.Image, boxes, *, quality: int = 88) -> bytes:
    """One page with its boxes burnt in, as a JPEG (what the masked PDF holds for that page)."""
    out = io.BytesIO()
    _burn(image.convert("RGB"), boxes).save(out, "JPEG", quality=quality, subsampling=0)
    return out.getvalue()


def burn_pdf_pages(pages: list[bytes], boxes: list[list[int]], *, dpi: int, quality: int = 88) -> bytes:
    """A PDF of the page images ``pages`` with each ``[x, y, w, h, page]`` box burnt into its page."""
    images = []
    for number, page in enumerate(pages):
        with Image.open(io.BytesIO(page)) as src:
            images.append(_burn(src.convert("RGB"), page_boxes(boxes, number)))
    out = io.BytesIO()
    images[0].save(out, "PDF", save_all=True, append_images=images[1:], resolution=dpi, quality=quality,
                   subsampling=0)
    return out.getvalue()
