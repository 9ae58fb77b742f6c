"""Kinds of the configuration database (O-7, O-2 item 10)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Hosting(models.TextChoices):
    PUSAT_DATA_DAERAH = "pdd", _("Pusat Data Daerah")
    PDN = "pdn", _("Pusat Data Nasional (PDN)")
    CLOUD = "cloud", _("Cloud")
    ON_PREMISE = "on_premise", _("On-premise di PD")


class SdlcPhase(models.TextChoices):
    """O-7: SDLC-based building and development."""

    DESIGN = "design", _("Perancangan")
    IMPLEMENTATION = "implementation", _("Implementasi")
    TESTING = "testing", _("Pengujian")
    PRODUCTION = "production", _("Operasional")
    MAINTENANCE = "maintenance", _("Pemeliharaan")
    RETIRED = "retired", _("Dihentikan")


class ComponentKind(models.TextChoices):
    SERVER = "server", _("Server fisik")
    VM = "vm", _("Mesin virtual")
    DATABASE = "database", _("Basis data")
    NETWORK = "network", _("Perangkat jaringan")
    STORAGE = "storage", _("Penyimpanan")
    OTHER = "other", _("Lainnya")


class Urgency(models.TextChoices):
    HIGH = "tinggi", _("Tinggi")
    MEDIUM = "sedang", _("Sedang")
    LOW = "rendah", _("Rendah")


# P-11: the seven principles an application needs analysis is checked against.
PRINCIPLES = (
    ("effectiveness", _("Efektivitas")),
    ("integration", _("Keterpaduan")),
    ("continuity", _("Kesinambungan")),
    ("efficiency", _("Efisiensi")),
    ("accountability", _("Akuntabilitas")),
    ("interoperability", _("Interoperabilitas")),
    ("security", _("Keamanan")),
)
