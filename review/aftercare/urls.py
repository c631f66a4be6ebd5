from django.urls import path

from .views import clerk, lists, mine, public

app_name = "aftercare"

urlpatterns = [
    # The committee clerk (and administrators).
    path("", clerk.index, name="index"),
    path("paper/bulk/", clerk.paper_bulk, name="paper_bulk"),
    path("applications/<int:pk>/", clerk.application, name="application"),
    path("applications/<int:pk>/paper/", clerk.paper_record, name="paper_record"),
    path("applications/<int:pk>/paper/remove/", clerk.paper_remove, name="paper_remove"),
    path("applications/<int:pk>/fee/", clerk.fee_record, name="fee_record"),
    path("applications/<int:pk>/defense/", clerk.defense_outcome_view, name="defense_outcome"),
    path("applications/<int:pk>/decide/", clerk.decide, name="decide"),
    path("applications/<int:pk>/certify/", clerk.certify, name="certify"),
    path("applications/<int:pk>/fraud/", clerk.fraud, name="fraud"),
    path("fees/", lists.fees, name="fees"),
    path("fees/batch/", lists.fee_batch, name="fee_batch"),
    path("defense/", lists.defense, name="defense"),
    path("defense/apply/", lists.defense_apply, name="defense_apply"),
    path("defense/sessions/", lists.sessions, name="sessions"),
    path("defense/sessions/new/", lists.session_create, name="session_create"),
    path("defense/sessions/<int:pk>/", lists.session, name="session"),
    path("defense/schedule/", lists.session_schedule, name="session_schedule"),
    path("defense/sessions/<int:pk>/panel/", lists.session_panel, name="session_panel"),
    path("results/", lists.results, name="results"),
    path("results/decide/", lists.decide_bulk, name="decide_bulk"),
    path("results/publicity/", lists.publicity, name="publicity"),
    path("results/publicity-list.<slug:fmt>", lists.publicity_list, name="publicity_list"),
    path("certificates/", lists.certificates, name="certificates"),
    path("certificates/issue/", lists.certify_bulk, name="certify_bulk"),
    path("certificates/<int:pk>/download/", mine.certificate_download, name="certificate_download"),
    path("certificates/<int:pk>/render/", mine.certificate_rerender, name="certificate_rerender"),
    path("integrity/", lists.integrity, name="integrity"),
    # Units and county / competent-department officers.
    path("unit/", mine.unit, name="unit"),
    # Applicants.
    path("my/<str:code>/", mine.mine, name="mine"),
    path("my/<str:code>/certificate.pdf", mine.my_certificate, name="my_certificate"),
    # The public.
    path("certificates/lookup/", public.certificate_lookup, name="certificate_lookup"),
    path("certificates/verify/", public.certificate_verify, name="certificate_verify"),
    path("certificates/file/<str:token>/", public.certificate_public_download, name="certificate_public_download"),
    path("c/<str:token>/", public.certificate_qr, name="certificate_qr"),
]
