from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    name = "spbe.approvals"
    label = "approvals"
    verbose_name = _("Persetujuan dan lampiran")
