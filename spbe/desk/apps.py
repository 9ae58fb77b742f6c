from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeskConfig(AppConfig):
    name = "spbe.desk"
    label = "desk"
    verbose_name = _("Layanan pengguna")

    def ready(self) -> None:
        from spbe.desk import signals  # noqa: F401  (escalation on clock events)
