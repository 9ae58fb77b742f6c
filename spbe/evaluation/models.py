"""The evaluation stage (E-1 … E-4): evaluation reports per PD or for the
whole Pemda with the analysis of each chapter, follow-up actions tracked to
completion, and the figures frozen when the report is approved.

A draft report recomputes its figures from the records every time it is
read; approval stores them in ``figures`` so a later change of a ticket or a
check never rewrites an approved report.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from spbe.approvals.models import Approvable
from spbe.approvals.validators import validate_attachment
from spbe.evaluation.choices import (
    OPEN_ACTION_STATUSES,
    ActionStatus,
    ActionTarget,
    Chapter,
    PeriodKind,
    ReportEventKind,
    ReportScope,
)
from spbe.org.choices import STRUCTURAL_ROLES, Role

#: who at Diskominfo drafts and reads the Pemda's report (S-1: every PD's figures)
PEMDA_REPORT_ROLES = frozenset({Role.PIMPINAN_PD, Role.PJ_PENYEDIA, Role.PJ_INFRA})


class _ApproverRole:
    """E-2: a PD's report is approved by its Pimpinan PD, the Pemda's by the
    Koordinator SPBE. Read on the class (the approvals inbox) it names the
    PD case; ``approver_roles`` names both."""

    def __get__(self, report, owner):
        if report is None or report.scope == ReportScope.PD:
            return Role.PIMPINAN_PD
        return Role.KOORDINATOR_SPBE


class _DrafterRoles:
    """A PD's report is drafted by the PD's staff; the Pemda's, which shows
    every PD's figures, only by Diskominfo's leaders (and the Koordinator
    SPBE, through the access layer)."""

    def __get__(self, report, owner):
        if report is not None and report.scope == ReportScope.PEMDA:
            return PEMDA_REPORT_ROLES
        return STRUCTURAL_ROLES


class EvaluationReport(Approvable):
    """One evaluation report (E-2) of a PD, or of the Pemda as a whole, for
    a period. ``pd`` is the PD evaluated, or the Pemda's Diskominfo for the
    Pemda's report (so the Koordinator SPBE approves it there)."""

    approver_role = _ApproverRole()
    approver_roles = frozenset({Role.PIMPINAN_PD, Role.KOORDINATOR_SPBE})
    drafter_roles = _DrafterRoles()
    decided_on_own_page = True  # its timeline and frozen figures follow every decision
    pedoman_id = "E-2"

    pemda = models.ForeignKey("org.Pemda", on_delete=models.PROTECT, related_name="+", verbose_name=_("Pemda"))
    pd = models.ForeignKey("org.PerangkatDaerah", on_delete=models.PROTECT, related_name="evaluation_reports",
                           verbose_name=_("Perangkat Daerah"))  # fmt: skip
    scope = models.CharField(_("cakupan"), max_length=6, choices=ReportScope.choices, default=ReportScope.PD)
    period_kind = models.CharField(_("jenis periode"), max_length=10, choices=PeriodKind.choices)
    period_start = models.DateField(_("periode mulai"))
    period_end = models.DateField(_("periode sampai"))
    title = models.CharField(_("judul laporan"), max_length=200)
    introduction = models.TextField(
        _("pendahuluan"), blank=True, help_text=_("Latar belakang, maksud, dan ruang lingkup evaluasi (BAB I).")
    )
    conclusion = models.TextField(_("kesimpulan"), blank=True)
    # The figures as they were at approval (None for a draft: it recomputes).
    figures = models.JSONField(_("angka yang dibekukan"), null=True, blank=True, editable=False)
    frozen_at = models.DateTimeField(_("angka dibekukan pada"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("laporan evaluasi")
        verbose_name_plural = _("laporan evaluasi")
        ordering = ["-period_end", "pd__name"]
        indexes = [
            # the maturity level: a PD's approved reports, newest period first
            models.Index(fields=["pd", "status", "-period_end"], name="evaluation_report_pd_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="evaluation_period_order",
                violation_error_message=_("Tanggal akhir periode tidak boleh sebelum tanggal mulai."),
            ),
            # two clicks on "Buat laporan" must not make two reports of one period
            models.UniqueConstraint(
                fields=["pd", "scope", "period_start", "period_end"], name="evaluation_report_once"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("evaluation:report_detail", args=[self.pk])

    @property
    def is_pemda_wide(self) -> bool:
        return self.scope == ReportScope.PEMDA

    @property
    def subject_name(self) -> str:
        """Whose management the report evaluates: the PD, or the Pemda."""
        return self.pemda.name if self.is_pemda_wide else self.pd.name

    def approval_pds(self) -> list:
        if self.is_pemda_wide:
            return [pd for pd in [self.pemda.spbe_coordinator] if pd is not None]
        return [self.pd]

    def drafting_pds(self) -> list:
        # Diskominfo drafts the Pemda's report; a PD its own.
        return [self.pd]

    def submission_errors(self) -> list[str]:
        """E-2 point 6: every chapter carries its analysis of obstacles."""
        from spbe.evaluation.rules import missing_analysis

        missing = missing_analysis(self)
        if not missing:
            return []
        names = ", ".join(str(Chapter(chapter).label) for chapter in missing)
        return [_("Analisis hambatan belum diisi untuk bab: %(chapters)s.") % {"chapters": names}]

    def approval_errors(self) -> list[str]:
        return self.submission_errors()

    def on_approved(self) -> None:
        from spbe.evaluation.actions import report_approved

        report_approved(self)


class ChapterAnalysis(models.Model):
    """The staff's analysis of one chapter: the obstacles that made targets
    fail and the chances to improve the framework (E-2 point 6)."""

    report = models.ForeignKey(EvaluationReport, on_delete=models.CASCADE, related_name="analyses")
    chapter = models.CharField(_("bab"), max_length=12, choices=Chapter.choices)
    obstacles = models.TextField(_("analisis hambatan"), blank=True)
    improvements = models.TextField(_("peluang perbaikan"), blank=True)
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("ditulis oleh"))  # fmt: skip
    last_updated = models.DateTimeField(_("terakhir diubah"), auto_now=True)

    class Meta:
        verbose_name = _("analisis bab")
        verbose_name_plural = _("analisis bab")
        constraints = [models.UniqueConstraint(fields=["report", "chapter"], name="evaluation_analysis_once")]

    def __str__(self) -> str:
        return f"{self.report_id} {self.get_chapter_display()}"


class FollowUpAction(models.Model):
    """A follow-up action (*tindak lanjut*) of an evaluation, tracked until
    it is done with evidence; each improves a service, a DRP, the policy
    pack or a procedure. Open actions carry into the next period's report
    of the same PD (E-2 point 6; E-4 level 5)."""

    pemda = models.ForeignKey("org.Pemda", on_delete=models.PROTECT, related_name="+", verbose_name=_("Pemda"))
    pd = models.ForeignKey("org.PerangkatDaerah", on_delete=models.PROTECT, related_name="follow_up_actions",
                           verbose_name=_("Perangkat Daerah"))  # fmt: skip
    report = models.ForeignKey(EvaluationReport, on_delete=models.PROTECT, related_name="actions",
                               verbose_name=_("laporan asal"))  # fmt: skip
    chapter = models.CharField(_("bab"), max_length=12, choices=Chapter.choices)
    title = models.CharField(_("tindak lanjut"), max_length=200)
    description = models.TextField(_("uraian"), blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="follow_up_actions",
                              verbose_name=_("penanggung jawab"))  # fmt: skip
    due_date = models.DateField(_("tenggat"))
    status = models.CharField(_("status"), max_length=12, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    target_kind = models.CharField(_("yang diperbaiki"), max_length=10, choices=ActionTarget.choices)
    service = models.ForeignKey("catalog.Service", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="follow_up_actions", verbose_name=_("layanan"))  # fmt: skip
    drp = models.ForeignKey("continuity.RecoveryPlan", on_delete=models.PROTECT, null=True, blank=True,
                            related_name="follow_up_actions", verbose_name=_("DRP"))  # fmt: skip
    policy_version = models.ForeignKey("policy.PolicyVersion", on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="+", verbose_name=_("versi paket kebijakan"))  # fmt: skip
    procedure = models.CharField(_("prosedur"), max_length=200, blank=True,
                                 help_text=_("Nama prosedur atau SOP yang diperbaiki."))  # fmt: skip
    # Before/after (bukti dukung): filled from the DRP's or pack's versions
    # when the action is done, typed for a procedure.
    before_version = models.CharField(_("versi sebelum"), max_length=200, blank=True)
    after_version = models.CharField(_("versi sesudah"), max_length=200, blank=True)
    evidence_note = models.TextField(_("bukti penyelesaian"), blank=True)
    cancel_reason = models.TextField(_("alasan pembatalan"), blank=True)
    evidence_file = models.FileField(_("berkas bukti"), upload_to="evaluasi/%Y/%m/", blank=True,
                                     validators=[validate_attachment])  # fmt: skip
    completed_at = models.DateTimeField(_("diselesaikan pada"), null=True, blank=True)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("diselesaikan oleh"))  # fmt: skip
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+", verbose_name=_("dicatat oleh"))  # fmt: skip
    created = models.DateTimeField(_("dibuat"), auto_now_add=True)
    last_updated = models.DateTimeField(_("terakhir diubah"), auto_now=True)

    class Meta:
        verbose_name = _("tindak lanjut evaluasi")
        verbose_name_plural = _("tindak lanjut evaluasi")
        ordering = ["due_date", "id"]
        indexes = [
            # open actions of a PD (carried into the next report, the dashboard)
            models.Index(fields=["pd", "status", "due_date"], name="evaluation_action_pd_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=ActionStatus.DONE) | Q(completed_at__isnull=False),
                name="evaluation_done_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("evaluation:action_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ACTION_STATUSES

    def is_overdue(self, today: date) -> bool:
        return self.is_open and self.due_date < today

    @property
    def target(self):
        """The record the action improves, or the procedure's name."""
        return {
            ActionTarget.SERVICE: self.service,
            ActionTarget.DRP: self.drp,
            ActionTarget.PACK: self.policy_version,
            ActionTarget.PROCEDURE: self.procedure,
        }[self.target_kind]


class ReportEvent(models.Model):
    """Everything that happened to a report and its actions, in order (the
    desk's timeline pattern)."""

    report = models.ForeignKey(EvaluationReport, on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField(_("waktu"), auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+", verbose_name=_("oleh"))  # fmt: skip
    kind = models.CharField(_("peristiwa"), max_length=12, choices=ReportEventKind.choices)
    message = models.TextField(_("keterangan"))

    class Meta:
        verbose_name = _("peristiwa laporan evaluasi")
        verbose_name_plural = _("linimasa laporan evaluasi")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.report_id} {self.get_kind_display()}"
