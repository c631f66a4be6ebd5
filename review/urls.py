from django.urls import path

from . import views

app_name = "review"

urlpatterns = [
    path("queue/", views.queue, name="queue"),
    path("queue/batch-approve/", views.batch_approve, name="batch_approve"),
    path("applications/<int:pk>/", views.application_detail, name="detail"),
    path("applications/<int:pk>/act/<slug:action>/", views.act, name="act"),
    path("applications/<int:pk>/history/", views.history, name="history"),
    path("attachments/<int:pk>/", views.attachment_file, name="attachment"),
    path("notifications/", views.notifications, name="notifications"),
]
