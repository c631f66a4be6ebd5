"""The composition root of the addresses: every app's pages, at the paths they always had.

The applicant's namespace (``applications:…``) is made of ``applications.urls`` and the few
applicant pages that live in ``review`` because they call the one door or the chain's scope rule
(``review.urls.applicant_urlpatterns``): applications may not import review.
"""

from django.contrib import admin
from django.urls import include, path

from applications import urls as applications_urls
from review import urls as review_urls

from . import health, views

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
