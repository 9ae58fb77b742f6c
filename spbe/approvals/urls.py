from django.urls import path

from spbe.approvals import views

app_name = "approvals"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:type_id>/<int:pk>/lampiran/", views.attach, name="attach"),
    path("<int:type_id>/<int:pk>/<slug:verb>/", views.decide, name="decide"),
    path("lampiran/<int:attachment_pk>/", views.download, name="download"),
]
