"""Applications, infrastructure components and how services depend on them
(O-7, O-2 item 10), and the application planning records (P-10, P-11)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from spbe.approvals.models import Approvable
from spbe.cmdb.choices import PRINCIPLES, ComponentKind, Hosting, SdlcPhase, Urgency
from spbe.org.choices import Role


class Application(models.Model):
    """An application in the SPBE architecture, owned by a PD (O-7)."""

    pd = models.ForeignKey(
        "org.PerangkatDaerah", on_delete=models.PROTECT, related_name="applications", verbose_name=_("PD pemilik")
    )
    name = models.CharField(_("nama aplikasi"), max_length=200)
    description = models.TextField(_("deskripsi"), blank=True)
    url = models.URLField(_("alamat"), blank=True)
    technology = models.CharField(
        _("teknologi"), max_length=200, blank=True, help_text=_("Mis. Laravel 10, PostgreSQL 15.")
    )
    hosting = models.CharField(_("hosting"), max_length=12, choices=Hosting.choices)
    developer = models.CharField(_("pengembang / vendor"), max_length=200, blank=True)
    sdlc_phase = models.CharField(
        _("fase SDLC"), max_length=16, choices=SdlcPhase.choices, default=SdlcPhase.PRODUCTION
    )
    version = models.CharField(_("versi"), max_length=40, blank=True)
    components = models.ManyToManyField(
        "Component", blank=True, related_name="applications", verbose_name=_("berjalan di")
    )
    created = models.DateTimeField(_("dibuat"), auto_now_add=True)
    last_updated = models.DateTimeField(_("terakhir diubah"), auto_now=True)

    class Meta:
        verbose_name = _("aplikasi")
        verbose_name_plural = _("aplikasi")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["pd", "name"],
                name="cmdb_app_name_per_pd",
                violation_error_message=_("PD ini sudah memiliki aplikasi dengan nama tersebut."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class Component(models.Model):
    """An infrastructure component: server, VM, database, network device,
    storage. Attributes are free key/value pairs (IP, OS, CPU, RAM…)."""

    pemda = models.ForeignKey("org.Pemda", on_delete=models.PROTECT, related_name="+", verbose_name=_("Pemda"))
    pd = models.ForeignKey(
        "org.PerangkatDaerah", on_delete=models.PROTECT, related_name="components", verbose_name=_("PD pengelola")
    )
    name = models.CharField(_("nama"), max_length=200)
    kind = models.CharField(_("jenis"), max_length=10, choices=ComponentKind.choices)
    location = models.CharField(_("lokasi"), max_length=200, blank=True, help_text=_("Mis. Pusat Data Daerah, rak B3."))
    attributes = models.JSONField(_("atribut"), default=dict, blank=True)
    depends_on = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="dependents", verbose_name=_("bergantung pada"),
        through="ComponentDependency",
    )  # fmt: skip
    created = models.DateTimeField(_("dibuat"), auto_now_add=True)
    last_updated = models.DateTimeField(_("terakhir diubah"), auto_now=True)

    class Meta:
        verbose_name = _("komponen infrastruktur")
        verbose_name_plural = _("komponen infrastruktur")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["pemda", "name"],
                name="cmdb_component_name_per_pemda",
                violation_error_message=_("Nama komponen ini sudah dipakai di Pemda ini."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"


class ComponentDependency(models.Model):
    """``component`` depends on ``depends_on``: when the latter fails, so
    does the former."""

    component = models.ForeignKey(Component, on_delete=models.CASCADE, related_name="+")
    depends_on = models.ForeignKey(Component, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["component", "depends_on"], name="cmdb_dependency_once"),
            models.CheckConstraint(
                condition=~Q(component=F("depends_on")),
                name="cmdb_no_self_dependency",
                violation_error_message=_("Komponen tidak dapat bergantung pada dirinya sendiri."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.component_id} → {self.depends_on_id}"


class ServiceApplication(models.Model):
    """A service *uses* an application."""

    service = models.ForeignKey("catalog.Service", on_delete=models.CASCADE, related_name="+")
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["service", "application"], name="cmdb_service_app_once")]

    def __str__(self) -> str:
        return f"{self.service_id} → {self.application_id}"


class AppManagementTarget(Approvable):
    """P-10: plans for design, implementation, testing and maintenance of an
    application, the basis of its evaluation; approved by Diskominfo."""

    approver_role = Role.KOORDINATOR_SPBE
    approver_scope = "coordinator"
    pd_path = "application__pd"
    pedoman_id = "P-10"
    planning_slug = "target-pengelolaan-aplikasi"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="management_targets")
    design_plan = models.TextField(_("rencana perancangan"))
    implementation_plan = models.TextField(_("rencana implementasi"))
    testing_plan = models.TextField(_("rencana pengujian"))
    maintenance_plan = models.TextField(_("rencana pemeliharaan"))
    evaluation_basis = models.TextField(
        _("dasar evaluasi"), help_text=_("Ketersediaan, kinerja, keamanan, kesesuaian proses bisnis, SDM, anggaran.")
    )

    class Meta:
        verbose_name = _("target pengelolaan aplikasi")
        verbose_name_plural = _("target pengelolaan aplikasi")

    def __str__(self) -> str:
        return _("Target pengelolaan %(app)s") % {"app": self.application.name}


class AppNeedsAnalysis(Approvable):
    """P-11: urgency, cost and benefit, implications, functional and
    non-functional requirements, checked against the seven principles;
    approved by Diskominfo (O-7)."""

    approver_role = Role.KOORDINATOR_SPBE
    approver_scope = "coordinator"
    pedoman_id = "P-11"
    planning_slug = "analisis-kebutuhan-aplikasi"

    pd = models.ForeignKey("org.PerangkatDaerah", on_delete=models.PROTECT, related_name="+", verbose_name=_("PD"))
    application = models.ForeignKey(
        Application, on_delete=models.SET_NULL, null=True, blank=True, related_name="needs_analyses",
        verbose_name=_("aplikasi (bila sudah ada)"),
    )  # fmt: skip
    title = models.CharField(_("judul"), max_length=200)
    urgency = models.CharField(_("urgensi"), max_length=8, choices=Urgency.choices)
    cost_benefit = models.TextField(_("biaya dan manfaat"))
    implications = models.TextField(_("implikasi"))
    functional_requirements = models.TextField(_("kebutuhan fungsional"))
    non_functional_requirements = models.TextField(_("kebutuhan non-fungsional"))
    principles = models.JSONField(_("pemenuhan prinsip"), default=dict, blank=True)
    outsourced = models.BooleanField(_("dikembangkan pihak eksternal"), default=False)

    class Meta:
        verbose_name = _("analisis kebutuhan aplikasi")
        verbose_name_plural = _("analisis kebutuhan aplikasi")

    def __str__(self) -> str:
        return self.title

    def submission_errors(self) -> list[str]:
        missing = [str(label) for key, label in PRINCIPLES if not str(self.principles.get(key, "")).strip()]
        if missing:
            return [_("Jelaskan pemenuhan setiap prinsip. Belum diisi: %(missing)s.") % {"missing": ", ".join(missing)}]
        return []


def would_create_cycle(component: Component, depends_on: Component) -> bool:
    """True if ``component`` → ``depends_on`` closes a loop (including a
    component depending on itself)."""
    if component.pk == depends_on.pk:
        return True
    edges: dict[int, list[int]] = {}
    for source, target in ComponentDependency.objects.filter(component__pemda_id=component.pemda_id).values_list(
        "component_id", "depends_on_id"
    ):
        edges.setdefault(source, []).append(target)
    seen, stack = set(), [depends_on.pk]
    while stack:
        node = stack.pop()
        if node == component.pk:
            return True
        if node not in seen:
            seen.add(node)
            stack.extend(edges.get(node, ()))
    return False


def validate_dependency(component: Component, depends_on: Component) -> None:
    if component.pemda_id != depends_on.pemda_id:
        raise ValidationError(_("Komponen harus berada di Pemda yang sama."))
    if would_create_cycle(component, depends_on):
        raise ValidationError(
            _("%(a)s tidak dapat bergantung pada %(b)s: hubungan itu membuat lingkaran ketergantungan.")
            % {"a": component.name, "b": depends_on.name}
        )
