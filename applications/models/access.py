"""查阅记录: who opened an application's page, a scan, a document or an export that contains it.

Written by the doors that serve them (``applications.access_log``), one row per application per
request, in bulk for exports.  The applicant reads them on their application as "谁查看了我的材料":
the role and the unit or committee, and the time, never the officer's personal name.
Administrators filter them in the admin.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AccessWhat(models.TextChoices):
    PAGE = "page", _("申报页面")
    SCAN = "scan", _("扫描件")
    DOCUMENT = "document", _("文件")
    EXPORT = "export", _("导出清单")


class AccessEvent(models.Model):
    application = models.ForeignKey("applications.Application", on_delete=models.CASCADE,
                                    related_name="access_events", verbose_name=_("申报"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+", verbose_name=_("查看人"))
    role = models.CharField(_("角色"), max_length=20)
    scope_label = models.CharField(_("单位或评审委员会"), max_length=200, blank=True)
    what = models.CharField(_("查看内容"), max_length=20, choices=AccessWhat.choices)
    detail = models.CharField(_("说明"), max_length=120, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("查阅记录")
        verbose_name_plural = _("查阅记录")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["application", "-created_at"], name="access_app_time")]

    def __str__(self) -> str:
        return f"{self.role} {self.get_what_display()} {self.created_at:%Y-%m-%d %H:%M}"
