from django.urls import path

from spbe.continuity import views

app_name = "continuity"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("drp/", views.plan_list, name="plan_list"),
    path("drp/baru/", views.plan_create, name="plan_create"),
    path("drp/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("drp/<int:pk>/ubah/", views.plan_edit, name="plan_edit"),
    path("drp/<int:pk>/revisi/", views.plan_revise, name="plan_revise"),
    path("drp/<int:pk>/dokumen.<str:fmt>", views.plan_document, name="plan_document"),
    path("aktivasi/", views.recovery_list, name="recovery_list"),
    path("aktivasi/baru/", views.activation_create, name="activation_create"),
    path("uji-coba/baru/", views.drill_create, name="drill_create"),
    path("aktivasi/<int:pk>/", views.recovery_detail, name="recovery_detail"),
    path("aktivasi/<int:pk>/jam-rto/", views.recovery_clock, name="recovery_clock"),
    path("aktivasi/<int:pk>/langkah/<int:number>/", views.recovery_step, name="recovery_step"),
    path("aktivasi/<int:pk>/batal/", views.drill_cancel, name="drill_cancel"),
    path("aktivasi/<int:pk>/bukti/<int:evidence_pk>/", views.evidence, name="evidence"),
]
