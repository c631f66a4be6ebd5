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
from PIL import Image, ImageFilter, ImageOps, ImageStat, UnidentifiedImageError

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

# Sharpness: variance of the Laplacian of the grey page scaled to a 1000 px long side (so that the
# number does not depend on the camera's resolution).  Calibrated on the generated A4 sample scans
# (``tests/applications/test_upload_quality.py`` re-measures them): sharp pages score 300–700
# (300 is a nearly empty page), the same pages Gaussian-blurred score 150–400 (radius 1), 70–180
# (1.5), 32–77 (2), 8–16 (3), 2–5 (4); a blank page scores 0.  Below 25 text is smeared beyond
# reading, so the scan is refused; a page blurred by radius 2 or less still passes.
SHARPNESS_NORMALISED_SIDE = 1000
MIN_SHARPNESS = 25.0
_LAPLACIAN = ImageFilter.Kernel((3, 3), [0, 1, 0, 1, -4, 1, 0, 1, 0], scale=1, offset=128)


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


def sharpness_of(image: Image.Image) -> float:
    """Variance of the Laplacian of the grey image scaled down to a 1000 px long side."""
    grey = image.convert("L")
    scale = SHARPNESS_NORMALISED_SIDE / max(grey.size)
    if scale < 1:
        grey = grey.resize((max(1, round(grey.width * scale)), max(1, round(grey.height * scale))),
                           Image.Resampling.BILINEAR)
    edges = grey.filter(_LAPLACIAN)
    # The kernel sees black beyond the border: drop the outermost pixels or every page looks sharp.
    if edges.width > 4 and edges.height > 4:
        edges = edges.crop((2, 2, edges.width - 2, edges.height - 2))
    return float(ImageStat.Stat(edges).var[0])


def _check_quality(image: Image.Image, *, min_short_side: int, check_sharpness: bool) -> float | None:
    short = min(image.size)
    if short < min_short_side:
        raise UploadRefused(_("图片分辨率过低（%(w)d×%(h)d像素），短边至少需要%(min)d像素，否则审核时看不清。"
                              "请用扫描仪（不低于150dpi）扫描，或用手机正对材料拍摄原图后上传。")
                            % {"w": image.width, "h": image.height, "min": min_short_side}, "too_small")
    if not check_sharpness:
        return None
    score = sharpness_of(image)
    if score < MIN_SHARPNESS:
        raise UploadRefused(_("图片模糊或几乎空白（清晰度%(score).0f，至少需要%(min).0f），审核时无法辨认。"
                              "请在光线充足处对焦后重新拍摄，或用扫描仪扫描后上传。")
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
