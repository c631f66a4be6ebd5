"""The composition root of the addresses: every app's pages, at the paths they always had.

The applicant's namespace (``applications:…``) is made of ``applications.urls`` and the few
applicant pages that live in ``review`` because they call the one door or the chain's scope rule
(``review.urls.applicant_urlpatterns``): applications may not import review.
"""

from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from applications import urls as applications_urls
from review import urls as review_urls

from . import health, views

admin.site.site_header = _("巴州职称申报评审平台 · 管理后台")
admin.site.site_title = _("职称平台管理")
admin.site.index_title = _("系统管理")
# No sidebar of every model on each admin page: it cost the applications list 9 of its 26 ms of CPU
# and 22 of its 53 KB (issue 16); the index and the breadcrumbs lead to every model.
admin.site.enable_nav_sidebar = False

applicant_pages = ([*applications_urls.urlpatterns, *review_urls.applicant_urlpatterns], applications_urls.app_name)

urlpatterns = [
    path("", views.home, name="home"),
    path("me/", views.dashboard, name="dashboard"),
    path("healthz", health.liveness, name="healthz"),  # answered by health.HealthCheckMiddleware
    path("readyz", health.readiness, name="readyz"),
    path("accounts/", include("portal.accounts.urls")),
    path("admin/", admin.site.urls),
    path("", include(applicant_pages)),
    path("review/", include("review.urls")),
    path("documents/", include("review.documents.urls")),
    path("aftercare/", include("review.aftercare.urls")),
    path("meeting/", include("review.meeting.urls")),
]
