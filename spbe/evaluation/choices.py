"""Kinds and states of the evaluation stage (E-1 … E-4), with Indonesian labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ReportScope(models.TextChoices):
    """E-2: a PD evaluates its own services; the Koordinator SPBE the Pemda's."""

    PD = "pd", _("Perangkat Daerah")
    PEMDA = "pemda", _("Pemda (seluruh PD)")


class PeriodKind(models.TextChoices):
    SEMESTER = "semester", _("Semester")
    YEAR = "year", _("Tahun")
    CUSTOM = "custom", _("Rentang tanggal")


class Chapter(models.TextChoices):
    """E-2 point 5: the five chapters (a)–(e), and E-1's planning and
    application management; the SLA documents (E-2 point 7, E-3)."""

    REQUESTS = "requests", _("Permintaan layanan")
    DISRUPTIONS = "disruptions", _("Penanganan gangguan")
    MONITORING = "monitoring", _("Pemantauan dan pemeliharaan")
    RECOVERY = "recovery", _("Pemulihan layanan")
    RELEASE = "release", _("Rilis layanan")
    PLANNING = "planning", _("Perencanaan dan pengelolaan aplikasi")
    SLA = "sla", _("Evaluasi dokumen SLA")


# The chapters whose analysis of obstacles must be written before approval
# (E-2 point 6); the SLA chapter's analysis is part of the disruption chapter
# when a PD holds no SLA document, so it is required only when there is one.
MANDATORY_CHAPTERS = (
    Chapter.REQUESTS,
    Chapter.DISRUPTIONS,
    Chapter.MONITORING,
    Chapter.RECOVERY,
    Chapter.RELEASE,
    Chapter.PLANNING,
)


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Belum dimulai")
    IN_PROGRESS = "in_progress", _("Sedang dikerjakan")
    DONE = "done", pgettext_lazy("tindak lanjut", "Selesai")
    CANCELLED = "cancelled", _("Dibatalkan")


OPEN_ACTION_STATUSES = frozenset({ActionStatus.OPEN, ActionStatus.IN_PROGRESS})


class ActionTarget(models.TextChoices):
    """What a follow-up action improves (E-2 point 6, E-4 level 5)."""

    SERVICE = "service", _("Layanan")
    DRP = "drp", _("DRP")
    PACK = "pack", _("Perubahan paket kebijakan")
    PROCEDURE = "procedure", _("Prosedur")


class ReportEventKind(models.TextChoices):
    CREATED = "created", _("Dibuat")
    ANALYSIS = "analysis", _("Analisis")
    ACTION = "action", _("Tindak lanjut")
    SUBMITTED = "submitted", _("Diajukan")
    APPROVED = "approved", _("Disetujui, angka dibekukan")
    REJECTED = "rejected", _("Ditolak")
    REVISED = "revised", _("Revisi dimulai")
