"""The upload pipeline: every scan, from any user, enters the portal through ``check_upload``.

The content decides, never the file name: a PNG or PDF renamed ``.jpg`` is refused, and a PDF
must parse (pypdf), within page-count and page-size limits.  The web request does only what the
applicant must hear at once (``check_upload``: type, size, dimensions from the header, damage and
sharpness on a reduced decode); the worker (``applications.processing``) decodes in full, turns
the image upright by its EXIF orientation and re-encodes it without EXIF (GPS and camera data of
phone photos never reach the stored copy), makes the thumbnail and rasterises a PDF's pages.
Each refusal is an ``UploadRefused`` with a Chinese message saying what is wrong and what to do.
"""

from __future__ import annotations

import hashlib
import io
import math
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageChops, ImageFilter, ImageOps, ImageStat, UnidentifiedImageError
from pypdf import PdfReader

from portal.dispatch import enqueue_on_commit
from portal.errors import Refused

from .models import Application, Attachment, Processing

# A 60-megapixel phone photo is the largest honest scan; above that, refuse before decoding.
MAX_PIXELS = 60_000_000
THUMBNAIL_SIZE = (360, 360)
JPEG_QUALITY = 88

# PDFs (patent certificates, papers): parsed with pypdf before they are stored.  Each page is
# rasterised by the worker for masking (``PDF_RASTER_DPI``); a page larger than A2 or a document
# of more pages than a certificate or a paper has is refused rather than rendered.
MAX_PDF_PAGES = 30
MAX_PDF_PAGE_SIDE_PT = 1700  # A2 is 1191 × 1684 pt
PDF_RASTER_DPI = 150

# Smallest acceptable short side, in pixels.  An A4 page under 600 px (about 72 dpi) cannot be read
# by a reviewer; an ID card is a small document (85.6 × 54 mm: 300 px is ~140 dpi); the 1-inch photo
# is printed on the e-certificate at 25 × 35 mm (200 px is ~200 dpi).
MIN_SHORT_SIDE = 600
MIN_SHORT_SIDE_BY_SLOT = {"photo": 200, "id_card_front": 300, "id_card_back": 300}

# Sharpness: how wide the edges of the page are, whatever is written on it.  The grey page is scaled
# to a 1000 px long side (the document is assumed to fill the picture, as on a scan or a phone photo
# framed on the page, so 1 px is about 0.3 mm of an A4 page), and on its edges (Sobel gradient above
# a noise floor) the score is 100 × Σ|Laplacian| / Σ|gradient|.  For a step edge blurred by a
# Gaussian of width σ the ratio is 2/(σ√2π): it measures blur alone, not the amount of text or its
# contrast (the variance of the Laplacian used before grew with both, so a dense page blurred beyond
# reading still passed).  Calibrated on A4 pages with 10.5 pt Chinese text rendered at 150–300 dpi,
# and 12-megapixel phone photos of them (noise, uneven light, JPEG), by
# ``tests/applications/test_upload_quality.py`` (the README has the table): sharp scans score 51–53,
# sharp phone photos 46 however noisy, a Gaussian blur of 0.17 mm on the page (radius 2 at 300 dpi,
# 1 at 150 dpi) 32, 0.25 mm (radius 3 at 300 dpi) 21, an out-of-focus phone photo 16–18, and 0.34 mm
# (radius 4 at 300 dpi, 2 at 150 dpi) 14, or 18.5 photographed with a noisy phone.  At 0.34 mm the
# strokes of 10.5 pt characters merge: refused under 20.  A page with (almost) no edges is blank.
SHARPNESS_NORMALISED_SIDE = 1000
MIN_SHARPNESS = 20.0
MIN_EDGE_FRACTION = 0.002  # below this share of edge pixels the page is (almost) blank
SHARPNESS_EXEMPT_SLOTS = {"photo"}  # a portrait has few hard edges: the measure is made for documents
_EDGE_FLOOR = 14  # gradient (Sobel, scaled by 1/8) below which a change is paper texture or noise
_SOBEL_X = ImageFilter.Kernel((3, 3), [-1, 0, 1, -2, 0, 2, -1, 0, 1], scale=8, offset=128)
_SOBEL_Y = ImageFilter.Kernel((3, 3), [-1, -2, -1, 0, 0, 0, 1, 2, 1], scale=8, offset=128)
_LAPLACIAN = ImageFilter.Kernel((3, 3), [0, 1, 0, 1, -4, 1, 0, 1, 0], scale=4, offset=128)
_EXIF_ORIENTATION = 0x0112
_ABSOLUTE = [abs(v - 128) for v in range(256)]
_EDGE_MASK = [255 if v >= _EDGE_FLOOR else 0 for v in range(256)]


class UploadRefused(Refused):
    """A file that cannot be accepted; ``code`` names the reason for the page's script."""

    def __init__(self, message: str, code: str):
        super().__init__(message, code=code)


@dataclass(frozen=True)
class CheckedUpload:
    """What the web request learns of an upload without decoding it in full (``check_upload``)."""

    data: bytes  # as uploaded
    content_type: str
    width: int  # upright (EXIF orientation applied to the header's size); 0 for a PDF
    height: int
    sha256: str
    original_name: str
    sharpness: float | None = None
    page_count: int = 0


@dataclass(frozen=True)
class AcceptedUpload:
    content: bytes  # normalised: upright JPEG without EXIF, or the PDF as uploaded
    content_type: str
    width: int
    height: int
    thumbnail: bytes | None
    sha256: str
    original_name: str
    sharpness: float | None = None
    page_count: int = 0


def _sniff(head: bytes) -> str:
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftypmsf1"):
        return "heic"
    return "unknown"


def _read(upload, max_bytes: int) -> bytes:
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise UploadRefused(_("文件过大（%(got).1f MB），单个文件不能超过 %(max).0f MB。请压缩或降低拍照分辨率后重新上传。")
                            % {"got": size / 1048576, "max": max_bytes / 1048576}, "too_large")
    upload.seek(0)
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise UploadRefused(_("文件过大，单个文件不能超过 %.0f MB。") % (max_bytes / 1048576), "too_large")
    if not data:
        raise UploadRefused(_("文件是空的（0 字节），请重新选择文件。"), "empty")
    return data


def _broken_jpeg() -> UploadRefused:
    return UploadRefused(_("图片文件已损坏或不完整，无法打开。请重新拍摄或重新导出为JPG后上传。"), "broken")


def _too_many_pixels(width: int | None = None, height: int | None = None) -> UploadRefused:
    if width:
        return UploadRefused(_("图片像素过大（%(w)d×%(h)d），无法处理。请用正常分辨率重新拍摄或扫描。")
                             % {"w": width, "h": height}, "too_many_pixels")
    return UploadRefused(_("图片像素过大，无法处理。请用正常分辨率重新拍摄或扫描。"), "too_many_pixels")


def _jpeg_is_complete(data: bytes) -> bool:
    """Does the image data end (EOI marker after the first scan)?  Walks the segments from the
    start (an EXIF thumbnail's own markers sit inside APP1 and are skipped with it).  Pillow's own
    truncation error cannot be relied on: WeasyPrint sets ``ImageFile.LOAD_TRUNCATED_IMAGES``
    for the whole process when it is imported."""
    position = 2
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            return False
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker == 0xDA:  # start of scan: entropy-coded data follows, 0xFF is stuffed there
            return data.find(b"\xff\xd9", position) != -1
        if 0xD0 <= marker <= 0xD9 or marker == 0x01:  # markers without a length
            position += 2
            continue
        position += 2 + int.from_bytes(data[position + 2:position + 4], "big")
    return False


def _open_jpeg(data: bytes) -> Image.Image:
    """Open (header only) under the pixel budget: nothing is decoded yet."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels() from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise _broken_jpeg() from None
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise _too_many_pixels(width, height)
    if not _jpeg_is_complete(data):
        raise _broken_jpeg()
    return image


def _decode_jpeg(data: bytes) -> Image.Image:
    """The full decode (the worker's re-encoding)."""
    image = _open_jpeg(data)
    try:
        image.load()
    except (OSError, SyntaxError, ValueError):
        raise _broken_jpeg() from None
    return image


def _reduced_grey(image: Image.Image) -> Image.Image:
    """Decode ``image`` in JPEG draft mode: grey, scaled down by the decoder itself (1/2, 1/4 or
    1/8 in the DCT) to the smallest size whose long side still reaches the sharpness measure's
    ``SHARPNESS_NORMALISED_SIDE``.  Every entropy-coded byte is still read, so a truncated or
    damaged file fails here as in a full decode, at a fraction of the cost."""
    long_side = max(image.size)
    factor = SHARPNESS_NORMALISED_SIDE / long_side if long_side > SHARPNESS_NORMALISED_SIDE else 1
    image.draft("L", (math.ceil(image.width * factor), math.ceil(image.height * factor)))
    try:
        image.load()
    except (OSError, SyntaxError, ValueError):
        raise _broken_jpeg() from None
    return image


def _upright_size(image: Image.Image) -> tuple[int, int]:
    """The size once turned upright by the EXIF orientation (5–8 lie on their side)."""
    try:
        orientation = image.getexif().get(_EXIF_ORIENTATION, 1)
    except (OSError, SyntaxError, ValueError):  # unreadable EXIF: dropped by the re-encoding anyway
        orientation = 1
    width, height = image.size
    return (height, width) if orientation in (5, 6, 7, 8) else (width, height)


def _edge_response(grey: Image.Image, kernel: ImageFilter.Kernel) -> Image.Image:
    response = grey.filter(kernel).point(_ABSOLUTE)
    # The kernel sees black beyond the border: drop the outermost pixels or every page has an edge.
    return response.crop((2, 2, response.width - 2, response.height - 2))


def sharpness_of(image: Image.Image) -> float:
    """Sharpness score of a page (see ``MIN_SHARPNESS``): 0 for a blank page, about 55 for a sharp one."""
    grey = image.convert("L")
    scale = SHARPNESS_NORMALISED_SIDE / max(grey.size)
    if scale < 1:
        grey = grey.resize((max(1, round(grey.width * scale)), max(1, round(grey.height * scale))),
                           Image.Resampling.BILINEAR)
    if grey.width <= 4 or grey.height <= 4:
        return 0.0
    gradient = ImageChops.add(_edge_response(grey, _SOBEL_X), _edge_response(grey, _SOBEL_Y))
    edges = gradient.point(_EDGE_MASK)
    if ImageStat.Stat(edges).mean[0] / 255 < MIN_EDGE_FRACTION:
        return 0.0
    gradient_sum = ImageStat.Stat(gradient, edges).sum[0]
    laplacian_sum = ImageStat.Stat(_edge_response(grey, _LAPLACIAN), edges).sum[0]
    return 100 * laplacian_sum / gradient_sum if gradient_sum else 0.0


def _check_quality(size: tuple[int, int], grey: Image.Image | None, *, min_short_side: int,
                   check_sharpness: bool) -> float | None:
    width, height = size
    if min(size) < min_short_side:
        raise UploadRefused(_("图片分辨率过低（%(w)d×%(h)d像素），短边至少需要%(min)d像素，否则审核时看不清。"
                              "请用扫描仪（不低于150dpi）扫描，或用手机正对材料拍摄原图后上传。")
                            % {"w": width, "h": height, "min": min_short_side}, "too_small")
    if not check_sharpness or grey is None:
        return None
    score = sharpness_of(grey)
    if score == 0:
        raise UploadRefused(_("图片几乎空白，看不到文字或图案。请确认拍摄或扫描的是材料正面，重新上传。"), "blurred")
    if score < MIN_SHARPNESS:
        raise UploadRefused(_("图片模糊（清晰度%(score).0f，至少需要%(min).0f）：文字笔画已糊在一起，审核时无法辨认。"
                              "请在光线充足处，手机与材料平行、对焦清楚后再拍摄，或用扫描仪扫描后上传。")
                            % {"score": score, "min": MIN_SHARPNESS}, "blurred")
    return score


def _broken_pdf() -> UploadRefused:
    return UploadRefused(_("PDF文件已损坏或不是真正的PDF（例如改了扩展名的网页或文档），无法打开。"
                           "请用原软件重新导出为PDF，或将每页扫描为JPG后上传。"), "broken")


def check_pdf(data: bytes) -> int:
    """Parse ``data`` with pypdf and return its page count; refuse a broken, encrypted, too long
    or oversized document.  A ``%PDF-`` header alone proves nothing: the page tree must be read."""
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise UploadRefused(_("PDF文件设置了密码或加密，无法查看。请取消密码后重新导出再上传。"), "encrypted")
        count = len(reader.pages)
        if count > MAX_PDF_PAGES:
            raise UploadRefused(_("PDF共%(n)d页，超过%(max)d页的上限。请只上传需要的页面。")
                                % {"n": count, "max": MAX_PDF_PAGES}, "too_many_pages")
        for page in reader.pages:
            box = page.mediabox
            width, height = abs(float(box.width)), abs(float(box.height))
            if not (width >= 1 and height >= 1):
                raise _broken_pdf()
            if max(width, height) > MAX_PDF_PAGE_SIDE_PT:
                raise UploadRefused(_("PDF页面尺寸过大（超过A2纸），无法处理。请按A4或实际纸张大小导出后上传。"),
                                    "page_too_large")
    except UploadRefused:
        raise
    except Exception:  # noqa: BLE001 - pypdf raises many types (PdfReadError, KeyError, ValueError…) on garbage
        raise _broken_pdf() from None
    if count == 0:
        raise _broken_pdf()
    return count


def check_upload(upload, *, allow_pdf: bool = False, max_bytes: int | None = None,
                 min_short_side: int = MIN_SHORT_SIDE, check_sharpness: bool = True) -> CheckedUpload:
    """What the applicant must hear at once, at little cost to the web tier (issue 16): size,
    type by content (never the name), a PDF's structure, an image's dimensions from its header,
    damage and sharpness on a reduced decode (JPEG draft mode).  Re-encoding and thumbnails are
    the worker's (``applications.processing``).

    Refusals, in the order they are checked: size (0 bytes, over the limit), content type, PDF
    where not allowed, a broken PDF or one over the page limits, decompression bombs, broken or
    truncated image data, too small a resolution, a blurred scan.
    """
    max_bytes = max_bytes or settings.PORTAL_UPLOAD_MAX_BYTES
    data = _read(upload, max_bytes)
    kind = _sniff(data[:16])
    name = getattr(upload, "name", "") or ""
    if kind == "pdf":
        if not allow_pdf:
            raise UploadRefused(_("此栏目只接受JPG格式的图片，不接受PDF。请将每页扫描或拍照为JPG后上传。"), "pdf_not_allowed")
        pages = check_pdf(data)
        return CheckedUpload(data, "application/pdf", 0, 0, hashlib.sha256(data).hexdigest(), name, page_count=pages)
    if kind != "jpeg":
        label = {"png": "PNG", "gif": "GIF", "webp": "WebP", "heic": "HEIC（苹果手机照片）"}.get(kind, _("未知格式"))
        if allow_pdf:
            raise UploadRefused(_("文件内容是%(kind)s，不是JPG图片或PDF文件（改扩展名无效）。请另存为或导出为JPG或PDF格式后上传。")
                                % {"kind": label}, "not_jpeg")
        raise UploadRefused(_("文件内容是%(kind)s，不是JPG图片（改扩展名无效）。请另存为或导出为JPG格式后上传。")
                            % {"kind": label}, "not_jpeg")
    image = _open_jpeg(data)
    size = _upright_size(image)
    grey = _reduced_grey(image)
    sharpness = _check_quality(size, grey, min_short_side=min_short_side, check_sharpness=check_sharpness)
    return CheckedUpload(data, "image/jpeg", size[0], size[1], hashlib.sha256(data).hexdigest(), name, sharpness)


def _thumbnail(image: Image.Image) -> bytes:
    thumb = image.copy()
    thumb.thumbnail(THUMBNAIL_SIZE)
    out = io.BytesIO()
    thumb.convert("RGB").save(out, "JPEG", quality=80)
    return out.getvalue()


def normalise_jpeg(data: bytes) -> tuple[bytes, int, int, bytes]:
    """The full decode (the worker's): upright by the EXIF orientation, re-encoded without EXIF
    (GPS and camera data of phone photos never reach storage).  Returns the JPEG, its size and a
    thumbnail."""
    upright = ImageOps.exif_transpose(_decode_jpeg(data)).convert("RGB")
    out = io.BytesIO()
    upright.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)  # no exif= argument: metadata dropped
    return out.getvalue(), upright.width, upright.height, _thumbnail(upright)


def page_thumbnail(page_jpeg: bytes) -> bytes:
    with Image.open(io.BytesIO(page_jpeg)) as page:
        return _thumbnail(page)


def accept_upload(upload, *, allow_pdf: bool = False, max_bytes: int | None = None,
                  min_short_side: int = MIN_SHORT_SIDE, check_sharpness: bool = True) -> AcceptedUpload:
    """``check_upload`` and the normalisation at once, for callers that store a finished scan
    without the worker (sample applications, the unit's publicity scans)."""
    checked = check_upload(upload, allow_pdf=allow_pdf, max_bytes=max_bytes, min_short_side=min_short_side,
                           check_sharpness=check_sharpness)
    if checked.content_type == "application/pdf":
        return AcceptedUpload(checked.data, checked.content_type, 0, 0, None, checked.sha256,
                              checked.original_name, page_count=checked.page_count)
    content, width, height, thumbnail = normalise_jpeg(checked.data)
    return AcceptedUpload(content, "image/jpeg", width, height, thumbnail, hashlib.sha256(content).hexdigest(),
                          checked.original_name, checked.sharpness)


def attach(application: Application, accepted: AcceptedUpload | CheckedUpload, *, section: str, slot: str,
           row: int | None = None, order: int = 0) -> Attachment:
    """Store an upload through the storage API as a private attachment.

    An ``AcceptedUpload`` image is stored finished; a ``CheckedUpload`` (the applicant's upload, as
    the request checked it) and every PDF wait for the worker (``processing_status`` pending):
    re-encoding and thumbnail, or the PDF's page images.  Every scan awaits the applicant's answer
    to the masking question.
    """
    finished = isinstance(accepted, AcceptedUpload)
    content = accepted.content if finished else accepted.data
    attachment = Attachment(
        application=application, section=section, slot=slot, row=row, order=order,
        content_type=accepted.content_type, original_name=accepted.original_name[:200],
        size=len(content), width=accepted.width, height=accepted.height, sha256=accepted.sha256,
        page_count=accepted.page_count, needs_masking=None,
        processing_status=Processing.DONE if finished and accepted.content_type.startswith("image/")
        else Processing.PENDING,
    )
    attachment.file.save("upload", ContentFile(content), save=False)
    if finished and accepted.thumbnail:
        attachment.thumbnail.save("thumb", ContentFile(accepted.thumbnail), save=False)
    attachment.save()
    if attachment.processing_status == Processing.PENDING:
        from .tasks import process_upload_task  # noqa: PLC0415 - tasks → processing → this module

        enqueue_on_commit(process_upload_task, attachment_id=attachment.pk)
    return attachment
