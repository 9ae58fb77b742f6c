from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContinuityConfig(AppConfig):
    name = "spbe.continuity"
    label = "continuity"
    verbose_name = _("Pemulihan layanan")

    def ready(self) -> None:
        from spbe.continuity import signals  # noqa: F401  (clock warnings and breaches on the timeline)
