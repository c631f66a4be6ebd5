"""``AuditEvent``: who changed what, when, and what it was before and after.

Like Zulip's ``RealmAuditLog``: append-only, one row per change, written by the service that
makes the change in the same transaction (``portal.audit.services.audit_record``), with a stable
action code (``AuditAction``).  ``application`` and ``person`` are there for filtering: the
application the change concerns, and the person it concerns (the applicant, or the account
changed); ``actor`` is who made it (``None``: the system — the worker, beat, a command).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from .actions import AuditAction

SYSTEM_ROLE = "system"


def action_choices():
    """A callable, so that adding an action to the registry needs no migration."""
    return AuditAction.choices


class AuditEvent(models.Model):
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+", verbose_name=_("操作人"))
    actor_role = models.CharField(_("操作人角色"), max_length=20)
    action = models.CharField(_("操作"), max_length=60, choices=action_choices, db_index=True)
    object_type = models.ForeignKey(ContentType, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("对象类型"))
    object_id = models.CharField(_("对象编号"), max_length=40, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    target = GenericForeignKey("object_type", "object_id")
    application = models.ForeignKey("applications.Application", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="audit_events", verbose_name=_("申报"))
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="audit_events_about", verbose_name=_("涉及人员"))
    before = models.JSONField(_("修改前"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(_("修改后"), default=dict, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计日志")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["application", "created_at"]),
            models.Index(fields=["person", "created_at"]),
            models.Index(fields=["actor", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} · {self.object_repr}"

    def save(self, *args, **kwargs):
        # Append-only: an audit row is written once and never changed.
        if self.pk is not None:
            raise ValueError("AuditEvent rows are append-only")
        super().save(*args, **kwargs)
