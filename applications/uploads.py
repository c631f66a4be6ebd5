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
from PIL import Image, ImageOps, UnidentifiedImageError

from .models import Application, Attachment

# A 60-megapixel phone photo is the largest honest scan; above that, refuse before decoding.
MAX_PIXELS = 60_000_000
THUMBNAIL_SIZE = (360, 360)
JPEG_QUALITY = 88


class UploadRefused(Exception):
    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class AcceptedUpload:
    content: bytes  # normalised: upright JPEG without EXIF, or the PDF as uploaded
    content_type: str
    width: int
    height: int
    thumbnail: bytes | None
    sha256: str
    original_name: str


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


def accept_upload(upload, *, allow_pdf: bool = False, max_bytes: int | None = None) -> AcceptedUpload:
    """Check and normalise one uploaded file (a Django ``UploadedFile`` or any binary file object)."""
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
    out = io.BytesIO()
    upright.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)  # no exif= argument: metadata dropped
    content = out.getvalue()
    thumb = upright.copy()
    thumb.thumbnail(THUMBNAIL_SIZE)
    thumb_out = io.BytesIO()
    thumb.save(thumb_out, "JPEG", quality=80)
    return AcceptedUpload(content, "image/jpeg", upright.width, upright.height, thumb_out.getvalue(),
                          hashlib.sha256(content).hexdigest(), name)


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
