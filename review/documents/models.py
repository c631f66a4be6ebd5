"""Rendered documents: one row per rendered file (or per render in progress) — every file the
portal renders is one: review forms, pre-filled templates, rosters and fee lists, and the kinds
``review.aftercare`` renders through this model (certificates, the results publicity list).

A document belongs to a *series*: the review form of one application, one pre-filled template of
one application, one export (roster / fee list × format) of one campaign for one scope (a unit,
a competent unit, a county HR bureau, a committee), one certificate, or the results publicity
list of one campaign.  Each render of a series gets the next
``version``; the newest ready one is ``is_current`` (at most one per series, enforced by a partial
unique constraint).  A review form carries a ``verify_code`` printed with its QR code; the public
verification page answers whether that exact version is genuine and still current, so a form
regenerated after edits invalidates the printout of the old one.

Files go through the storage API under content-addressed names (``checksum``), which makes a
retried render after a crash land on the same name (see ``services.store_rendered``).
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.choices import ChoiceLabels

# No 0/O/1/I: the short code is typed in from paper.
VERIFY_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
VERIFY_LENGTH = 10


def new_verify_code() -> str:
    return "".join(secrets.choice(VERIFY_ALPHABET) for _ in range(VERIFY_LENGTH))


def format_verify_code(code: str) -> str:
    """``ABCDE23456`` → ``ABCDE-23456`` (how it is printed and shown)."""
    return f"{code[:5]}-{code[5:]}" if len(code) == VERIFY_LENGTH else code


def normalise_verify_code(text: str) -> str:
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())


class DocumentKind(models.TextChoices):
    REVIEW_FORM = "review_form", _("专业技术职务任职资格评审表")
    ROSTER_XLSX = "roster_xlsx", _("申报人员花名册（Excel）")
    ROSTER_PDF = "roster_pdf", _("申报人员花名册（PDF）")
    FEE_LIST_XLSX = "fee_list_xlsx", _("缴费清单（Excel）")
    FEE_LIST_PDF = "fee_list_pdf", _("缴费清单（PDF）")
    PREFILLED = "prefilled", _("预填模板")
    # Rendered by review.aftercare (which registers their renderers with services.renderer_register).
    CERTIFICATE = "certificate", _("电子证书")
    PUBLICITY_LIST = "publicity_list", _("评审结果公示名单（PDF）")
    PUBLICITY_LIST_XLSX = "publicity_list_xlsx", _("评审结果公示名单（Excel）")
    # Rendered by review.meeting.
    MINUTES = "minutes", _("评审会会议纪要（PDF）")


EXPORT_KINDS = (DocumentKind.ROSTER_XLSX, DocumentKind.ROSTER_PDF, DocumentKind.FEE_LIST_XLSX,
                DocumentKind.FEE_LIST_PDF)


class DocumentStatus(models.TextChoices):
    PENDING = "pending", _("排队中")
    RENDERING = "rendering", _("正在生成")
    READY = "ready", _("已完成")
    FAILED = "failed", _("生成失败")


class ScopeKind(models.TextChoices):
    APPLICATION = "application", _("申报")
    UNIT = "unit", _("推荐单位")
    COMPETENT_UNIT = "competent_unit", _("主管单位")
    COUNTY = "county", _("县（市）人社局")
    COMMITTEE = "committee", _("评审委员会")
    CAMPAIGN = "campaign", _("全部")


def document_path(instance: Document, filename: str) -> str:
    # Content-addressed: the same bytes always land on the same name (idempotent retries), and
    # a storage path never reveals whose document it is.
    ext = filename.rsplit(".", 1)[-1]
    campaign = instance.campaign_id or "x"
    return f"documents/{campaign}/{instance.kind}/{instance.checksum}.{ext}"


class Document(ChoiceLabels, models.Model):
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("文件类型"), max_length=20, choices=DocumentKind.choices)
    template_key = models.CharField(_("模板"), max_length=30, blank=True)
    series_key = models.CharField(_("系列"), max_length=120, db_index=True, editable=False)
    version = models.PositiveIntegerField(_("版本"), default=1)

    application = models.ForeignKey("applications.Application", on_delete=models.CASCADE, null=True, blank=True,
                                    related_name="documents", verbose_name=_("申报"))
    campaign = models.ForeignKey("applications.Campaign", on_delete=models.CASCADE, null=True, blank=True,
                                 related_name="documents", verbose_name=_("年度评审工作"))
    scope_kind = models.CharField(_("范围类型"), max_length=20, choices=ScopeKind.choices)
    scope_id = models.BigIntegerField(_("范围"), null=True, blank=True)
    scope_label = models.CharField(_("范围名称"), max_length=120, blank=True)
    options = models.JSONField(_("选项"), default=dict, blank=True)

    status = models.CharField(_("状态"), max_length=10, choices=DocumentStatus.choices,
                              default=DocumentStatus.PENDING, db_index=True)
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    error = models.TextField(_("错误信息"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)

    source_hash = models.CharField(_("内容摘要"), max_length=64, blank=True,
                                   help_text=_("生成所依据数据的 SHA-256；数据不变则不重复生成"))
    file = models.FileField(_("文件"), upload_to=document_path, max_length=300, blank=True)
    filename = models.CharField(_("下载文件名"), max_length=200, blank=True)
    checksum = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.PositiveIntegerField(_("大小（字节）"), default=0)
    pages = models.PositiveIntegerField(_("页数"), null=True, blank=True)
    rows = models.PositiveIntegerField(_("行数"), null=True, blank=True)

    verify_code = models.CharField(_("验证码"), max_length=VERIFY_LENGTH, unique=True, null=True, blank=True)
    is_current = models.BooleanField(_("当前有效版本"), default=False)

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("申请人"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("开始生成"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    superseded_at = models.DateTimeField(_("作废时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("生成文件")
        verbose_name_plural = _("生成文件")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["series_key", "version"], name="uniq_document_version"),
            models.UniqueConstraint(fields=["series_key"], condition=Q(is_current=True),
                                    name="uniq_current_document_per_series"),
        ]
        indexes = [models.Index(fields=["scope_kind", "scope_id", "campaign"])]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"

    @property
    def title(self) -> str:
        if self.kind == DocumentKind.PREFILLED:
            # Heavy: prefilled loads the PDF engine (WeasyPrint), which the web process avoids.
            from .prefilled import TEMPLATES

            spec = TEMPLATES.get(self.template_key)
            return str(spec.title) if spec else self.template_key
        return str(self.get_kind_display())

    @property
    def is_ready(self) -> bool:
        return self.status == DocumentStatus.READY and bool(self.file)

    @property
    def in_progress(self) -> bool:
        return self.status in (DocumentStatus.PENDING, DocumentStatus.RENDERING)

    @property
    def display_verify_code(self) -> str:
        return format_verify_code(self.verify_code or "")

    @property
    def content_type(self) -> str:
        if self.file.name.endswith(".xlsx"):
            return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return "application/pdf"


__all__ = ["Document", "DocumentKind", "DocumentStatus", "ScopeKind"]
