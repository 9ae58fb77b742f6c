from django.urls import path

from spbe.evaluation import views, views_dashboard

app_name = "evaluation"

urlpatterns = [
    path("", views.report_list, name="report_list"),
    path("dasbor/", views_dashboard.dashboard, name="dashboard"),
    path("laporan/baru/", views.report_create, name="report_create"),
    path("laporan/<int:pk>/", views.report_detail, name="report_detail"),
    path("laporan/<int:pk>/ubah/", views.report_edit, name="report_edit"),
    path("laporan/<int:pk>/analisis/<slug:chapter>/", views.analysis_save, name="analysis_save"),
    path("laporan/<int:pk>/tindak-lanjut/baru/", views.action_create, name="action_create"),
    path("laporan/<int:pk>/keputusan/<slug:verb>/", views.report_decide, name="report_decide"),
    path("laporan/<int:pk>/dokumen.<str:fmt>", views.report_document, name="report_document"),
    path("tindak-lanjut/", views.action_list, name="action_list"),
    path("tindak-lanjut/<int:pk>/", views.action_detail, name="action_detail"),
    path("tindak-lanjut/<int:pk>/status/", views.action_status, name="action_status"),
    path("tindak-lanjut/<int:pk>/bukti/", views.action_evidence, name="action_evidence"),
    path("kematangan/", views.maturity_page, name="maturity"),
    path("kematangan/bukti-dukung.zip", views.evidence_pack, name="evidence_pack"),
]
