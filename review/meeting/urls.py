from django.urls import path

from . import views

app_name = "meeting"

urlpatterns = [
    # Experts.
    path("mine/", views.mine, name="mine"),
    path("<int:pk>/declare/", views.declaration, name="declaration"),
    path("package/<int:pk>/", views.package, name="package"),
    path("package/<int:pk>/scan/<int:attachment>/", views.package_scan, name="package_scan"),
    path("package/<int:pk>/opinion/", views.opinion, name="opinion"),
    path("package/<int:pk>/defense-score/", views.defense_score, name="defense_score"),
    path("package/<int:pk>/recuse/", views.recuse, name="recuse"),
    path("ballot/<int:pk>/", views.ballot, name="ballot"),
    path("<int:pk>/confirm/", views.confirm, name="confirm"),
    # The committee clerk.
    path("", views.index, name="index"),
    path("pool/", views.pool, name="pool"),
    path("pool/template.xlsx", views.pool_template, name="pool_template"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/group/", views.group, name="group"),
    path("<int:pk>/agenda/", views.agenda, name="agenda"),
    path("<int:pk>/draw/", views.draw, name="draw"),
    path("<int:pk>/open/", views.open_meeting, name="open"),
    path("<int:pk>/attendance/", views.attendance, name="attendance"),
    path("<int:pk>/items/<int:item>/<str:action>/", views.ballot_action, name="ballot_action"),
    path("<int:pk>/outcomes/", views.outcomes, name="outcomes"),
    path("<int:pk>/minutes.pdf", views.minutes, name="minutes"),
    path("<int:pk>/archive/<int:item>.zip", views.archive, name="archive"),
]
