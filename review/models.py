"""What the review chain keeps besides the application's own state and history
(``applications.models.StateChange``): the unit's publicity, the working-day calendar, and the
in-portal messages.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitPublicity(models.Model):
    """The unit's publicity (公示) of an application: dates and the fixed opinion it approved with.

    One row per application, rewritten when the unit approves again after a resubmission; every
    approval also keeps its own dates in the history row (``StateChange.data["publicity"]``).  The
    scans themselves are ``Attachment`` rows of section ``other``, slots ``publicity`` and
    ``publicity_result``."""

    application = models.OneToOneField("applications.Application", on_delete=models.CASCADE,
                                       related_name="publicity", verbose_name=_("申报"))
    start = models.DateField(_("公示开始日期"))
    end = models.DateField(_("公示结束日期"))
    working_days = models.PositiveSmallIntegerField(_("公示工作日数"))
    opinion = models.CharField(_("推荐单位审核意见"), max_length=200)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("经办人"))
    recorded_at = models.DateTimeField(_("记录时间"), auto_now=True)

    class Meta:
        verbose_name = _("推荐单位公示")
        verbose_name_plural = _("推荐单位公示")

    def __str__(self) -> str:
        return f"{self.start:%Y-%m-%d}—{self.end:%Y-%m-%d}"


class WorkdayOverride(models.Model):
    """A day whose working status differs from what ``chinesecalendar`` says, or that it does not
    know (years after its release): 法定节假日 (``is_working_day`` off) or 调休上班 (on)."""

    date = models.DateField(_("日期"), unique=True)
    is_working_day = models.BooleanField(_("是工作日"), help_text=_("勾选：调休上班；不勾选：放假"))
    note = models.CharField(_("说明"), max_length=100, blank=True, help_text=_("例如：2027年春节"))

    class Meta:
        verbose_name = _("工作日调整")
        verbose_name_plural = _("工作日调整（节假日与调休）")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {'上班' if self.is_working_day else '放假'}"


class Notification(models.Model):
    """An in-portal message to one user about one transition.  Texts are written when the
    transition commits, for their reader: a committee clerk's never names the applicant."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications",
                             verbose_name=_("接收人"))
    application = models.ForeignKey("applications.Application", on_delete=models.CASCADE,
                                    related_name="notifications", verbose_name=_("申报"))
    # Blank for news that is not a transition (a defense session's place announced later).
    change = models.ForeignKey("applications.StateChange", on_delete=models.CASCADE, null=True, blank=True,
                               related_name="notifications", verbose_name=_("审核记录"))
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    emailed = models.BooleanField(_("已发送邮件"), default=False)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("站内消息")
        verbose_name_plural = _("站内消息")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.title
