"""Kinds and states of SLA clocks (P-1, P-3, E-3)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ClockKind(models.TextChoices):
    RESPONSE = "response", _("Waktu tanggap (P-3)")
    USER_SERVICE = "user_service", _("Pelayanan pengguna (P-1)")
    SLA_RESPONSE = "sla_response", _("Respon SLA (E-3)")
    SLA_RESOLUTION = "sla_resolution", _("Penyelesaian SLA (E-3)")
    RTO = "rto", _("Waktu pemulihan (RTO, O-5)")
    LAPOR_VERIFICATION = "lapor_verification", _("Verifikasi SP4N-LAPOR! (3 hari kerja)")
    LAPOR_FOLLOW_UP = "lapor_follow_up", _("Tindak lanjut SP4N-LAPOR! (5 hari kerja)")


class ClockState(models.TextChoices):
    RUNNING = "running", _("Berjalan")
    PAUSED = "paused", _("Dijeda")
    MET = "met", _("Tercapai")
    BREACHED = "breached", _("Terlampaui")


class ClockEventKind(models.TextChoices):
    STARTED = "started", _("Dimulai")
    PAUSED = "paused", _("Dijeda")
    RESUMED = "resumed", _("Dilanjutkan")
    WARNING = "warning", _("Peringatan")
    BREACHED = "breached", _("Terlampaui")
    STOPPED = "stopped", _("Dihentikan")
