from django.urls import path

from spbe.change import views, views_calendar, views_documents, views_projects, views_releases

app_name = "change"
urlpatterns = [
    path("kalender/", views_calendar.change_calendar, name="calendar"),
    path("rilis/", views_releases.release_list, name="release_list"),
    path("rilis/baru/", views_releases.release_create, name="release_create"),
    path("rilis/<int:pk>/", views_releases.release_detail, name="release_detail"),
    path("rilis/<int:pk>/ubah/", views_releases.release_edit, name="release_edit"),
    path("rilis/<int:pk>/dokumen.<str:fmt>", views_documents.release_document, name="release_document"),
    path("rilis/<int:pk>/<slug:verb>/", views_releases.release_step, name="release_step"),
    path("proyek/", views_projects.project_list, name="project_list"),
    path("proyek/baru/", views_projects.project_create, name="project_create"),
    path("proyek/<int:pk>/dokumen.<str:fmt>", views_documents.project_document, name="project_document"),
    path("proyek/<int:pk>/", views_projects.project_detail, name="project_detail"),
    path("proyek/<int:pk>/ubah/", views_projects.project_edit, name="project_edit"),
    path("proyek/<int:pk>/fase/<int:phase>/<slug:verb>/", views_projects.project_phase_step, name="project_phase"),
    path("", views.plan_list, name="plan_list"),
    path("baru/", views.plan_create, name="plan_create"),
    path("<int:pk>/", views.plan_detail, name="plan_detail"),
    path("<int:pk>/ubah/", views.plan_edit, name="plan_edit"),
    path("<int:pk>/dokumen.<str:fmt>", views_documents.plan_document, name="plan_document"),
]
