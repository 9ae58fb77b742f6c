from django.urls import path

from spbe.catalog import views

app_name = "catalog"
urlpatterns = [
    path("", views.service_list, name="service_list"),
    path("baru/", views.service_create, name="service_create"),
    path("<int:pk>/", views.service_detail, name="service_detail"),
    path("<int:pk>/ubah/", views.service_edit, name="service_edit"),
    path("<int:pk>/hentikan/", views.service_retire, name="service_retire"),
    path("perencanaan/<slug:kind>/", views.planning_list, name="planning_list"),
    path("perencanaan/<slug:kind>/baru/", views.planning_create, name="planning_create"),
    path("perencanaan/<slug:kind>/<int:pk>/", views.planning_detail, name="planning_detail"),
    path("perencanaan/<slug:kind>/<int:pk>/ubah/", views.planning_edit, name="planning_edit"),
    path("kebutuhan/<int:pk>/konfirmasi-teknologi/", views.confirm_technology, name="confirm_technology"),
]
