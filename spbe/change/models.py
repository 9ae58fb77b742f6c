"""Service transition plans (P-9 Rencana Perubahan Layanan): an addition,
removal or transfer of a service, or a change to one, from a user's request
(O-1) or the provider's own need; what it touches (from the CMDB), the
reviews and impacts the Pedoman names, its risks, quality control, a
measurable definition of success, its schedule and what users are told.
Set by the Pimpinan PD through ``spbe.approvals``."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from spbe.approvals.models import Approvable
from spbe.change.choices import ChangeKind, ChangeOrigin, Level
from spbe.org.choices import Role


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
