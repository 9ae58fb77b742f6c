from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FrontConfig(AppConfig):
    name = "spbe.front"
    label = "front"
    verbose_name = _("Antarmuka")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from spbe.front.middleware import SlidingSessionMiddleware

        user_logged_in.connect(SlidingSessionMiddleware.stamp, dispatch_uid="spbe-session-stamp")
