from django.urls import path

from spbe.catalog import views

app_name = "public"
urlpatterns = [path("<slug:slug>/katalog/", views.public_catalog, name="catalog")]
