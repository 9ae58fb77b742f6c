from django.urls import path

from spbe.chat import webhooks

app_name = "chat_webhook"
urlpatterns = [
    path("telegram/<slug:code>/", webhooks.telegram, name="telegram"),
    path("whatsapp/<slug:code>/", webhooks.whatsapp, name="whatsapp"),
]
