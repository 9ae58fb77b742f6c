from django.urls import path

from spbe.desk import views

app_name = "desk"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("baru/", views.create, name="create"),
    path("tampilan/", views.save_view, name="save_view"),
    path("tampilan/<int:pk>/hapus/", views.delete_view, name="delete_view"),
    path("tugaskan/", views.bulk_assign, name="bulk_assign"),
    path("reviu/", views.problem_review, name="review"),
    path("sla/", views.sla_list, name="sla_list"),
    path("sla/baru/", views.sla_edit, name="sla_create"),
    path("sla/<int:pk>/", views.sla_edit, name="sla_edit"),
    path("reviu/buka/", views.problem_open, name="problem_open"),
    path("masalah/<int:pk>/", views.problem_detail, name="problem"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/lampiran/<int:attachment_pk>/", views.attachment, name="attachment"),
    path("<int:pk>/<slug:verb>/", views.act, name="act"),
]
