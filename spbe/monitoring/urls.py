"""Staff pages of monitoring under /pemantauan/ (checks, maintenance), and
the heartbeat ping of jobs."""

from django.urls import path

from spbe.monitoring import views

app_name = "monitoring"

urlpatterns = [
    path("", views.check_list, name="checks"),
    path("baru/", views.check_create, name="check_create"),
    path("<int:pk>/", views.check_detail, name="check_detail"),
    path("<int:pk>/ubah/", views.check_edit, name="check_edit"),
    path("detak/<str:token>/", views.ping, name="ping"),
    path("pemeliharaan/", views.maintenance_list, name="maintenance"),
    path("pemeliharaan/baru/", views.maintenance_create, name="maintenance_create"),
]
