"""Documents rendered by the worker: review form, rosters, fee lists, pre-filled templates."""

from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("exports/", views.exports, name="exports"),
    path("exports/new/", views.export_create, name="export_create"),
    path("mine/", views.mine, name="mine"),
    path("application/<int:pk>/", views.application_documents, name="application"),
    path("application/<int:pk>/review-form/", views.review_form_generate, name="review_form_generate"),
    # Contract with the review pages: {% url 'documents:prefilled' app.pk 'publicity' %}.
    path("application/<int:pk>/prefilled/<slug:key>/", views.prefilled, name="prefilled"),
    path("verify/", views.verify, name="verify_lookup"),
    path("verify/<str:code>/", views.verify, name="verify"),
    path("<uuid:uid>/", views.detail, name="detail"),
    path("<uuid:uid>/status/", views.status, name="status"),
    path("<uuid:uid>/download/", views.download, name="download"),
]
