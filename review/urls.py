from django.urls import path

from . import views

app_name = "review"

urlpatterns = [
    path("queue/", views.queue, name="queue"),
    path("queue/batch-approve/", views.batch_approve, name="batch_approve"),
    path("applications/<int:pk>/", views.application_detail, name="detail"),
    path("applications/<int:pk>/act/<slug:action>/", views.act, name="act"),
    path("applications/<int:pk>/history/", views.history, name="history"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("notifications/", views.notifications, name="notifications"),
]

# Pages of the applicant's namespace (``applications:…``) that call the one door or stream scans
# through the chain's scope rule; ``portal.urls`` joins them to ``applications.urls``.
applicant_urlpatterns = [
    path("apply/<str:code>/submit/", views.application_submit, name="submit"),
    path("apply/<str:code>/withdraw/", views.application_withdraw, name="withdraw"),
    path("files/<uuid:uid>/<slug:variant>/", views.attachment_file, name="attachment_file"),
]
