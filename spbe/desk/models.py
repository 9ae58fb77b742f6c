"""Tickets: service requests (O-1) and complaints (O-2) in one table, so a
request found to be a disruption becomes a complaint under the same number.

Every change goes through ``spbe.desk.actions`` and leaves a TimelineEvent;
clocks (spbe.clocks) are owned by the ticket.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from spbe.approvals.validators import validate_attachment
from spbe.desk.choices import (
    OPEN_STATUSES,
    Impact,
    ProblemStatus,
    ReportingMethod,
    TicketKind,
    TicketStatus,
    TimelineKind,
)


class TicketCounter(models.Model):
    """The last ticket number given per Pemda and year (numbers never repeat,
    even when a ticket is deleted)."""

    pemda = models.ForeignKey("org.Pemda", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["pemda", "year"], name="desk_counter_once")]

    def __str__(self) -> str:
        return f"{self.pemda_id}/{self.year}: {self.last}"


class SlaDocument(models.Model):
    """E-3: an SLA document held by a PD or a vendor contract: response in
    working hours, resolution per urgency. Tickets on the services it covers
    get its E-3 clocks."""

    pemda = models.ForeignKey("org.Pemda", on_delete=models.PROTECT, related_name="+", verbose_name=_("Pemda"))
    pd = models.ForeignKey("org.PerangkatDaerah", on_delete=models.PROTECT, related_name="sla_documents",
                           verbose_name=_("PD pemegang"))  # fmt: skip
    title = models.CharField(_("judul"), max_length=200)
    vendor = models.CharField(_("pihak pemeliharaan / vendor"), max_length=200, blank=True)
    contract_number = models.CharField(_("nomor kontrak"), max_length=100, blank=True)
    valid_from = models.DateField(_("berlaku mulai"))
    valid_to = models.DateField(_("berlaku sampai"))
    services = models.ManyToManyField("catalog.Service", related_name="sla_documents", verbose_name=_("layanan"))
    response_target = models.DurationField(_("kecepatan respon (jam kerja)"))
    resolution_1 = models.DurationField(_("penyelesaian urgensi 1 (tinggi)"))
    resolution_2 = models.DurationField(_("penyelesaian urgensi 2 (sedang)"))
    resolution_3 = models.DurationField(_("penyelesaian urgensi 3 (rendah)"))
    contract_value = models.DecimalField(
        _("nilai kontrak / anggaran (Rp)"), max_digits=15, decimal_places=0, null=True, blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("E-2 butir 7: komitmen SLA dievaluasi dari sisi kualitas dan anggaran."),
    )  # fmt: skip
    created = models.DateTimeField(_("dibuat"), auto_now_add=True)
    last_updated = models.DateTimeField(_("terakhir diubah"), auto_now=True)

    class Meta:
        verbose_name = _("dokumen SLA")
        verbose_name_plural = _("dokumen SLA")
        ordering = ["-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__gte=models.F("valid_from")),
                name="desk_sla_valid_range",
                violation_error_message=_("Tanggal akhir tidak boleh sebelum tanggal mulai."),
            )
        ]

    def __str__(self) -> str:
        return self.title

    def resolution_for(self, urgency: int):
        return {1: self.resolution_1, 2: self.resolution_2, 3: self.resolution_3}[urgency]


class Ticket(models.Model):
    """One request or complaint with every field of the Pedoman's forms
    (O-1 items 1–8, O-2 items 1–15)."""

    number = models.CharField(_("nomor tiket"), max_length=30, unique=True)
    kind = models.CharField(_("jenis"), max_length=10, choices=TicketKind.choices)
    pemda = models.ForeignKey("org.Pemda", on_delete=models.PROTECT, related_name="+", verbose_name=_("Pemda"))
    pd = models.ForeignKey(
        "org.PerangkatDaerah", on_delete=models.PROTECT, related_name="tickets", verbose_name=_("penyedia layanan")
    )
    service = models.ForeignKey(
        "catalog.Service", on_delete=models.PROTECT, related_name="tickets", verbose_name=_("layanan")
    )
    policy_version = models.ForeignKey(
        "policy.PolicyVersion", on_delete=models.PROTECT, related_name="+", verbose_name=_("versi paket")
    )
    # who reported (O-1 item 1, O-2 item 2): an account, or the details a clerk took down
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="tickets",
        verbose_name=_("pelapor"),
    )  # fmt: skip
    reporter_name = models.CharField(_("nama pelapor"), max_length=150)
    reporter_email = models.EmailField(_("e-mail pelapor"), blank=True)
    reporter_phone = models.CharField(_("telepon pelapor"), max_length=30, blank=True)
    reporting_method = models.CharField(_("cara pelaporan"), max_length=12, choices=ReportingMethod.choices)
    lapor_tracking_id = models.CharField(_("nomor pelacakan SP4N-LAPOR!"), max_length=40, blank=True)
    reported_at = models.DateTimeField(_("waktu dilaporkan"), help_text=_("Waktu sebenarnya laporan diterima."))
    recorded_at = models.DateTimeField(_("waktu dicatat"), auto_now_add=True)
    category = models.CharField(_("kategori"), max_length=100, blank=True)
    subject = models.CharField(_("judul"), max_length=200)
    description = models.TextField(_("uraian / gejala"))
    impact = models.CharField(_("dampak"), max_length=6, choices=Impact.choices, blank=True)
    priority = models.PositiveSmallIntegerField(_("prioritas"), null=True, blank=True)
    priority_reason = models.CharField(_("dasar prioritas"), max_length=250, blank=True)
    cause = models.TextField(_("penyebab"), blank=True)
    analysis = models.TextField(_("analisis"), blank=True)
    estimate_due = models.DateTimeField(_("perkiraan selesai"), null=True, blank=True)
    solution = models.TextField(_("penyelesaian"), blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("tingkat eskalasi"), default=0)
    sla_document = models.ForeignKey(SlaDocument, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="tickets", verbose_name=_("dokumen SLA"))  # fmt: skip
    urgency = models.PositiveSmallIntegerField(_("tingkat urgensi (E-3)"), null=True, blank=True)
    drp_assessment = models.BooleanField(
        _("aktivasi DRP perlu dinilai"), default=False, help_text=_("O-2: ditandai Administrator Infrastruktur.")
    )
    status = models.CharField(_("status"), max_length=20, choices=TicketStatus.choices, default=TicketStatus.NEW)
    components = models.ManyToManyField("cmdb.Component", blank=True, related_name="tickets",
                                        verbose_name=_("komponen terdampak"))  # fmt: skip
    applications = models.ManyToManyField("cmdb.Application", blank=True, related_name="tickets",
                                          verbose_name=_("aplikasi terdampak"))  # fmt: skip
    service_admin = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("administrator layanan"),
    )  # fmt: skip
    infra_admin = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("administrator infrastruktur dan aplikasi"),
    )  # fmt: skip
    progress_channel = models.CharField(
        _("cara konfirmasi perkembangan"), max_length=12, choices=ReportingMethod.choices, blank=True
    )
    # The earliest deadline of the ticket's running clocks, kept by
    # spbe.desk.actions whenever a clock starts, pauses, resumes or stops, so
    # the queue sorts and filters by it with an index instead of a subquery.
    next_due = models.DateTimeField(_("tenggat terdekat"), null=True, blank=True, editable=False)
    first_response_at = models.DateTimeField(_("tanggapan pertama"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("diselesaikan"), null=True, blank=True)
    reporter_confirmed_at = models.DateTimeField(_("dikonfirmasi pelapor"), null=True, blank=True)
    closed_at = models.DateTimeField(_("ditutup"), null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField(_("kepuasan (1–5)"), null=True, blank=True)
    suggestion = models.TextField(_("saran"), blank=True)
    created = models.DateTimeField(_("dibuat"), auto_now_add=True)
    last_updated = models.DateTimeField(_("terakhir diubah"), auto_now=True)
    # The ticket's SLA clocks, for the evaluation's GROUP BY over tickets
    # and clocks in one query (spbe.evaluation.figures); no column.
    clocks = GenericRelation("clocks.Clock", content_type_field="owner_type", object_id_field="owner_id",
                             related_query_name="ticket")  # fmt: skip

    class Meta:
        verbose_name = _("tiket")
        verbose_name_plural = _("tiket")
        ordering = ["-reported_at"]
        indexes = [
            # the agent queue: open tickets of a PD, newest first
            models.Index(fields=["pd", "status", "-reported_at"], name="desk_queue_idx"),
            # the queue's default order: any visibility condition is then a
            # filter on an ordered index scan that stops after one page
            models.Index(fields=["-reported_at", "id"], name="desk_reported_idx"),
            models.Index(fields=["next_due", "id"], name="desk_next_due_idx", condition=Q(next_due__isnull=False)),
            # the working queue (open tickets only: a tenth of the table)
            models.Index(
                fields=["-reported_at", "id"], name="desk_open_idx", condition=Q(status__in=sorted(OPEN_STATUSES))
            ),
            # open tickets of one priority ("P1 terbuka"), the most used filter: its capped count
            # was a bitmap scan of every open ticket, 8 ms at a million tickets; now 2 ms
            models.Index(
                fields=["priority", "-reported_at", "id"],
                name="desk_open_priority_idx",
                condition=Q(status__in=sorted(OPEN_STATUSES)),
            ),
            # a reporter's own tickets on the portal
            models.Index(fields=["reporter", "-reported_at"], name="desk_reporter_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(priority__isnull=True) | Q(priority__gte=1, priority__lte=6), name="desk_priority_1_6"
            ),
            models.CheckConstraint(
                condition=Q(satisfaction__isnull=True) | Q(satisfaction__gte=1, satisfaction__lte=5),
                name="desk_satisfaction_1_5",
            ),
            models.CheckConstraint(condition=Q(escalation_level__lte=3), name="desk_escalation_0_3"),
            # one ticket per SP4N-LAPOR! report: importing its file again adds nothing (issue 15)
            models.UniqueConstraint(
                fields=["pemda", "lapor_tracking_id"],
                condition=~Q(lapor_tracking_id=""),
                name="desk_lapor_once",
                violation_error_message=_("Laporan SP4N-LAPOR! dengan nomor ini sudah tercatat."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"


class TimelineEvent(models.Model):
    """Everything that happened to a ticket, in order (O-2 item 11)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField(_("waktu"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("oleh"),
    )  # fmt: skip
    kind = models.CharField(_("peristiwa"), max_length=12, choices=TimelineKind.choices)
    message = models.TextField(_("keterangan"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    public = models.BooleanField(_("terlihat oleh pelapor"), default=True)

    class Meta:
        verbose_name = _("peristiwa tiket")
        verbose_name_plural = _("linimasa tiket")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


class Problem(models.Model):
    """O-3 Reviu Berkala Gangguan Layanan: a recurring disruption found by
    the Administrator Layanan, its root cause, workaround and permanent fix."""

    pemda = models.ForeignKey("org.Pemda", on_delete=models.PROTECT, related_name="+", verbose_name=_("Pemda"))
    pd = models.ForeignKey("org.PerangkatDaerah", on_delete=models.PROTECT, related_name="problems",
                           verbose_name=_("penyedia layanan"))  # fmt: skip
    service = models.ForeignKey("catalog.Service", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="problems", verbose_name=_("layanan"))  # fmt: skip
    component = models.ForeignKey("cmdb.Component", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="problems", verbose_name=_("komponen"))  # fmt: skip
    title = models.CharField(_("judul"), max_length=200)
    complaints = models.ManyToManyField(Ticket, related_name="problems", verbose_name=_("aduan terkait"))
    root_cause = models.TextField(_("akar masalah"), blank=True)
    workaround = models.TextField(_("solusi sementara"), blank=True)
    permanent_fix = models.TextField(_("perbaikan permanen"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=ProblemStatus.choices, default=ProblemStatus.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+", verbose_name=_("dibuka oleh"))  # fmt: skip
    created = models.DateTimeField(_("dibuat"), auto_now_add=True)
    last_updated = models.DateTimeField(_("terakhir diubah"), auto_now=True)

    class Meta:
        verbose_name = _("masalah")
        verbose_name_plural = _("masalah")
        ordering = ["-created"]

    def __str__(self) -> str:
        return self.title


class SavedView(models.Model):
    """A named set of queue filters of one person (issue 5, item 9)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views")
    name = models.CharField(_("nama tampilan"), max_length=80)
    querystring = models.CharField(_("filter"), max_length=500, blank=True)
    created = models.DateTimeField(_("dibuat"), auto_now_add=True)

    class Meta:
        verbose_name = _("tampilan tersimpan")
        verbose_name_plural = _("tampilan tersimpan")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "name"],
                name="desk_saved_view_name",
                violation_error_message=_("Anda sudah punya tampilan dengan nama ini."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class PendingReport(models.Model):
    """A report from the public portal waiting for its e-mail to be verified;
    the ticket is opened only when the link in that e-mail is followed."""

    service = models.ForeignKey("catalog.Service", on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64, unique=True)
    email = models.EmailField(_("e-mail"))
    data = models.JSONField(default=dict)
    screenshot = models.FileField(_("tangkapan layar"), upload_to="portal/%Y/%m/", blank=True,
                                  validators=[validate_attachment])  # fmt: skip
    created = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)
    ticket = models.ForeignKey(Ticket, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("laporan menunggu verifikasi")
        verbose_name_plural = _("laporan menunggu verifikasi")

    def __str__(self) -> str:
        return f"{self.email} {self.created:%Y-%m-%d %H:%M}"


class TicketAttachment(models.Model):
    """A screenshot or document the reporter attached (checked by content)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("berkas"), upload_to="tiket/%Y/%m/", validators=[validate_attachment])
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("lampiran tiket")
        verbose_name_plural = _("lampiran tiket")

    def __str__(self) -> str:
        return self.file.name.rsplit("/", 1)[-1]
