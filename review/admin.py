from django.contrib import admin

from .models import Notification, ReturnNote, StateChange, UnitPublicity, WorkdayOverride


@admin.register(StateChange)
class StateChangeAdmin(admin.ModelAdmin):
    list_display = ("application", "action", "from_state", "to_state", "actor", "actor_role", "created_at")
    list_filter = ("to_state", "actor_role")
    raw_id_fields = ("application", "actor")

    # Append-only history: visible to administrators, never edited.
    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False



@admin.register(WorkdayOverride)
class WorkdayOverrideAdmin(admin.ModelAdmin):
    """节假日与调休: corrections to chinesecalendar and the years after its data ends."""

    list_display = ("date", "is_working_day", "note")
    list_filter = ("is_working_day",)
    date_hierarchy = "date"
    search_fields = ("note",)


@admin.register(UnitPublicity)
class UnitPublicityAdmin(admin.ModelAdmin):
    list_display = ("application", "start", "end", "working_days", "recorded_by", "recorded_at")
    raw_id_fields = ("application", "recorded_by")
    readonly_fields = ("working_days", "opinion", "recorded_at")


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("title", "user", "created_at", "read_at", "emailed")
    list_filter = ("emailed",)
    raw_id_fields = ("user", "application", "change")
    search_fields = ("title",)


@admin.register(ReturnNote)
class ReturnNoteAdmin(admin.ModelAdmin):
    list_display = ("application", "section", "attachment", "text")
    raw_id_fields = ("change", "application", "attachment")


from .aftercare import admin as aftercare_admin  # noqa: E402,F401 - registers the after-acceptance models
