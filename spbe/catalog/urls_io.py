from django.urls import path

from spbe.catalog import views_io

app_name = "catalog_io"
urlpatterns = [
    path("templat/", views_io.template_download, name="template"),
    path("impor/", views_io.catalog_import, name="import"),
]
