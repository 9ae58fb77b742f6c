"""Staff pages for alert sources and utilisation targets under
/pemantauan/sumber/."""

from django.urls import path

from spbe.monitoring import views_intake as views

app_name = "monitoring_intake"

urlpatterns = [
    path("", views.source_list, name="sources"),
    path("baru/", views.source_create, name="source_create"),
    path("<int:pk>/", views.source_detail, name="source_detail"),
    path("<int:pk>/hapus/", views.source_delete, name="source_delete"),
    path("utilisasi/", views.target_list, name="targets"),
    path("utilisasi/baru/", views.target_create, name="target_create"),
    path("utilisasi/komponen/<int:pk>/", views.component_utilisation, name="component"),
    path("utilisasi/komponen/<int:pk>/ubah/", views.target_edit, name="target_edit"),
]
