"""Kinds and states of the SP4N-LAPOR! channel (Pedoman C), with Indonesian labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportType(models.TextChoices):
    """LAPOR!'s three report types (Pedoman C). A complaint becomes an
    aduan (O-2); an aspiration or a request for information a service
    request (O-1)."""

    PENGADUAN = "pengaduan", _("Pengaduan")
    ASPIRASI = "aspirasi", _("Aspirasi")
    PERMINTAAN_INFORMASI = "permintaan_informasi", _("Permintaan Informasi")


class ImportStatus(models.TextChoices):
    PREVIEW = "preview", _("Menunggu konfirmasi")
    DONE = "done", _("Selesai diimpor")
    CANCELLED = "cancelled", _("Dibatalkan")


class RowOutcome(models.TextChoices):
    """What became of one row: at the preview (new, duplicate, error) and
    after the confirmation (created, skipped, error)."""

    NEW = "new", _("Baru")
    DUPLICATE = "duplicate", _("Sudah diimpor (dilewati)")
    ERROR = "error", _("Galat")
    CREATED = "created", _("Tiket dibuat")


class DeadlineState(models.TextChoices):
    """The state of one LAPOR! deadline as the pages show it."""

    RUNNING = "running", _("Berjalan")
    MET = "met", _("Terpenuhi")
    BREACHED = "breached", _("Terlampaui")
    NONE = "none", _("Tanpa jam")


class FileFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX"
