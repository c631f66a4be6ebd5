"""Rendered files in the admin: read-only (a file is regenerated from its data, never edited)."""

from django.contrib import admin

from .models import Document


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ("__str__", "kind", "status", "scope_label", "application", "campaign", "is_current", "created_at")
    list_filter = ("kind", "status", "is_current")
    search_fields = ("verify_code", "application__code", "series_key", "filename")
    raw_id_fields = ("application", "requested_by")
    readonly_fields = [f.name for f in Document._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
