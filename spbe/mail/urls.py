from django.urls import path

from spbe.mail import views

app_name = "mail"
urlpatterns = [
    path("", views.mailbox_list, name="mailbox_list"),
    path("baru/", views.mailbox_create, name="mailbox_create"),
    path("pilah/", views.triage, name="triage"),
    path("<int:pk>/", views.mailbox_detail, name="mailbox_detail"),
    path("<int:pk>/ubah/", views.mailbox_edit, name="mailbox_edit"),
    path("<int:pk>/uji/", views.mailbox_test, name="mailbox_test"),
    path("<int:pk>/periksa/", views.mailbox_poll, name="mailbox_poll"),
    path("pesan/<int:pk>/", views.inbound_detail, name="inbound_detail"),
    path("pesan/<int:pk>/buka/", views.inbound_open, name="inbound_open"),
    path("pesan/<int:pk>/abaikan/", views.inbound_dismiss, name="inbound_dismiss"),
    path("pesan/<int:pk>/lampiran/<int:attachment_pk>/", views.attachment, name="attachment"),
]
