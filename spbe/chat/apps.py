from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChatConfig(AppConfig):
    name = "spbe.chat"
    label = "chat"
    verbose_name = _("Kanal chat")

    def ready(self) -> None:
        from spbe.chat.signals import reply_in_chat
        from spbe.desk.hooks import reporter_told

        reporter_told.connect(reply_in_chat, dispatch_uid="spbe.chat.reply_in_chat")
