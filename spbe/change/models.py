"""Service transition plans (P-9 Rencana Perubahan Layanan) and releases
(O-6 Rilis Layanan).

A transition plan is an addition, removal or transfer of a service, or a
change to one, from a user's request (O-1) or the provider's own need: what
it touches (from the CMDB), the reviews and impacts the Pedoman names, its
risks, quality control, a measurable definition of success, its schedule
and what users are told; set by the Pimpinan PD through ``spbe.approvals``.
A release is drafted by the infrastructure and application manager and
approved by the PJ Penyedia Layanan, then verified by monitoring."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from spbe.approvals.models import Approvable
from spbe.change.choices import ChangeKind, ChangeOrigin, Level, ReleaseBasis, ReleaseEventKind, ReleaseStage
from spbe.org.choices import INFRA_ROLES, Role


class ChangePlan(Approvable):
    """One transition plan of a PD (P-9)."""

    approver_role = Role.PIMPINAN_PD
    pedoman_id = "P-9"

    pd = models.ForeignKey("org.PerangkatDaerah", on_delete=models.PROTECT, related_name="change_plans",
                           verbose_name=_("PD penyedia layanan"))  # fmt: skip
    title = models.CharField(_("judul perubahan"), max_length=200)
    kind = models.CharField(_("jenis perubahan"), max_length=12, choices=ChangeKind.choices)
    origin = models.CharField(_("asal perubahan"), max_length=14, choices=ChangeOrigin.choices)
    request = models.ForeignKey(
        "desk.Ticket", on_delete=models.SET_NULL, null=True, blank=True, related_name="change_plans",
        verbose_name=_("permintaan layanan asal"), help_text=_("Permintaan pengguna (O-1) yang meminta perubahan ini."),
    )  # fmt: skip
    reason = models.TextField(_("alasan perubahan"))
    services = models.ManyToManyField("catalog.Service", blank=True, related_name="change_plans",
                                      verbose_name=_("layanan terdampak"))  # fmt: skip
    applications = models.ManyToManyField("cmdb.Application", blank=True, related_name="change_plans",
                                          verbose_name=_("aplikasi terdampak"))  # fmt: skip
    components = models.ManyToManyField("cmdb.Component", blank=True, related_name="change_plans",
                                        verbose_name=_("komponen terdampak"))  # fmt: skip
    transfer_to = models.ForeignKey(
        "org.PerangkatDaerah", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("dialihkan kepada PD"), help_text=_("Hanya untuk pengalihan layanan."),
    )  # fmt: skip
    technology_review = models.TextField(_("reviu perubahan teknologi"))
    process_review = models.TextField(_("reviu perubahan proses"))
    policy_review = models.TextField(_("reviu perubahan kebijakan"))
    business_impact = models.TextField(_("dampak terhadap proses bisnis"))
    satisfaction_impact = models.TextField(_("dampak terhadap kepuasan pengguna"))
    quality_control = models.TextField(_("pengendalian kualitas"))
    success_measure = models.TextField(
        _("ukuran keberhasilan"), help_text=_("Terukur, mis. 95 % permohonan selesai dalam 1 hari kerja.")
    )
    planned_start = models.DateTimeField(_("rencana mulai"))
    planned_end = models.DateTimeField(_("rencana selesai"))
    user_notice = models.TextField(
        _("informasi kepada pengguna"), help_text=_("Perubahan prosedur dan waktu layanan yang diumumkan.")
    )

    class Meta:
        verbose_name = _("rencana perubahan layanan")
        verbose_name_plural = _("rencana perubahan layanan")
        ordering = ["-planned_start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_end__gt=F("planned_start")),
                name="change_plan_range",
                violation_error_message=_("Rencana selesai harus setelah rencana mulai."),
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("change:plan_detail", args=[self.pk])

    def revision_errors(self) -> list[str]:
        if self.releases.exists():
            return [_("Rencana ini sudah menjadi dasar rilis; susun rencana perubahan baru.")]
        return []

    def submission_errors(self) -> list[str]:
        """P-9: the plan identifies and evaluates its risks before it is set."""
        if not self.risks.exists():
            return [_("Identifikasi minimal satu risiko perubahan beserta penanganannya.")]
        return []


class ChangeRisk(models.Model):
    """A risk of the change: likelihood × impact, and how it is handled."""

    plan = models.ForeignKey(ChangePlan, on_delete=models.CASCADE, related_name="risks")
    order = models.PositiveSmallIntegerField(default=0)
    description = models.TextField(_("risiko"))
    likelihood = models.PositiveSmallIntegerField(_("kemungkinan"), choices=Level.choices)
    impact = models.PositiveSmallIntegerField(_("dampak"), choices=Level.choices)
    mitigation = models.TextField(_("penanganan"))

    class Meta:
        verbose_name = _("risiko perubahan")
        verbose_name_plural = _("risiko perubahan")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.description[:60]

    @property
    def score(self) -> int:
        return self.likelihood * self.impact


class Release(Approvable):
    """O-6 Rilis Layanan: the release plan drafted by the infrastructure and
    application manager and approved by the PJ Penyedia Layanan; then its
    window (a maintenance window: checks silenced, time excluded from
    availability), the verification by monitoring after it, the tests, the
    problems met, the result told to the provider and the feedback."""

    approver_role = Role.PJ_PENYEDIA
    pedoman_id = "O-6"
    drafter_roles = INFRA_ROLES
    revised_in_place = False  # approved, its window is scheduled: a changed plan is a new release

    pd = models.ForeignKey("org.PerangkatDaerah", on_delete=models.PROTECT, related_name="releases",
                           verbose_name=_("PD penyedia layanan"))  # fmt: skip
    title = models.CharField(_("judul rilis"), max_length=200)
    basis = models.CharField(_("dasar rilis"), max_length=12, choices=ReleaseBasis.choices)
    change_plan = models.ForeignKey(ChangePlan, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="releases", verbose_name=_("rencana perubahan"))  # fmt: skip
    application = models.ForeignKey("cmdb.Application", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="releases", verbose_name=_("aplikasi"))  # fmt: skip
    version = models.CharField(_("versi baru"), max_length=40, blank=True)
    services = models.ManyToManyField("catalog.Service", related_name="releases", verbose_name=_("layanan"))
    description = models.TextField(_("yang dirilis"))
    steps = models.TextField(_("langkah rilis"))
    rollback_plan = models.TextField(_("rencana pengembalian (rollback)"))
    test_plan = models.TextField(_("rencana pengujian"))
    window_start = models.DateTimeField(_("jendela rilis mulai"))
    window_end = models.DateTimeField(_("jendela rilis selesai"))
    verification_minutes = models.PositiveIntegerField(
        _("lama verifikasi (menit)"), default=30, validators=[MinValueValidator(5), MaxValueValidator(7 * 24 * 60)],
        help_text=_("Pemeriksaan layanan harus tetap hijau selama ini setelah jendela rilis."),
    )  # fmt: skip
    announcement = models.TextField(_("pengumuman kepada pengguna"))
    stage = models.CharField(_("tahap"), max_length=12, choices=ReleaseStage.choices, default=ReleaseStage.PLANNED)
    maintenance_window = models.OneToOneField("monitoring.MaintenanceWindow", on_delete=models.SET_NULL, null=True,
                                              blank=True, related_name="release", editable=False)  # fmt: skip
    verified_at = models.DateTimeField(_("diverifikasi"), null=True, blank=True)
    verification_note = models.TextField(_("hasil verifikasi"), blank=True)
    test_results = models.TextField(_("hasil pengujian"), blank=True)
    previous_version = models.CharField(_("versi sebelumnya"), max_length=40, blank=True)
    rolled_back_at = models.DateTimeField(_("dikembalikan pada"), null=True, blank=True)
    rollback_notes = models.TextField(_("catatan pengembalian"), blank=True)
    feedback = models.TextField(_("umpan balik penyedia layanan"), blank=True)

    class Meta:
        verbose_name = _("rilis layanan")
        verbose_name_plural = _("rilis layanan")
        ordering = ["-window_start"]
        indexes = [
            # the periodic verification: approved releases whose window has ended
            models.Index(fields=["stage", "window_end"], name="change_release_due_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(window_end__gt=F("window_start")),
                name="change_release_window",
                violation_error_message=_("Jendela rilis harus selesai setelah mulai."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.title}{f' {self.version}' if self.version else ''}"

    def get_absolute_url(self) -> str:
        return reverse("change:release_detail", args=[self.pk])

    def drafting_pds(self) -> list:
        return [pd for pd in (self.pd, self.pd.pemda.spbe_coordinator) if pd is not None]

    def submission_errors(self) -> list[str]:
        errors = []
        if not self.services.exists():
            errors.append(_("Pilih layanan yang dirilis: pemeriksaannya memverifikasi rilis."))
        return errors + self.approval_errors()

    def approval_errors(self) -> list[str]:
        """Nothing is released before approval: a window already over, or one
        that meanwhile overlaps other work on the same services, is not
        approved (O-6)."""
        from spbe.change.actions import overlap_with_other_work

        if self.window_end <= timezone.now():
            return [_("Jendela rilis sudah lewat: ubah jadwalnya sebelum diajukan.")]
        overlap = overlap_with_other_work(self, list(self.services.all()))
        return [overlap] if overlap else []

    def on_approved(self) -> None:
        from spbe.change.actions import release_approved

        release_approved(self)


class ReleaseProblem(models.Model):
    """A problem met during the release; it may open a complaint (O-2)."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="problems")
    description = models.TextField(_("masalah"))
    ticket = models.ForeignKey("desk.Ticket", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                               verbose_name=_("aduan"))  # fmt: skip
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    related_name="+")  # fmt: skip
    at = models.DateTimeField(_("waktu"), auto_now_add=True)

    class Meta:
        verbose_name = _("masalah rilis")
        verbose_name_plural = _("masalah rilis")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.description[:60]


class ReleaseEvent(models.Model):
    """Everything that happened to a release, in order (the desk's timeline pattern)."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField(_("waktu"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+", verbose_name=_("oleh"))  # fmt: skip
    kind = models.CharField(_("peristiwa"), max_length=12, choices=ReleaseEventKind.choices)
    message = models.TextField(_("keterangan"))

    class Meta:
        verbose_name = _("peristiwa rilis")
        verbose_name_plural = _("linimasa rilis")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.release_id} {self.get_kind_display()}"


from spbe.change.models_projects import AppProject, ProjectPhase  # noqa: E402,F401
