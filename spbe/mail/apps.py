from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailConfig(AppConfig):
    name = "spbe.mail"
    label = "mail"
    verbose_name = _("Kanal e-mail")

    def ready(self) -> None:
        from spbe.mail import signals  # noqa: F401  (connects the reporter_mail receiver)
