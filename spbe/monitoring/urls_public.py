"""The public status page per Pemda under /status/<pemda>/ (no log-in)."""

from django.urls import path

from spbe.monitoring import views_public

app_name = "status"

urlpatterns = [
    path("<slug:slug>/", views_public.status_page, name="page"),
]
