"""Service recovery (O-5, P-5): the disaster recovery plan (DRP) of a
service as a structured, versioned record approved by the PJ Penyedia
Layanan; recovery activations and drills walked through the seven steps of
Tabel 8 with their timeline; the RTO and RPO achieved.

A DRP is never edited once approved: a revision is a new row
(``previous`` → the version it replaces) with its own approval, so every
version stays readable and an activation keeps the version it used.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from spbe.approvals.models import Approvable, ApprovalStatus
from spbe.approvals.validators import validate_attachment
from spbe.catalog.choices import TimeUnit
from spbe.catalog.models import DURATION_LIMIT, duration_of
from spbe.continuity.choices import (
    OPEN_RECOVERY_STATUSES,
    EventKind,
    RecoveryKind,
    RecoverySite,
    RecoveryStatus,
    RpoSource,
    Step,
)
from spbe.org.choices import INFRA_ROLES, Role


class RecoveryPlanQuerySet(models.QuerySet):
    def in_force(self) -> RecoveryPlanQuerySet:
        """Approved and not replaced by a later version (P-5: what counts)."""
        return self.filter(status=ApprovalStatus.APPROVED, superseded_at__isnull=True)


class RecoveryPlan(Approvable):
    """One version of a DRP: what it covers (from the CMDB), its RPO and RTO,
    how data is backed up, where services recover, who to call, the ordered
    recovery procedure and what counts as a disaster. Drafted by the
    Administrator Infrastruktur dan Aplikasi, approved by the PJ Penyedia
    Layanan of the owning PD (O-5)."""

    approver_role = Role.PJ_PENYEDIA
    pedoman_id = "O-5"
    drafter_roles = INFRA_ROLES
    revised_in_place = False

    pd = models.ForeignKey(
        "org.PerangkatDaerah", on_delete=models.PROTECT, related_name="recovery_plans", verbose_name=_("PD pemilik")
    )
    title = models.CharField(_("judul DRP"), max_length=200)
    services = models.ManyToManyField("catalog.Service", related_name="recovery_plans", verbose_name=_("layanan"))
    applications = models.ManyToManyField(
        "cmdb.Application", blank=True, related_name="recovery_plans", verbose_name=_("aplikasi")
    )
    components = models.ManyToManyField(
        "cmdb.Component", blank=True, related_name="recovery_plans", verbose_name=_("komponen infrastruktur")
    )
    rpo_value = models.PositiveIntegerField(_("RPO"), validators=DURATION_LIMIT)
    rpo_unit = models.CharField(_("satuan RPO"), max_length=5, choices=TimeUnit.choices)
    rto_value = models.PositiveIntegerField(_("RTO"), validators=DURATION_LIMIT)
    rto_unit = models.CharField(_("satuan RTO"), max_length=5, choices=TimeUnit.choices)
    backup_method = models.CharField(
        _("metode pencadangan"), max_length=200, help_text=_("Mis. pg_dump terenkripsi ke server cadangan PDD.")
    )
    backup_frequency = models.CharField(_("frekuensi pencadangan"), max_length=100, help_text=_("Mis. harian 01.00."))
    backup_check = models.ForeignKey(
        "monitoring.Check", on_delete=models.SET_NULL, null=True, blank=True, related_name="recovery_plans",
        verbose_name=_("pemeriksaan detak cadangan"),
        help_text=_("Pemeriksaan detak yang dipanggil pekerjaan cadangan: dasar RPO yang tercapai."),
    )  # fmt: skip
    recovery_site = models.CharField(_("lokasi pemulihan"), max_length=10, choices=RecoverySite.choices)
    recovery_site_detail = models.CharField(_("keterangan lokasi pemulihan"), max_length=200, blank=True)
    disaster_conditions = models.TextField(
        _("kondisi yang dinyatakan bencana"), help_text=_("Mis. pusat data padam lebih dari 2 jam, kebakaran, banjir.")
    )
    approved_at = models.DateTimeField(_("disetujui pada"), null=True, blank=True)
    review_due = models.DateField(_("tanggal reviu berikutnya"), null=True, blank=True)
    previous = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="later_versions",
        verbose_name=_("versi sebelumnya"),
    )  # fmt: skip
    superseded_at = models.DateTimeField(_("digantikan pada"), null=True, blank=True)
    # The id of the DRP's first version, shared by all its versions: a drill
    # of an earlier version still counts as a drill of the DRP.
    series = models.PositiveIntegerField(_("seri DRP"), null=True, blank=True, db_index=True, editable=False)
    migrated_from_file = models.BooleanField(
        _("pindahan dokumen unggahan"), default=False,
        help_text=_("Dibuat dari dokumen DRP yang dulu diunggah di katalog; perlu dilengkapi lewat revisi."),
    )  # fmt: skip

    objects = RecoveryPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("rencana pemulihan bencana (DRP)")
        verbose_name_plural = _("rencana pemulihan bencana (DRP)")
        ordering = ["pd__name", "title", "-revision"]
        constraints = [
            # two "Buat revisi" at once must not make two version 2s
            models.UniqueConstraint(fields=["series", "revision"], name="continuity_plan_version_once"),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.revision})"

    def get_absolute_url(self) -> str:
        return reverse("continuity:plan_detail", args=[self.pk])

    @property
    def rpo(self) -> timedelta | None:
        return duration_of(self.rpo_value, self.rpo_unit)

    @property
    def rto(self) -> timedelta | None:
        return duration_of(self.rto_value, self.rto_unit)

    @property
    def is_current(self) -> bool:
        """The version in force: approved and not replaced by a later one."""
        return self.status == ApprovalStatus.APPROVED and self.superseded_at is None

    def drafting_pds(self) -> list:
        owner = self.pd
        return [pd for pd in (owner, owner.pemda.spbe_coordinator) if pd is not None]

    def submission_errors(self) -> list[str]:
        """O-5: a DRP goes to the PJ Penyedia Layanan complete: what it
        covers, who to call and every recovery step with its owner."""
        errors = []
        if not self.services.exists():
            errors.append(_("Pilih minimal satu layanan yang dicakup DRP."))
        if not self.contacts.exists():
            errors.append(_("Isi minimal satu kontak darurat."))
        steps = list(self.steps.all())
        if not steps:
            errors.append(_("Isi prosedur pemulihan: minimal satu langkah."))
        if any(not step.owner.strip() for step in steps):
            errors.append(_("Setiap langkah prosedur harus punya penanggung jawab."))
        others = RecoveryPlan.objects.in_force().filter(services__in=self.services.all()).exclude(series=self.series)
        for other in others.distinct():
            errors.append(_("Layanan ini sudah dicakup %(plan)s yang berlaku: revisi DRP itu, bukan DRP baru.") % {
                "plan": other})  # fmt: skip
        return errors

    def on_approved(self) -> None:
        from spbe.continuity.actions import plan_approved

        plan_approved(self)


class PlanContact(models.Model):
    """Someone to call in a disaster, with their role in the recovery."""

    plan = models.ForeignKey(RecoveryPlan, on_delete=models.CASCADE, related_name="contacts")
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)
    name = models.CharField(_("nama"), max_length=150)
    role = models.CharField(_("peran dalam pemulihan"), max_length=150)
    phone = models.CharField(_("telepon"), max_length=30)
    email = models.EmailField(_("e-mail"), blank=True)

    class Meta:
        verbose_name = _("kontak darurat")
        verbose_name_plural = _("kontak darurat")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.role})"


class PlanStep(models.Model):
    """One step of the recovery procedure, with its owner and how long it
    is expected to take."""

    plan = models.ForeignKey(RecoveryPlan, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)
    action = models.TextField(_("langkah"))
    owner = models.CharField(_("penanggung jawab"), max_length=150)
    expected_minutes = models.PositiveIntegerField(_("perkiraan durasi (menit)"))

    class Meta:
        verbose_name = _("langkah prosedur pemulihan")
        verbose_name_plural = _("prosedur pemulihan")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return f"{self.order}. {self.action[:60]}"


class Recovery(models.Model):
    """A recovery activation after an incident, or a drill (*uji coba*) of a
    DRP: the seven steps of Tabel 8 in order, the disruption's declared
    start, normalisation, and the RTO and RPO achieved against the DRP's."""

    pemda = models.ForeignKey("org.Pemda", on_delete=models.PROTECT, related_name="+", verbose_name=_("Pemda"))
    pd = models.ForeignKey("org.PerangkatDaerah", on_delete=models.PROTECT, related_name="recoveries",
                           verbose_name=_("PD pemilik"))  # fmt: skip
    plan = models.ForeignKey(RecoveryPlan, on_delete=models.PROTECT, related_name="recoveries", verbose_name=_("DRP"))
    kind = models.CharField(_("jenis"), max_length=10, choices=RecoveryKind.choices)
    status = models.CharField(_("status"), max_length=12, choices=RecoveryStatus.choices)
    next_step = models.PositiveSmallIntegerField(_("langkah berikutnya"), default=Step.ASSESS)
    title = models.CharField(_("judul"), max_length=200)
    opened_at = models.DateTimeField(
        _("dibuka"), default=timezone.now, help_text=_("Saat penilaian dimulai atau uji coba dijadwalkan.")
    )
    ticket = models.ForeignKey("desk.Ticket", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                               verbose_name=_("aduan asal"))  # fmt: skip
    complaints = models.ManyToManyField("desk.Ticket", blank=True, related_name="recoveries",
                                        verbose_name=_("aduan terkait"))  # fmt: skip
    outages = models.ManyToManyField("monitoring.Outage", blank=True, related_name="recoveries",
                                     verbose_name=_("gangguan terpantau"))  # fmt: skip
    rto_target = models.DurationField(_("target RTO"))
    rpo_target = models.DurationField(_("target RPO"))
    disruption_started_at = models.DateTimeField(_("awal gangguan"), null=True, blank=True)
    declared_at = models.DateTimeField(_("bencana dinyatakan"), null=True, blank=True)
    normalised_at = models.DateTimeField(_("normal kembali"), null=True, blank=True)
    rto_achieved = models.DurationField(_("RTO tercapai"), null=True, blank=True)
    last_backup_at = models.DateTimeField(_("cadangan baik terakhir"), null=True, blank=True)
    rpo_achieved = models.DurationField(_("RPO tercapai"), null=True, blank=True)
    rpo_source = models.CharField(_("sumber RPO"), max_length=10, choices=RpoSource.choices, blank=True)
    no_disaster_reason = models.TextField(_("alasan bukan bencana"), blank=True)
    evaluation = models.TextField(_("evaluasi DRP"), blank=True)
    revision_plan = models.ForeignKey(RecoveryPlan, on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="+", verbose_name=_("revisi DRP"))  # fmt: skip
    # drills (uji coba DRP)
    scheduled_for = models.DateTimeField(_("jadwal uji coba"), null=True, blank=True)
    scenario = models.TextField(_("skenario"), blank=True)
    participants = models.TextField(_("peserta"), blank=True)
    findings = models.TextField(_("temuan"), blank=True)
    follow_up = models.TextField(_("tindak lanjut"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+", verbose_name=_("dibuka oleh"))  # fmt: skip
    created = models.DateTimeField(_("dibuat"), auto_now_add=True)
    last_updated = models.DateTimeField(_("terakhir diubah"), auto_now=True)

    class Meta:
        verbose_name = _("aktivasi atau uji coba DRP")
        verbose_name_plural = _("aktivasi dan uji coba DRP")
        ordering = ["-opened_at"]
        indexes = [
            # the status page: declared disasters of a Pemda not yet normalised
            models.Index(fields=["pemda", "status"], name="continuity_recovery_state_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(normalised_at__isnull=True) | Q(declared_at__isnull=False),
                name="continuity_normalised_after_declared",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("continuity:recovery_detail", args=[self.pk])

    @property
    def rto_met(self) -> bool | None:
        return None if self.rto_achieved is None else self.rto_achieved <= self.rto_target

    @property
    def rpo_met(self) -> bool | None:
        return None if self.rpo_achieved is None else self.rpo_achieved <= self.rpo_target

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_RECOVERY_STATUSES


class RecoveryStep(models.Model):
    """One of the seven steps, done: who, when, notes, evidence."""

    recovery = models.ForeignKey(Recovery, on_delete=models.CASCADE, related_name="steps")
    number = models.PositiveSmallIntegerField(_("langkah"), choices=Step.choices)
    at = models.DateTimeField(_("waktu"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("oleh"))  # fmt: skip
    notes = models.TextField(_("catatan"))
    recorded_at = models.DateTimeField(_("dicatat"), auto_now_add=True)

    class Meta:
        verbose_name = _("langkah pemulihan")
        verbose_name_plural = _("langkah pemulihan")
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["recovery", "number"], name="continuity_step_once")]

    def __str__(self) -> str:
        return f"{self.number}. {self.get_number_display()}"


class StepEvidence(models.Model):
    """A file that proves a step (a photo of the server room, a restore log):
    PDF, DOCX, XLSX or image, checked by content."""

    step = models.ForeignKey(RecoveryStep, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("berkas bukti"), upload_to="pemulihan/%Y/%m/", validators=[validate_attachment])
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    related_name="+")  # fmt: skip
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("bukti langkah")
        verbose_name_plural = _("bukti langkah")

    def __str__(self) -> str:
        return self.file.name.rsplit("/", 1)[-1]


class RecoveryEvent(models.Model):
    """Everything that happened to a recovery, in order (the desk's timeline
    pattern)."""

    recovery = models.ForeignKey(Recovery, on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField(_("waktu"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+", verbose_name=_("oleh"))  # fmt: skip
    kind = models.CharField(_("peristiwa"), max_length=12, choices=EventKind.choices)
    message = models.TextField(_("keterangan"))
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("peristiwa pemulihan")
        verbose_name_plural = _("linimasa pemulihan")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.recovery_id} {self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"
