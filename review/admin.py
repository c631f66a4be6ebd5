from django.contrib import admin

from .models import StateChange


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
