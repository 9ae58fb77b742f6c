from django.urls import path

from spbe.chat import views

app_name = "chat"
urlpatterns = [
    path("", views.channel_list, name="channel_list"),
    path("baru/", views.channel_create, name="channel_create"),
    path("<int:pk>/", views.channel_detail, name="channel_detail"),
    path("<int:pk>/ubah/", views.channel_edit, name="channel_edit"),
    path("<int:pk>/cek-koneksi/", views.channel_check, name="channel_check"),
    path("<int:pk>/pesan/<int:message_pk>/kirim-ulang/", views.message_resend, name="message_resend"),
]
