"""Admin of the chain's own records.  Edits are recorded in the audit log (``AuditedAdmin``)."""

from django.contrib import admin

from portal.audit.admin import AuditedAdmin

from .models import Notification, UnitPublicity, WorkdayOverride


@admin.register(WorkdayOverride)
class WorkdayOverrideAdmin(AuditedAdmin):
    """节假日与调休: corrections to chinesecalendar and the years after its data ends."""

    list_display = ("date", "is_working_day", "note")
    list_filter = ("is_working_day",)
    date_hierarchy = "date"
    search_fields = ("note",)


@admin.register(UnitPublicity)
class UnitPublicityAdmin(AuditedAdmin):
    list_display = ("application", "start", "end", "working_days", "recorded_by", "recorded_at")
    raw_id_fields = ("application", "recorded_by")
    readonly_fields = ("working_days", "opinion", "recorded_at")


@admin.register(Notification)
class NotificationAdmin(AuditedAdmin):
    list_display = ("title", "user", "created_at", "read_at", "emailed")
    list_filter = ("emailed",)
    raw_id_fields = ("user", "application", "change")
    search_fields = ("title",)
