from django.urls import path

from spbe.change import views

app_name = "change"
urlpatterns = [
    path("", views.plan_list, name="plan_list"),
    path("baru/", views.plan_create, name="plan_create"),
    path("<int:pk>/", views.plan_detail, name="plan_detail"),
    path("<int:pk>/ubah/", views.plan_edit, name="plan_edit"),
]
