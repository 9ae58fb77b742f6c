from django.urls import path

from spbe.front import views

app_name = "front"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("tahap/<slug:slug>/", views.stage, name="stage"),
]
