from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "spbe.audit"
    label = "audit"
    verbose_name = _("Jejak audit")

    def ready(self) -> None:
        from spbe.audit import signals  # noqa: F401  (connects sign-in events)
