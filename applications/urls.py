from django.urls import path

from . import selfcheck, views

app_name = "applications"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("profile/<slug:key>/", views.profile_section, name="profile_section"),
    path("apply/new/", views.application_new, name="new"),
    path("apply/<str:code>/", views.application_overview, name="overview"),
    path("apply/<str:code>/section/<slug:key>/", views.section_edit, name="section"),
    path("apply/<str:code>/section/<slug:key>/autosave/", views.section_autosave, name="autosave"),
    path("apply/<str:code>/check/", views.application_checklist, name="checklist"),
    path("apply/<str:code>/preview/", views.application_preview, name="preview"),
    path("apply/<str:code>/upload/", views.attachment_upload, name="upload"),
    path("apply/<str:code>/files/<uuid:uid>/delete/", views.attachment_delete, name="attachment_delete"),
    path("apply/<str:code>/mask/", views.masking_index, name="masking"),
    path("apply/<str:code>/mask/<uuid:uid>/", views.masking_edit, name="mask"),
    path("apply/<str:code>/mask/<uuid:uid>/status/", views.masking_status, name="mask_status"),
    path("apply/<str:code>/mask/<uuid:uid>/page/<int:number>/", views.masking_page, name="mask_page"),
    # 自助预审 (public self-check, issue 3)
    path("selfcheck/", selfcheck.selfcheck, name="selfcheck"),
]
# Submit, withdraw and the scans (``/files/…``) are the applicant's pages too, but they call the
# one door or the chain's scope rule: ``review.urls.applicant_urlpatterns``, joined into this
# namespace by ``portal.urls``.
