from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from portal.audit.admin import AuditedAdmin

from .models import User
from .services import login_lock_release, second_factor_reset


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

    actions = ["release_login_lock", "reset_second_factor"]

    @admin.action(description=_("解除登录锁定"))
    def release_login_lock(self, request, queryset):
        for user in queryset:
            login_lock_release(actor=request.user, user=user)
        self.message_user(request, _("已解除 %d 个账号的登录锁定。") % queryset.count(), messages.SUCCESS)

    @admin.action(description=_("重置两步验证（本人下次登录时重新设置）"))
    def reset_second_factor(self, request, queryset):
        # Only after checking who asks: whoever logs in next with the password enrols a new phone.
        for user in queryset:
            second_factor_reset(actor=request.user, user=user)
        self.message_user(request, _("已重置 %d 个账号的两步验证。") % queryset.count(), messages.SUCCESS)

    @admin.display(description=_("范围"))
    def scope(self, obj: User) -> str:
        return obj.scope_label
