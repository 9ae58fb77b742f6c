"""Application development projects (O-7 Pengelolaan Aplikasi).

An application in the CMDB is built or developed by a project under an
SDLC method, through the phases design → implementation → testing →
maintenance, in-house or by a vendor, on the basis of its needs analysis
(P-11) and its management target (P-10). Diskominfo (the Koordinator SPBE)
approves the project before implementation starts and every phase gate the
project marks as needing approval. State changes go through
``spbe.change.actions_projects``."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from spbe.approvals.models import Approvable
from spbe.org.choices import Role


class SdlcMethod(models.TextChoices):
    """O-7 names waterfall, RAD, prototyping and agile/scrum."""

    WATERFALL = "waterfall", _("Waterfall")
    RAD = "rad", _("Rapid Application Development (RAD)")
    PROTOTYPING = "prototyping", _("Prototyping")
    AGILE = "agile", _("Agile / Scrum")


class Sourcing(models.TextChoices):
    """P-11: development may be outsourced."""

    IN_HOUSE = "in_house", _("Swakelola")
    OUTSOURCED = "outsourced", _("Pihak ketiga (vendor)")


class Phase(models.IntegerChoices):
    """The SDLC phases of O-7, numbered in the order they run."""

    DESIGN = 1, _("Perancangan")
    IMPLEMENTATION = 2, _("Implementasi")
    TESTING = 3, _("Pengujian")
    MAINTENANCE = 4, _("Pemeliharaan")


class PhaseStatus(models.TextChoices):
    PLANNED = "planned", _("Direncanakan")
    IN_PROGRESS = "in_progress", _("Berjalan")
    DONE = "done", _("Selesai")


class AppProject(Approvable):
    """An application project (O-7) of the application's PD, approved by
    Diskominfo (Koordinator SPBE) before implementation; drafted by the PD's
    staff (or the coordinator)."""

    approver_role = Role.KOORDINATOR_SPBE
    approver_scope = "coordinator"
    pedoman_id = "O-7"

    application = models.ForeignKey("cmdb.Application", on_delete=models.PROTECT, related_name="projects",
                                    verbose_name=_("aplikasi"))  # fmt: skip
    pd = models.ForeignKey("org.PerangkatDaerah", on_delete=models.PROTECT, related_name="app_projects",
                           verbose_name=_("PD pemilik aplikasi"), editable=False)  # fmt: skip
    title = models.CharField(_("judul proyek"), max_length=200)
    method = models.CharField(_("metode SDLC"), max_length=12, choices=SdlcMethod.choices)
    sourcing = models.CharField(_("pelaksana"), max_length=12, choices=Sourcing.choices, default=Sourcing.IN_HOUSE)
    vendor = models.CharField(_("nama vendor"), max_length=200, blank=True)
    contract_number = models.CharField(_("nomor kontrak"), max_length=100, blank=True)
    needs_analysis = models.ForeignKey(
        "cmdb.AppNeedsAnalysis", on_delete=models.SET_NULL, null=True, blank=True, related_name="projects",
        verbose_name=_("analisis kebutuhan (P-11)"),
    )  # fmt: skip
    management_target = models.ForeignKey(
        "cmdb.AppManagementTarget", on_delete=models.SET_NULL, null=True, blank=True, related_name="projects",
        verbose_name=_("target pengelolaan (P-10)"),
    )  # fmt: skip
    goal = models.TextField(_("tujuan"))
    scope = models.TextField(_("ruang lingkup"))

    class Meta:
        verbose_name = _("proyek pengembangan aplikasi")
        verbose_name_plural = _("proyek pengembangan aplikasi")
        ordering = ["-created"]
        constraints = [
            models.CheckConstraint(
                condition=Q(sourcing="in_house") | ~Q(vendor=""),
                name="change_project_vendor",
                violation_error_message=_("Isi nama vendor untuk proyek yang dikerjakan pihak ketiga."),
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("change:project_detail", args=[self.pk])

    def clean(self) -> None:
        errors = {}
        if self.sourcing == Sourcing.OUTSOURCED and not self.vendor.strip():
            errors["vendor"] = _("Isi nama vendor untuk proyek yang dikerjakan pihak ketiga.")
        if self.application_id:
            if self.needs_analysis_id and self.needs_analysis.application_id != self.application_id:
                errors["needs_analysis"] = _("Pilih analisis kebutuhan aplikasi ini.")
            if self.management_target_id and self.management_target.application_id != self.application_id:
                errors["management_target"] = _("Pilih target pengelolaan aplikasi ini.")
        if errors:
            raise ValidationError(errors)

    def submission_errors(self) -> list[str]:
        """O-7: the project plans every SDLC phase before Diskominfo approves it."""
        planned = set(self.phases.values_list("phase", flat=True))
        missing = [str(label) for value, label in Phase.choices if value not in planned]
        if missing:
            names = {"missing": ", ".join(missing)}
            return [_("Rencanakan keempat fase SDLC. Belum direncanakan: %(missing)s.") % names]
        return []


class ProjectPhase(models.Model):
    """One SDLC phase of a project: its plan, its progress and, when the
    project marks it, its gate approved by the Koordinator SPBE.

    Rules (the Pedoman is silent; decided here and enforced in
    ``actions_projects``):

    * a phase ends on or after the day it starts (planned and actual);
    * phases keep their order: a phase never starts before the previous one
      starts nor ends before the previous one ends; under **waterfall** a
      phase starts no earlier than the previous phase's planned end (no
      overlap), while RAD, prototyping and agile phases may overlap;
    * a phase starts only once the previous one has started (under
      waterfall: once it is done), and completes only after the previous
      one is done;
    * implementation and every later phase start only after the project is
      approved; design may begin before (it shapes the proposal);
    * a phase marked as a gate completes only after its gate is approved.

    The status follows from the actual dates: none — planned; a start —
    in progress; an end — done."""

    project = models.ForeignKey(AppProject, on_delete=models.CASCADE, related_name="phases")
    phase = models.PositiveSmallIntegerField(_("fase"), choices=Phase.choices)
    planned_start = models.DateField(_("rencana mulai"))
    planned_end = models.DateField(_("rencana selesai"))
    actual_start = models.DateField(_("mulai"), null=True, blank=True)
    actual_end = models.DateField(_("selesai"), null=True, blank=True)
    deliverables = models.TextField(_("keluaran"))
    needs_gate_approval = models.BooleanField(
        _("perlu persetujuan Diskominfo"), default=False,
        help_text=_("Fase ini selesai setelah keluarannya disetujui Koordinator SPBE."),
    )  # fmt: skip
    gate_approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                         related_name="+", verbose_name=_("gerbang disetujui oleh"))  # fmt: skip
    gate_approved_at = models.DateTimeField(_("gerbang disetujui pada"), null=True, blank=True)

    class Meta:
        verbose_name = _("fase proyek")
        verbose_name_plural = _("fase proyek")
        ordering = ["project", "phase"]
        constraints = [
            models.UniqueConstraint(fields=["project", "phase"], name="change_project_phase_once"),
            models.CheckConstraint(
                condition=Q(planned_end__gte=F("planned_start")),
                name="change_phase_planned_range",
                violation_error_message=_("Rencana selesai tidak boleh sebelum rencana mulai."),
            ),
            models.CheckConstraint(
                condition=Q(actual_end__isnull=True) | Q(actual_start__isnull=False, actual_end__gte=F("actual_start")),
                name="change_phase_actual_range",
                violation_error_message=_("Fase selesai setelah dimulai."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.get_phase_display()}"

    @property
    def status(self) -> str:
        if self.actual_end:
            return PhaseStatus.DONE
        if self.actual_start:
            return PhaseStatus.IN_PROGRESS
        return PhaseStatus.PLANNED

    def get_status_display(self) -> str:
        return str(PhaseStatus(self.status).label)

    @property
    def gate_pending(self) -> bool:
        return self.needs_gate_approval and self.gate_approved_at is None

    @property
    def has_progress(self) -> bool:
        return bool(self.actual_start or self.gate_approved_at)
