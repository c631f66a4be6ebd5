from django.urls import path  # noqa: F401  (patterns are added by the applicant and self-check pages)

app_name = "applications"

urlpatterns: list = []

# 自助预审 (public self-check, issue 3)
from . import selfcheck  # noqa: E402

urlpatterns += [path("selfcheck/", selfcheck.selfcheck, name="selfcheck")]
