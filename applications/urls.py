from django.urls import path  # noqa: F401  (patterns are added by the applicant and self-check pages)

app_name = "applications"

urlpatterns: list = []
