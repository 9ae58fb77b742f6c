"""Kinds and states of tickets (O-1, O-2, P-2), with Indonesian labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TicketKind(models.TextChoices):
    REQUEST = "request", _("Permintaan layanan")
    COMPLAINT = "complaint", _("Aduan")


class TicketStatus(models.TextChoices):
    NEW = "new", _("Baru")
    AWAITING_APPROVAL = "awaiting_approval", _("Menunggu persetujuan")
    IN_PROGRESS = "in_progress", _("Ditangani")
    WAITING_REPORTER = "waiting_reporter", _("Menunggu pelapor")
    RESOLVED = "resolved", _("Selesai, menunggu konfirmasi")
    CLOSED = "closed", _("Ditutup")
    REJECTED = "rejected", _("Ditolak")


OPEN_STATUSES = frozenset(
    {TicketStatus.NEW, TicketStatus.AWAITING_APPROVAL, TicketStatus.IN_PROGRESS, TicketStatus.WAITING_REPORTER}
)


class Impact(models.TextChoices):
    """P-2: Mayor = the service fails entirely; Minor = degraded or one function fails."""

    MAYOR = "mayor", _("Mayor — layanan gagal total, pengguna sama sekali tidak dapat mengakses")
    MINOR = "minor", _("Minor — layanan berjalan tetapi lambat atau satu fungsi gagal")


class ReportingMethod(models.TextChoices):
    """O-2 item 3 (phone, letter, e-mail — and others)."""

    PORTAL = "portal", _("Portal")
    PHONE = "phone", _("Telepon")
    LETTER = "letter", _("Surat")
    EMAIL = "email", _("E-mail")
    CHAT = "chat", _("Chat")
    WALK_IN = "walk_in", _("Datang langsung")
    LAPOR = "lapor", _("SP4N-LAPOR!")
    MONITORING = "monitoring", _("Pemantauan")


class TimelineKind(models.TextChoices):
    CREATED = "created", _("Dicatat")
    PRIORITY = "priority", _("Prioritas")
    CONVERTED = "converted", _("Dijadikan aduan")
    RESPONDED = "responded", _("Ditanggapi")
    COMMENT = "comment", _("Catatan")
    ANALYSIS = "analysis", _("Analisis dan perkiraan")
    ESCALATED = "escalated", _("Eskalasi")
    WAITING = "waiting", _("Menunggu pelapor")
    REPLIED = "replied", _("Balasan pelapor")
    RESOLVED = "resolved", _("Diselesaikan")
    CONFIRMED = "confirmed", _("Dikonfirmasi pelapor")
    REOPENED = "reopened", _("Dibuka kembali")
    CLOSED = "closed", _("Ditutup")
    ASSIGNED = "assigned", _("Ditugaskan")
    STATUS = "status", _("Status")
    CLOCK = "clock", _("Jam SLA")
    MONITORING = "monitoring", _("Pemantauan")


class ProblemStatus(models.TextChoices):
    """O-3: a recurring disruption under review."""

    OPEN = "open", _("Terbuka")
    ANALYSING = "analysing", _("Analisis akar masalah")
    KNOWN_ERROR = "known_error", _("Kesalahan diketahui (ada solusi sementara)")
    RESOLVED = "resolved", _("Perbaikan permanen diterapkan")
    CLOSED = "closed", _("Ditutup")
