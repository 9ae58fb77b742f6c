"""Availability and the Formulir Pemantauan dan Pemeliharaan under
/pemantauan/laporan/."""

app_name = "monitoring_reports"

urlpatterns: list = []
