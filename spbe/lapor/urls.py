from django.urls import path

from spbe.lapor import views

app_name = "lapor"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("impor/", views.import_start, name="import_start"),
    path("impor/riwayat/", views.import_history, name="import_history"),
    path("impor/<int:pk>/", views.import_detail, name="import_detail"),
    path("impor/<int:pk>/konfirmasi/", views.import_confirm, name="import_confirm"),
    path("impor/<int:pk>/batal/", views.import_cancel, name="import_cancel"),
    path("impor/<int:pk>/berkas/", views.import_file, name="import_file"),
    path("templat.<str:fmt>", views.template_download, name="template"),
]
