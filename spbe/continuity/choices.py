"""Kinds and states of recovery (O-5), with Indonesian labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RecoverySite(models.TextChoices):
    PDN = "pdn", _("Pusat Data Nasional (PDN)")
    PDD = "pdd", _("Pusat Data Daerah (PDD)")
    CLOUD = "cloud", _("Komputasi awan (cloud)")
    OTHER_DC = "other_dc", _("Pusat data lain")


class RecoveryKind(models.TextChoices):
    ACTIVATION = "activation", _("Aktivasi DRP")
    DRILL = "drill", _("Uji coba DRP")


class RecoveryStatus(models.TextChoices):
    PLANNED = "planned", _("Dijadwalkan")
    ASSESSING = "assessing", _("Penilaian")
    RECOVERING = "recovering", _("Pemulihan berlangsung")
    NORMALISED = "normalised", _("Normal kembali, evaluasi")
    CLOSED = "closed", _("Selesai")
    NO_DISASTER = "no_disaster", _("Bukan bencana")
    CANCELLED = "cancelled", _("Dibatalkan")


OPEN_RECOVERY_STATUSES = frozenset(
    {RecoveryStatus.PLANNED, RecoveryStatus.ASSESSING, RecoveryStatus.RECOVERING, RecoveryStatus.NORMALISED}
)


class Step(models.IntegerChoices):
    """The seven steps of recovery activation (Tabel 8, Gambar 9; O-5)."""

    ASSESS = 1, _("Penilaian kondisi fisik dan kelayakan pusat data")
    ANALYSE = 2, _("Analisis hasil penilaian")
    DEFINE = 3, _("Penetapan kondisi bencana")
    ACTIVATE = 4, _("Aktivasi DRP")
    NORMALISE = 5, _("Normalisasi")
    EVALUATE = 6, _("Evaluasi DRP")
    RATIFY = 7, _("Penetapan DRP")


class RpoSource(models.TextChoices):
    HEARTBEAT = "heartbeat", _("Detak pemantauan cadangan")
    EVIDENCE = "evidence", _("Diisi dengan bukti")


class EventKind(models.TextChoices):
    CREATED = "created", _("Dibuka")
    STEP = "step", _("Langkah")
    DECLARED = "declared", _("Bencana dinyatakan")
    NO_DISASTER = "no_disaster", _("Bukan bencana")
    CLOCK = "clock", _("Jam RTO")
    REVISION = "revision", _("Revisi DRP")
    CANCELLED = "cancelled", _("Dibatalkan")
