from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from portal.audit.admin import AuditedAdmin

from .models import User


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):
    """Accounts, roles and scopes; every edit is recorded in the audit log (``AuditedAdmin``)."""

    list_display = ("username", "real_name", "role", "scope", "phone", "is_active")
    list_filter = ("role", "is_active", "county", "committee")
    search_fields = ("username", "real_name", "id_number", "phone")
    list_select_related = ("unit", "county", "competent_unit", "committee")
    autocomplete_fields = ("unit", "competent_unit")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("实名信息"), {"fields": ("real_name", "id_number", "phone", "email")}),
        (_("角色与范围"), {"fields": ("role", "unit", "county", "competent_unit", "committee")}),
        (_("权限"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        (_("时间"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "real_name", "role", "password1", "password2")}),
    )

    @admin.display(description=_("范围"))
    def scope(self, obj: User) -> str:
        return obj.scope_label
