"""Uploaded scans.  Files go through Django's storage API under a private prefix and are read back
only through authorised views; there is no public URL for them."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from ..enums import Section
from .application import Application


def _path(instance: "Attachment", kind: str, ext: str) -> str:
    # Random names: a storage path never reveals who uploaded what.
    return f"scans/{instance.application.campaign_id}/{instance.application_id}/{instance.uid.hex}-{kind}.{ext}"


def original_path(instance: "Attachment", filename: str) -> str:
    return _path(instance, "original", "pdf" if instance.content_type == "application/pdf" else "jpg")


def thumbnail_path(instance: "Attachment", filename: str) -> str:
    return _path(instance, "thumb", "jpg")


def masked_path(instance: "Attachment", filename: str) -> str:
    # A PDF's masked copy is a PDF of rasterised pages (images only: no text layer, no metadata).
    return _path(instance, "masked", "pdf" if instance.content_type == "application/pdf" else "jpg")


def page_path(instance: "Attachment", number: int) -> str:
    """Where the worker stores page ``number`` (1-based) of a PDF, rasterised for the masking page."""
    return _path(instance, f"page{number}", "jpg")


class Processing(models.TextChoices):
    """The worker's pass over an upload (``applications.processing``): re-encoding and thumbnail
    of an image, page images of a PDF."""

    PENDING = "pending", _("处理中")
    DONE = "done", _("已处理")
    ERROR = "error", _("无法处理")


class Attachment(models.Model):
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="attachments")
    section = models.CharField(_("栏目"), max_length=20, choices=Section.choices)
    slot = models.SlugField(_("材料代码"), max_length=40, help_text=_("MaterialRequirement.code"))
    row = models.PositiveSmallIntegerField(_("对应行"), null=True, blank=True,
                                           help_text=_("重复栏目（如获奖、继续教育）中对应的行号"))
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    file = models.FileField(_("原件"), upload_to=original_path, max_length=300)
    thumbnail = models.FileField(_("缩略图"), upload_to=thumbnail_path, max_length=300, blank=True)
    masked = models.FileField(_("遮盖件"), upload_to=masked_path, max_length=300, blank=True)
    content_type = models.CharField(_("类型"), max_length=40, default="image/jpeg")
    original_name = models.CharField(_("原文件名"), max_length=200, blank=True)
    size = models.PositiveIntegerField(_("大小（字节）"), default=0)
    width = models.PositiveIntegerField(_("宽"), default=0)
    height = models.PositiveIntegerField(_("高"), default=0)
    sha256 = models.CharField(max_length=64, blank=True)

    # 信息遮盖: None until the applicant answers "contains my name?".
    needs_masking = models.BooleanField(_("需要遮盖"), null=True, blank=True)
    mask_boxes = models.JSONField(_("遮盖区域"), default=list, blank=True,
                                  help_text=_("[[x, y, w, h], …] in original pixels"))
    ocr_hits = models.JSONField(_("识别到的姓名/身份证号位置"), default=list, blank=True)
    ocr_status = models.CharField(_("识别状态"), max_length=20, blank=True)
    # The masked copy read back by OCR: what of the name / ID number is still legible on it.
    mask_check = models.JSONField(_("遮盖件复查结果"), default=list, blank=True)
    mask_check_status = models.CharField(_("遮盖件复查状态"), max_length=20, blank=True)

    processing_status = models.CharField(_("处理状态"), max_length=20, choices=Processing.choices,
                                         default=Processing.DONE)
    # PDFs: the pages rasterised by the worker, [{"name": storage name, "width": px, "height": px}, …];
    # mask boxes of a PDF are in these pages' pixels and name their page.
    pages = models.JSONField(_("页面图像"), default=list, blank=True)
    page_count = models.PositiveSmallIntegerField(_("页数"), default=0)

    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["section", "slot", "row", "order", "id"]
        indexes = [models.Index(fields=["application", "slot"])]

    def __str__(self) -> str:
        return f"{self.get_section_display()} {self.slot}"

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")

    @property
    def is_pdf(self) -> bool:
        return self.content_type == "application/pdf"

    @property
    def is_processed(self) -> bool:
        return self.processing_status == Processing.DONE

    @property
    def masking_answered(self) -> bool:
        """The applicant answered, and the copy the committee gets exists: a PDF always has one
        (its pages rasterised, with or without boxes), an image only when it shows the name."""
        if self.needs_masking is None:
            return False
        if self.needs_masking or self.is_pdf:
            return bool(self.masked)
        return True

    @property
    def reviewer_file(self):
        """What committee reviewers get: the masked copy when one is required, else the original.
        A PDF never goes as uploaded (text layer, metadata): always its rasterised copy."""
        return self.masked if (self.needs_masking or self.is_pdf) else self.file
