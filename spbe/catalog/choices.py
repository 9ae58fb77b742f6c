"""Kinds of the service catalog (P-4, P-5), with Indonesian labels."""

from datetime import timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceGroup(models.TextChoices):
    """Perpres 95/2018: public services and government-administration services."""

    LAYANAN_PUBLIK = "layanan_publik", _("Layanan Publik")
    ADMINISTRASI = "administrasi_pemerintahan", _("Layanan Administrasi Pemerintahan")


class Classification(models.TextChoices):
    """P-5: the basis of every target."""

    KRITIS = "kritis", _("Kritis")
    ESENSIAL = "esensial", _("Esensial")
    NORMAL = "normal", _("Normal")


class Lifecycle(models.TextChoices):
    DRAFT = "draft", _("Draf")
    ACTIVE = "active", _("Aktif")
    RETIRED = "retired", _("Dihentikan")


class SupportHours(models.TextChoices):
    """P-4 item 9 (waktu pelayanan bantuan): one of the Pemda's calendars."""

    WORKING_HOURS = "working_hours", _("Jam kerja Pemda")
    ALWAYS = "24x7", _("24 jam × 7 hari")


class TimeUnit(models.TextChoices):
    MINUTES = "menit", _("menit")
    HOURS = "jam", _("jam")
    DAYS = "hari", _("hari")

    def of(self, value: int) -> timedelta:
        return {"menit": timedelta(minutes=value), "jam": timedelta(hours=value), "hari": timedelta(days=value)}[
            self.value
        ]


CLASSIFICATION_HELP = {
    Classification.KRITIS: _(
        "Vital, sepenuhnya elektronik, tidak dapat dijalankan manual, tidak menoleransi gangguan; "
        "wajib RPO, RTO, dan DRP."
    ),
    Classification.ESENSIAL: _("Elektronik, dapat ditunda dan dijalankan manual untuk sementara."),
    Classification.NORMAL: _("Selain kritis dan esensial; dapat dijalankan sepenuhnya manual."),
}
