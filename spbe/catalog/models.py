"""The service catalog and the planning records around a service (P-4 …
P-8)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from spbe.approvals.models import Approvable
from spbe.catalog.choices import Classification, Lifecycle, ServiceGroup, SupportHours, TimeUnit
from spbe.org.choices import Role

PERCENT = [MinValueValidator(0), MaxValueValidator(100)]
# RPO and RTO are at most this many units (of minutes, hours or days): a
# larger number is a typo, and would not fit a duration.
DURATION_LIMIT = [MaxValueValidator(10_000)]


def duration_of(value: int | None, unit: str) -> timedelta | None:
    return TimeUnit(unit).of(value) if value is not None and unit else None


def check_value_and_unit(errors: dict, value: int | None, unit: str, field: str, label: str) -> None:
    """RPO/RTO: a number without its unit (or the reverse) is refused."""
    if value is not None and not unit:
        errors[f"{field}_unit"] = _("Pilih satuan %(label)s (menit, jam, atau hari).") % {"label": label}
    if unit and value is None:
        errors[f"{field}_value"] = _("Isi angka %(label)s atau kosongkan satuannya.") % {"label": label}


class Service(Approvable):
    """One entry of a PD's catalog with every item of P-4. It becomes
    *active* when the PJ Penyedia Layanan of its PD approves it; a *kritis*
    service cannot be submitted without RPO, RTO and a DRP (P-5)."""

    approver_role = Role.PJ_PENYEDIA
    pedoman_id = "P-4"

    pd = models.ForeignKey(
        "org.PerangkatDaerah", on_delete=models.PROTECT, related_name="services", verbose_name=_("penyedia layanan")
    )
    code = models.CharField(_("kode layanan"), max_length=30, help_text=_("Unik di PD ini, mis. DUKCAPIL-01."))
    name = models.CharField(_("nama layanan"), max_length=200)
    description = models.TextField(_("deskripsi layanan"))
    service_admin = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("administrator layanan"),
    )  # fmt: skip
    infra_admin = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("administrator infrastruktur dan teknis"),
    )  # fmt: skip
    access = models.TextField(_("cara akses layanan"), help_text=_("Alamat aplikasi, loket, atau langkah akses."))
    url = models.URLField(_("alamat web"), blank=True)
    availability_target = models.DecimalField(
        _("target ketersediaan (%)"), max_digits=5, decimal_places=2, validators=PERCENT
    )
    help_contact = models.CharField(_("kontak bantuan"), max_length=200)
    support_hours = models.CharField(
        _("waktu pelayanan bantuan"), max_length=20, choices=SupportHours.choices, default=SupportHours.WORKING_HOURS
    )
    group = models.CharField(_("kelompok layanan"), max_length=30, choices=ServiceGroup.choices)
    classification = models.CharField(_("klasifikasi"), max_length=10, choices=Classification.choices)
    user_service_target_override = models.DurationField(
        _("target pelayanan pengguna sendiri"), null=True, blank=True,
        help_text=_("Kosongkan untuk memakai target dari paket kebijakan Pemda."),
    )  # fmt: skip
    user_service_target_reason = models.CharField(_("alasan target sendiri"), max_length=250, blank=True)
    availability_current = models.DecimalField(
        _("ketersediaan terkini (%)"), max_digits=6, decimal_places=3, null=True, blank=True, validators=PERCENT,
        help_text=_("Diisi oleh pemantauan."),
    )  # fmt: skip
    rpo_value = models.PositiveIntegerField(_("RPO"), null=True, blank=True, validators=DURATION_LIMIT)
    rpo_unit = models.CharField(_("satuan RPO"), max_length=5, choices=TimeUnit.choices, blank=True)
    rto_value = models.PositiveIntegerField(_("RTO"), null=True, blank=True, validators=DURATION_LIMIT)
    rto_unit = models.CharField(_("satuan RTO"), max_length=5, choices=TimeUnit.choices, blank=True)
    requires_approval = models.BooleanField(
        _("permintaan perlu persetujuan"), default=False, help_text=_("O-1: permintaan layanan ini harus disetujui.")
    )
    lifecycle = models.CharField(_("status layanan"), max_length=10, choices=Lifecycle.choices, default=Lifecycle.DRAFT)

    class Meta:
        verbose_name = _("layanan")
        verbose_name_plural = _("layanan")
        ordering = ["pd__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["pd", "code"],
                name="catalog_service_code_per_pd",
                violation_error_message=_("Kode layanan ini sudah dipakai di PD yang sama."),
            )
        ]
        indexes = [
            # the public catalog: active services of one Pemda
            models.Index(fields=["lifecycle", "pd"], name="catalog_service_life_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.pd.abbreviation})"

    def get_absolute_url(self) -> str:
        return reverse("catalog:service_detail", args=[self.pk])

    @property
    def rpo(self) -> timedelta | None:
        return duration_of(self.rpo_value, self.rpo_unit)

    @property
    def rto(self) -> timedelta | None:
        return duration_of(self.rto_value, self.rto_unit)

    def pack_target(self):
        """P-1 target of the Pemda's pack for this group × classification."""
        version = self.pd.pemda.policy_version
        return version.pack.user_service_target(self.group, self.classification) if version else None

    @property
    def user_service_target(self) -> timedelta | None:
        if self.user_service_target_override is not None:
            return self.user_service_target_override
        target = self.pack_target()
        return target.value if target else None

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        check_value_and_unit(errors, self.rpo_value, self.rpo_unit, "rpo", "RPO")
        check_value_and_unit(errors, self.rto_value, self.rto_unit, "rto", "RTO")
        if self.user_service_target_override is not None and not self.user_service_target_reason.strip():
            errors["user_service_target_reason"] = _("Tuliskan alasan memakai target sendiri.")
        if self.pd_id and self.group and self.classification and self.user_service_target_override is None:
            target = self.pack_target()
            if target is None:
                errors["user_service_target_override"] = _(
                    "Pedoman Pemda ini menetapkan target pelayanan pengguna per layanan: isi targetnya."
                )
            elif target.needs_confirmation:
                errors["user_service_target_override"] = _(
                    "Target paket untuk kelompok dan klasifikasi ini masih nilai bawaan yang belum dikonfirmasi. "
                    "Minta Diskominfo mengonfirmasinya, atau isi target sendiri dengan alasan."
                )
        if errors:
            raise ValidationError(errors)

    def submission_errors(self) -> list[str]:
        """P-5: a kritis service needs RPO, RTO and an approved DRP (O-5,
        ``spbe.continuity``) covering it before it can run."""
        if self.classification != Classification.KRITIS:
            return []
        has_plan = self.pk is not None and self.recovery_plans.in_force().exists()
        missing = [
            label
            for label, present in (
                (_("RPO"), self.rpo is not None),
                (_("RTO"), self.rto is not None),
                (_("DRP yang disetujui"), has_plan),
            )
            if not present
        ]
        if missing:
            return [
                _("Layanan kritis wajib memiliki RPO, RTO, dan DRP sebelum diaktifkan. Belum ada: %(missing)s.")
                % {"missing": ", ".join(str(m) for m in missing)}
            ]
        return []

    def on_approved(self) -> None:
        if self.lifecycle == Lifecycle.DRAFT:
            self.lifecycle = Lifecycle.ACTIVE
            self.save(update_fields=["lifecycle", "last_updated"])


class ServiceNeeds(Approvable):
    """P-6 Pendataan Kebutuhan Layanan: drafted by the Administrator Layanan,
    technology confirmed by the Administrator Infrastruktur dan Aplikasi,
    approved by the PJ Penyedia Layanan."""

    approver_role = Role.PJ_PENYEDIA
    pd_path = "service__pd"
    pedoman_id = "P-6"
    planning_slug = "kebutuhan-layanan"

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="needs", verbose_name=_("layanan"))
    business_process = models.TextField(_("analisis proses bisnis dan keterkaitan aktivitas"))
    needs = models.TextField(_("daftar kebutuhan layanan"))
    design = models.TextField(_("rancangan layanan"))
    technology = models.TextField(_("teknologi"))
    evaluation = models.TextField(_("mekanisme evaluasi"))
    technology_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("teknologi dikonfirmasi oleh"),
    )  # fmt: skip

    class Meta:
        verbose_name = _("daftar kebutuhan layanan")
        verbose_name_plural = _("daftar kebutuhan layanan")

    def __str__(self) -> str:
        return _("Kebutuhan layanan %(service)s") % {"service": self.service.name}

    def submission_errors(self) -> list[str]:
        if self.technology_confirmed_by_id is None:
            return [
                _("Teknologi dan mekanisme pemeliharaan belum dikonfirmasi Administrator Infrastruktur dan Aplikasi.")
            ]
        return []


class InfraPolicyKind(models.TextChoices):
    POLICY = "policy", _("Usulan kebijakan")
    PLAN = "plan", _("Dokumen perencanaan")


class InfraPolicy(Approvable):
    """P-7: policies and plans for using and maintaining SPBE infrastructure,
    drafted by the Administrator Layanan, approved by the PJ Pengelola
    Infrastruktur dan Aplikasi (of the PD or of Diskominfo)."""

    approver_role = Role.PJ_INFRA
    approver_scope = "owner_or_coordinator"
    pedoman_id = "P-7"
    planning_slug = "kebijakan-infrastruktur"

    pd = models.ForeignKey("org.PerangkatDaerah", on_delete=models.PROTECT, related_name="+", verbose_name=_("PD"))
    kind = models.CharField(_("jenis"), max_length=10, choices=InfraPolicyKind.choices)
    title = models.CharField(_("judul"), max_length=200)
    content = models.TextField(_("isi"))
    valid_from = models.DateField(_("berlaku mulai"), null=True, blank=True)

    class Meta:
        verbose_name = _("kebijakan infrastruktur")
        verbose_name_plural = _("kebijakan infrastruktur")
        ordering = ["-created"]

    def __str__(self) -> str:
        return self.title


class OperatingTarget(Approvable):
    """P-8 Target Pengoperasian Layanan of an application: drafted by the
    Administrator Layanan, set by the PJ Penyedia Layanan."""

    approver_role = Role.PJ_PENYEDIA
    pd_path = "application__pd"
    pedoman_id = "P-8"
    planning_slug = "target-pengoperasian"

    application = models.ForeignKey(
        "cmdb.Application", on_delete=models.CASCADE, related_name="operating_targets", verbose_name=_("aplikasi")
    )
    classification = models.CharField(_("klasifikasi"), max_length=10, choices=Classification.choices)
    availability_target = models.DecimalField(
        _("target ketersediaan (%)"), max_digits=5, decimal_places=2, validators=PERCENT
    )
    rpo_value = models.PositiveIntegerField(_("RPO"), null=True, blank=True, validators=DURATION_LIMIT)
    rpo_unit = models.CharField(_("satuan RPO"), max_length=5, choices=TimeUnit.choices, blank=True)
    rto_value = models.PositiveIntegerField(_("RTO"), null=True, blank=True, validators=DURATION_LIMIT)
    rto_unit = models.CharField(_("satuan RTO"), max_length=5, choices=TimeUnit.choices, blank=True)
    notes = models.TextField(_("catatan koordinasi dengan Pimpinan PD"), blank=True)

    class Meta:
        verbose_name = _("target pengoperasian")
        verbose_name_plural = _("target pengoperasian")

    def __str__(self) -> str:
        return _("Target pengoperasian %(app)s") % {"app": self.application.name}

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        check_value_and_unit(errors, self.rpo_value, self.rpo_unit, "rpo", "RPO")
        check_value_and_unit(errors, self.rto_value, self.rto_unit, "rto", "RTO")
        if self.classification == Classification.KRITIS:
            for field in ("rpo", "rto"):
                if getattr(self, f"{field}_value") is None and f"{field}_value" not in errors:
                    errors[f"{field}_value"] = _("Wajib untuk klasifikasi kritis (P-5).")
        if errors:
            raise ValidationError(errors)
