"""The outbox: one row per task the portal asked for (``portal.dispatch``)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("待发送")  # recorded, not (yet) taken by the broker
    SENT = "sent", _("已排队")  # in the broker's queue
    RUNNING = "running", _("执行中")  # a worker started it
    DONE = "done", _("已完成")
    DEAD = "dead", _("失败（死信）")  # failed after every retry: an administrator may send it again


OPEN_STATUSES = (OutboxStatus.PENDING, OutboxStatus.SENT, OutboxStatus.RUNNING)  # not done yet


class Outbox(models.Model):
    task = models.CharField(_("任务"), max_length=100, db_index=True)
    kwargs = models.JSONField(_("参数"), default=dict, blank=True)
    queue = models.CharField(_("队列"), max_length=30, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING)
    publications = models.PositiveIntegerField(_("发送次数"), default=0)
    runs = models.PositiveIntegerField(_("执行次数"), default=0)
    error = models.TextField(_("错误信息"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    published_at = models.DateTimeField(_("最近发送"), null=True, blank=True)
    started_at = models.DateTimeField(_("最近开始"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    due_at = models.DateTimeField(_("最迟完成"), help_text=_("此时仍未完成则重新发送"))

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务（待发与死信）")
        ordering = ["-pk"]
        indexes = [models.Index(fields=["status", "due_at"], name="outbox_status_due")]

    def __str__(self) -> str:
        return f"{self.task} #{self.pk} ({self.get_status_display()})"
