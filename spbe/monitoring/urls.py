"""Staff pages of monitoring under /pemantauan/ (checks, maintenance)."""

from django.urls import path

from spbe.monitoring import views

app_name = "monitoring"

urlpatterns = [
    path("", views.check_list, name="checks"),
]
