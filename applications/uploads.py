"""The upload pipeline: every scan, from any user, enters the portal through ``accept_upload``.

The content decides, never the file name: a PNG or PDF renamed ``.jpg`` is refused.  Images are
decoded under a pixel budget (decompression bombs), turned upright by their EXIF orientation and
re-encoded without EXIF (GPS and camera data of phone photos never reach storage).  Each refusal
is an ``UploadRefused`` with a Chinese message saying what is wrong and what to do.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageChops, ImageFilter, ImageOps, ImageStat, UnidentifiedImageError

from portal.errors import Refused

from .models import Application, Attachment

# A 60-megapixel phone photo is the largest honest scan; above that, refuse before decoding.
MAX_PIXELS = 60_000_000
THUMBNAIL_SIZE = (360, 360)
JPEG_QUALITY = 88

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
_ABSOLUTE = [abs(v - 128) for v in range(256)]
_EDGE_MASK = [255 if v >= _EDGE_FLOOR else 0 for v in range(256)]


class UploadRefused(Refused):
    """A file that cannot be accepted; ``code`` names the reason for the page's script."""

    def __init__(self, message: str, code: str):
        super().__init__(message, code=code)


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


def _decode_jpeg(data: bytes) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise UploadRefused(_("图片像素过大（%(w)d×%(h)d），无法处理。请用正常分辨率重新拍摄或扫描。")
                                    % {"w": width, "h": height}, "too_many_pixels")
            probe.load()
    except UploadRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UploadRefused(_("图片像素过大，无法处理。请用正常分辨率重新拍摄或扫描。"), "too_many_pixels")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise UploadRefused(_("图片文件已损坏或不完整，无法打开。请重新拍摄或重新导出为JPG后上传。"), "broken")
    return probe


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


def _check_quality(image: Image.Image, *, min_short_side: int, check_sharpness: bool) -> float | None:
    short = min(image.size)
    if short < min_short_side:
        raise UploadRefused(_("图片分辨率过低（%(w)d×%(h)d像素），短边至少需要%(min)d像素，否则审核时看不清。"
                              "请用扫描仪（不低于150dpi）扫描，或用手机正对材料拍摄原图后上传。")
                            % {"w": image.width, "h": image.height, "min": min_short_side}, "too_small")
    if not check_sharpness:
        return None
    score = sharpness_of(image)
    if score == 0:
        raise UploadRefused(_("图片几乎空白，看不到文字或图案。请确认拍摄或扫描的是材料正面，重新上传。"), "blurred")
    if score < MIN_SHARPNESS:
        raise UploadRefused(_("图片模糊（清晰度%(score).0f，至少需要%(min).0f）：文字笔画已糊在一起，审核时无法辨认。"
                              "请在光线充足处，手机与材料平行、对焦清楚后再拍摄，或用扫描仪扫描后上传。")
                            % {"score": score, "min": MIN_SHARPNESS}, "blurred")
    return score


def accept_upload(upload, *, allow_pdf: bool = False, max_bytes: int | None = None,
                  min_short_side: int = MIN_SHORT_SIDE, check_sharpness: bool = True) -> AcceptedUpload:
    """Check and normalise one uploaded file (a Django ``UploadedFile`` or any binary file object).

    Refusals, in the order they are checked: size (0 bytes, over the limit), content type (sniffed,
    never the name), PDF where not allowed, broken or truncated data, decompression bombs, too
    small a resolution, a blurred scan.  ``min_short_side`` and ``check_sharpness`` let a caller
    relax the quality checks for small documents (``MIN_SHORT_SIDE_BY_SLOT``).
    """
    max_bytes = max_bytes or settings.PORTAL_UPLOAD_MAX_BYTES
    data = _read(upload, max_bytes)
    kind = _sniff(data[:16])
    name = getattr(upload, "name", "") or ""
    if kind == "pdf":
        if not allow_pdf:
            raise UploadRefused(_("此栏目只接受JPG格式的图片，不接受PDF。请将每页扫描或拍照为JPG后上传。"), "pdf_not_allowed")
        if b"%%EOF" not in data[-1024:]:
            raise UploadRefused(_("PDF文件不完整，无法打开。请重新导出后上传。"), "broken")
        return AcceptedUpload(data, "application/pdf", 0, 0, None, hashlib.sha256(data).hexdigest(), name)
    if kind != "jpeg":
        label = {"png": "PNG", "gif": "GIF", "webp": "WebP", "heic": "HEIC（苹果手机照片）"}.get(kind, _("未知格式"))
        raise UploadRefused(_("文件内容是%(kind)s，不是JPG图片（改扩展名无效）。请另存为或导出为JPG格式后上传。")
                            % {"kind": label}, "not_jpeg")
    image = _decode_jpeg(data)
    upright = ImageOps.exif_transpose(image).convert("RGB")
    sharpness = _check_quality(upright, min_short_side=min_short_side, check_sharpness=check_sharpness)
    out = io.BytesIO()
    upright.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)  # no exif= argument: metadata dropped
    content = out.getvalue()
    thumb = upright.copy()
    thumb.thumbnail(THUMBNAIL_SIZE)
    thumb_out = io.BytesIO()
    thumb.save(thumb_out, "JPEG", quality=80)
    return AcceptedUpload(content, "image/jpeg", upright.width, upright.height, thumb_out.getvalue(),
                          hashlib.sha256(content).hexdigest(), name, sharpness)


def attach(application: Application, accepted: AcceptedUpload, *, section: str, slot: str,
           row: int | None = None, order: int = 0) -> Attachment:
    """Store an accepted upload through the storage API as a private attachment."""
    attachment = Attachment(
        application=application, section=section, slot=slot, row=row, order=order,
        content_type=accepted.content_type, original_name=accepted.original_name[:200],
        size=len(accepted.content), width=accepted.width, height=accepted.height, sha256=accepted.sha256,
        needs_masking=None if accepted.content_type.startswith("image/") else False,
    )
    attachment.file.save("upload", ContentFile(accepted.content), save=False)
    if accepted.thumbnail:
        attachment.thumbnail.save("thumb", ContentFile(accepted.thumbnail), save=False)
    attachment.save()
    return attachment
