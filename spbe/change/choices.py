"""Kinds of change (P-9), with Indonesian labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ChangeKind(models.TextChoices):
    """P-9 names addition, removal and transfer of a service; a change to an
    existing service is the ITIL case every peer product has too."""

    ADDITION = "addition", _("Penambahan layanan")
    REMOVAL = "removal", _("Penghapusan layanan")
    TRANSFER = "transfer", _("Pengalihan layanan")
    MODIFICATION = "modification", _("Perubahan layanan yang ada")


class ChangeOrigin(models.TextChoices):
    USER_REQUEST = "user_request", _("Permintaan pengguna (O-1)")
    PROVIDER_NEED = "provider_need", _("Kebutuhan penyedia layanan")


class Level(models.IntegerChoices):
    """Likelihood and impact of a risk, 1 to 5 (score = likelihood × impact)."""

    VERY_LOW = 1, _("1 — sangat rendah")
    LOW = 2, _("2 — rendah")
    MEDIUM = 3, _("3 — sedang")
    HIGH = 4, _("4 — tinggi")
    VERY_HIGH = 5, _("5 — sangat tinggi")


class ReleaseBasis(models.TextChoices):
    """O-6: why a release happens."""

    BUILT = "built", _("Aplikasi dibangun atau dikembangkan")
    CHANGE = "change", _("Permintaan perubahan telah dipenuhi")
    INITIATIVE = "initiative", _("Inisiatif penyedia layanan")


class ReleaseStage(models.TextChoices):
    """Where an approved release is; a draft or submitted one is ``planned``."""

    PLANNED = "planned", _("Direncanakan")
    VERIFYING = "verifying", _("Verifikasi pemantauan")
    MANUAL = "manual", _("Menunggu verifikasi manual")
    SUCCEEDED = "succeeded", _("Berhasil")
    FAILED = "failed", _("Gagal, perlu dikembalikan")
    ROLLED_BACK = "rolled_back", _("Gagal, dikembalikan")


class ReleaseEventKind(models.TextChoices):
    CREATED = "created", _("Dibuat")
    SCHEDULED = "scheduled", _("Dijadwalkan")
    VERIFIED = "verified", _("Verifikasi")
    TESTED = "tested", _("Hasil uji")
    PROBLEM = "problem", _("Masalah")
    ROLLBACK = "rollback", _("Dikembalikan")
    FEEDBACK = "feedback", _("Umpan balik")
