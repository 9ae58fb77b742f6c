from django.urls import path

from spbe.desk import views

app_name = "desk"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("baru/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/<slug:verb>/", views.act, name="act"),
]
