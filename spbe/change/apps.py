from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChangeConfig(AppConfig):
    name = "spbe.change"
    label = "change"
    verbose_name = _("Perubahan dan rilis layanan")
