from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from . import health, views

admin.site.site_header = _("巴州职称申报评审平台 · 管理后台")
admin.site.site_title = _("职称平台管理")
admin.site.index_title = _("系统管理")

urlpatterns = [
    path("", views.home, name="home"),
    path("me/", views.dashboard, name="dashboard"),
    path("healthz", health.liveness, name="healthz"),  # answered by health.HealthCheckMiddleware
    path("readyz", health.readiness, name="readyz"),
    path("accounts/", include("portal.accounts.urls")),
    path("admin/", admin.site.urls),
    path("", include("applications.urls")),
    path("review/", include("review.urls")),
    path("documents/", include("review.documents.urls")),
    path("aftercare/", include("review.aftercare.urls")),
]
