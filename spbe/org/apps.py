from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "spbe.org"
    label = "org"
    verbose_name = _("Organisasi")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from spbe.org import twofactor

        user_logged_in.connect(twofactor.on_login, dispatch_uid="spbe-second-factor")
