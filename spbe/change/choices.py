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
