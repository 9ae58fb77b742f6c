from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PolicyConfig(AppConfig):
    name = "spbe.policy"
    label = "policy"
    verbose_name = _("Paket kebijakan dan kalender")

    def ready(self) -> None:
        from spbe.policy import signals  # noqa: F401  (calendar revisions)
