from django.urls import path

from spbe.cmdb import views

app_name = "cmdb"
urlpatterns = [
    path("aplikasi/", views.application_list, name="application_list"),
    path("aplikasi/baru/", views.application_create, name="application_create"),
    path("aplikasi/<int:pk>/", views.application_detail, name="application_detail"),
    path("aplikasi/<int:pk>/ubah/", views.application_edit, name="application_edit"),
    path("aplikasi/<int:pk>/komponen/", views.application_component_add, name="application_component_add"),
    path(
        "aplikasi/<int:pk>/komponen/<int:component_pk>/lepas/",
        views.application_component_remove,
        name="application_component_remove",
    ),
    path("aplikasi/<int:pk>/layanan/", views.application_service_add, name="application_service_add"),
    path(
        "aplikasi/<int:pk>/layanan/<int:service_pk>/lepas/",
        views.application_service_remove,
        name="application_service_remove",
    ),
    path("komponen/", views.component_list, name="component_list"),
    path("komponen/baru/", views.component_create, name="component_create"),
    path("komponen/<int:pk>/", views.component_detail, name="component_detail"),
    path("komponen/<int:pk>/ubah/", views.component_edit, name="component_edit"),
    path("komponen/<int:pk>/dampak/", views.component_impact, name="component_impact"),
    path("komponen/<int:pk>/ketergantungan/", views.component_dependency_add, name="component_dependency_add"),
    path(
        "komponen/<int:pk>/ketergantungan/<int:depends_on_pk>/lepas/",
        views.component_dependency_remove,
        name="component_dependency_remove",
    ),
]
