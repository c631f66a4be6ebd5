from django.urls import path  # noqa: F401  (patterns are added by the review pages)

app_name = "review"

urlpatterns: list = []
