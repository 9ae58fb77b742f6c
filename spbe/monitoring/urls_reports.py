"""Availability and the Formulir Pemantauan dan Pemeliharaan under
/pemantauan/laporan/."""

from django.urls import path

from spbe.monitoring import views_reports

app_name = "monitoring_reports"

urlpatterns = [
    path("", views_reports.availability_list, name="availability"),
    path("layanan/<int:pk>/", views_reports.service_report, name="service"),
    path("layanan/<int:pk>/<int:year>/<int:month>/", views_reports.report_form, name="form"),
]
