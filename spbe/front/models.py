"""The few rows the shell itself keeps."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Heartbeat(models.Model):
    """Last time a background component proved it runs (for /healthz)."""

    name = models.CharField(_("komponen"), max_length=40, primary_key=True)
    seen = models.DateTimeField(_("terakhir terlihat"))

    class Meta:
        verbose_name = _("detak komponen")
        verbose_name_plural = _("detak komponen")

    def __str__(self) -> str:
        return f"{self.name} @ {self.seen:%Y-%m-%d %H:%M:%S}"

    @classmethod
    def beat(cls, name: str) -> None:
        cls.objects.update_or_create(name=name, defaults={"seen": timezone.now()})


class RateCounter(models.Model):
    """Requests of one kind from one source in the current window
    (spbe.front.ratelimit). In the database, so every web worker counts
    together without a shared cache, and the count survives a restart."""

    key = models.CharField(max_length=200, primary_key=True)
    count = models.PositiveIntegerField(default=0)
    expires = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("penghitung batas permintaan")
        verbose_name_plural = _("penghitung batas permintaan")

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"
