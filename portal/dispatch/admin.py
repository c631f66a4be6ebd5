"""后台任务 in the admin: every task the portal asked for, the dead letters (「重新发送」), and
the queues' state (lengths, the oldest task not yet done) above the list."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from . import resend
from .models import Outbox, OutboxStatus


@admin.register(Outbox)
class OutboxAdmin(admin.ModelAdmin):
    list_display = ("id", "task", "queue", "status", "publications", "runs", "created_at", "due_at", "finished_at",
                    "short_error")
    list_filter = ("status", "task", "queue")
    search_fields = ("task", "error")
    readonly_fields = [f.name for f in Outbox._meta.fields]
    actions = ["resend_selected"]
    change_list_template = "admin/dispatch/outbox/change_list.html"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # a record of what happened: only 「重新发送」 acts on it

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("错误信息"))
    def short_error(self, obj: Outbox) -> str:
        return obj.error[:80]

    @admin.action(description=_("重新发送"), permissions=["view"])
    def resend_selected(self, request, queryset) -> None:
        ids = list(queryset.exclude(status=OutboxStatus.DONE).values_list("pk", flat=True))
        count = resend(ids)
        self.message_user(request, _("已重新发送 %d 个任务。") % count, messages.SUCCESS)

    def changelist_view(self, request, extra_context=None):
        from .health import queue_overview

        return super().changelist_view(request, {**(extra_context or {}), "overview": queue_overview()})
