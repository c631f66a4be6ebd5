"""What happened to an application: the history of its state (one row per transition) and the
notes reviewers attach to a return.

Both are written by the one door (``review.services.application_transition``) in the transaction
of the state change, and read by the applicant's pages (the progress list, the notes beside each
section) as well as by reviewers.  ``StateChange`` is the applicant-facing history; the
administrator's complete record of every write is ``portal.audit.AuditEvent``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.choices import ChoiceLabels

from ..states import REACHED_FIELD_OF_STATE, State


class StateChange(ChoiceLabels, models.Model):
    """Append-only history of an application: one row per transition, written in the same
    transaction as the state change.  ``actor_label`` is what reviewers may see; committee views
    show the role only, never the applicant's name."""

    application = models.ForeignKey("applications.Application", on_delete=models.CASCADE,
                                    related_name="history", verbose_name=_("申报"))
    action = models.CharField(_("操作"), max_length=40)
    from_state = models.CharField(_("原状态"), max_length=20, choices=State.choices)
    to_state = models.CharField(_("新状态"), max_length=20, choices=State.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+", verbose_name=_("操作人"))
    actor_role = models.CharField(_("操作人角色"), max_length=20, blank=True)
    comment = models.TextField(_("意见"), blank=True)
    submission_round = models.PositiveSmallIntegerField(_("提交轮次"), default=0)
    data = models.JSONField(_("附加信息"), default=dict, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("审核记录")
        verbose_name_plural = _("审核记录")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_from_state_display()} → {self.get_to_state_display()}"

    def save(self, *args, **kwargs):
        # Append-only: history rows are written once and never updated.
        if self.pk is not None and not kwargs.pop("_allow_update", False):
            raise ValueError("StateChange rows are append-only")
        created = self.pk is None
        super().save(*args, **kwargs)
        if not created:
            return
        # The application's row follows its history (same transaction as this row): the state this
        # change left, and the step it reached (the queues filter on the flag).
        changes = {"left_from": self.from_state}
        reached = REACHED_FIELD_OF_STATE.get(self.to_state)
        if reached:
            changes[reached] = True
        type(self).application.field.related_model.objects.filter(pk=self.application_id).update(**changes)
        loaded = self._state.fields_cache.get("application")
        if loaded is not None:
            for name, value in changes.items():
                setattr(loaded, name, value)


class ReturnNote(models.Model):
    """A reviewer's note on a return, attached to the whole application (``section`` blank), to a
    section, or to one attachment; the applicant sees each beside the field it concerns."""

    change = models.ForeignKey(StateChange, on_delete=models.CASCADE, related_name="notes",
                               verbose_name=_("退回记录"))
    application = models.ForeignKey("applications.Application", on_delete=models.CASCADE,
                                    related_name="return_notes")
    section = models.CharField(_("栏目"), max_length=20, blank=True)
    attachment = models.ForeignKey("applications.Attachment", on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="return_notes", verbose_name=_("附件"))
    text = models.TextField(_("修改意见"))

    class Meta:
        verbose_name = _("退回意见")
        verbose_name_plural = _("退回意见")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.text[:40]
