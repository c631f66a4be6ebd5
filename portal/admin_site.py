"""The administrators' site: Django's own, under the portal's names, without the list of every
model that each page builds for the navigation sidebar.

The sidebar is off (it cost the applications list 9 of its 26 ms of CPU and 22 of its 53 KB, issue
16; the index and the breadcrumbs lead to every model), but ``AdminSite.each_context`` still builds
``available_apps`` for it on every admin page: every registered model's permissions and URLs, ~10 %
of the applications list's CPU.  Here that list is built only where the sidebar would show it; the
index and each app's page build their own (``get_app_list`` called by those views).
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


class PortalAdminSite(admin.AdminSite):
    site_header = _("巴州职称申报评审平台 · 管理后台")
    site_title = _("职称平台管理")
    index_title = _("系统管理")
    enable_nav_sidebar = False

    def each_context(self, request):
        if self.enable_nav_sidebar:
            return super().each_context(request)
        request.portal_without_app_list = True
        try:
            return super().each_context(request)
        finally:
            del request.portal_without_app_list

    def get_app_list(self, request, app_label=None):
        if getattr(request, "portal_without_app_list", False):
            return []  # ``available_apps``: read by the sidebar's template alone
        return super().get_app_list(request, app_label)


class PortalAdminConfig(AdminConfig):
    default_site = "portal.admin_site.PortalAdminSite"
