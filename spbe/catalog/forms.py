"""Forms of the catalog and of the planning records (P-4 … P-11)."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from spbe.catalog.choices import CLASSIFICATION_HELP, Classification, Lifecycle, ServiceGroup
from spbe.catalog.models import InfraPolicy, OperatingTarget, Service, ServiceNeeds
from spbe.cmdb.choices import PRINCIPLES
from spbe.cmdb.models import Application, AppManagementTarget, AppNeedsAnalysis
from spbe.front.forms import StyledFormMixin
from spbe.org import access
from spbe.org.choices import Role
from spbe.org.models import PerangkatDaerah, User


def people_with_role(user, role: Role):
    pemdas = access.visible_pemdas(user)
    return User.objects.filter(
        is_active=True, role_assignments__role=role, role_assignments__pd__pemda__in=pemdas
    ).distinct()


class ServiceForm(StyledFormMixin, forms.ModelForm):
    """A catalog entry with every item of P-4. The user-service target is
    typed in hours; empty means "from the Pemda's pack"."""

    target_hours = forms.IntegerField(
        label=_("Target pelayanan pengguna sendiri (jam)"), required=False, min_value=1, max_value=8760,
        help_text=_("Kosongkan untuk memakai target paket kebijakan Pemda."),
    )  # fmt: skip

    url = forms.URLField(label=_("Alamat web"), required=False, assume_scheme="https")

    class Meta:
        model = Service
        fields = [
            "pd", "code", "name", "description", "group", "classification", "service_admin", "infra_admin",
            "access", "url", "help_contact", "support_hours", "availability_target", "target_hours",
            "user_service_target_reason", "rpo_value", "rpo_unit", "rto_value", "rto_unit", "requires_approval",
        ]  # fmt: skip
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "access": forms.Textarea(attrs={"rows": 2}),
            "availability_target": forms.NumberInput(attrs={"step": "0.01", "min": "0", "max": "100"}),
        }

    def __init__(self, *args, actor: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pd"].queryset = access.workable_pds(actor)
        self.fields["service_admin"].queryset = people_with_role(actor, Role.ADMIN_LAYANAN)
        self.fields["infra_admin"].queryset = people_with_role(actor, Role.ADMIN_INFRA)
        self.fields["classification"].help_text = " ".join(
            f"{Classification(k).label}: {v}" for k, v in CLASSIFICATION_HELP.items()
        )
        if self.instance.user_service_target_override:
            self.initial["target_hours"] = int(self.instance.user_service_target_override.total_seconds() // 3600)
        if self.instance.pk:
            self.fields["pd"].disabled = True

    def clean(self) -> dict:
        data = super().clean()
        hours = data.get("target_hours")
        self.instance.user_service_target_override = timedelta(hours=hours) if hours else None
        return data

    def _update_errors(self, errors) -> None:
        # The model reports the target's problems on its own field, which this
        # form shows as hours: move them next to that input.
        moved = getattr(errors, "error_dict", {}).pop("user_service_target_override", None)
        if moved:
            errors.error_dict.setdefault("target_hours", []).extend(moved)
        super()._update_errors(errors)


class ServiceFilterForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label=_("Cari"), required=False)
    pd = forms.ModelChoiceField(label=_("Perangkat Daerah"), queryset=PerangkatDaerah.objects.none(), required=False)
    group = forms.ChoiceField(
        label=_("Kelompok"), required=False, choices=[("", _("Semua kelompok")), *ServiceGroup.choices]
    )
    classification = forms.ChoiceField(
        label=_("Klasifikasi"), required=False, choices=[("", _("Semua klasifikasi")), *Classification.choices]
    )
    lifecycle = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Semua status")), *Lifecycle.choices]
    )

    def __init__(self, *args, actor: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pd"].queryset = access.visible_pds(actor)
        self.fields["pd"].empty_label = _("Semua PD")


class AttachmentForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("Judul lampiran"), max_length=200)
    file = forms.FileField(label=_("Berkas"), help_text=_("PDF, DOCX, XLSX, PNG, atau JPG; maksimal 10 MB."))


# --- Planning records ----------------------------------------------------------------


class _PlanningForm(StyledFormMixin, forms.ModelForm):
    def __init__(self, *args, actor: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        if "pd" in self.fields:
            self.fields["pd"].queryset = access.workable_pds(actor)
        if "service" in self.fields:
            self.fields["service"].queryset = access.filter_by_pd(actor, Service.objects.select_related("pd"))
        if "application" in self.fields:
            self.fields["application"].queryset = access.filter_by_pd(actor, Application.objects.select_related("pd"))
        for field in self.fields.values():
            if isinstance(field.widget, forms.Textarea):
                field.widget.attrs["rows"] = 3
        if self.instance.pk:
            for name in ("pd", "service", "application"):
                if name in self.fields:
                    self.fields[name].disabled = True


class ServiceNeedsForm(_PlanningForm):
    url = forms.URLField(label=_("Alamat web"), required=False, assume_scheme="https")

    class Meta:
        model = ServiceNeeds
        fields = ["service", "business_process", "needs", "design", "technology", "evaluation"]


class InfraPolicyForm(_PlanningForm):
    class Meta:
        model = InfraPolicy
        fields = ["pd", "kind", "title", "content", "valid_from"]
        widgets = {"valid_from": forms.DateInput(attrs={"type": "date"})}


class OperatingTargetForm(_PlanningForm):
    class Meta:
        model = OperatingTarget
        fields = ["application", "classification", "availability_target", "rpo_value", "rpo_unit", "rto_value",
                  "rto_unit", "notes"]  # fmt: skip


class AppManagementTargetForm(_PlanningForm):
    class Meta:
        model = AppManagementTarget
        fields = ["application", "design_plan", "implementation_plan", "testing_plan", "maintenance_plan",
                  "evaluation_basis"]  # fmt: skip


class AppNeedsAnalysisForm(_PlanningForm):
    """P-11 with one text box per principle, stored together."""

    class Meta:
        model = AppNeedsAnalysis
        fields = ["pd", "application", "title", "urgency", "cost_benefit", "implications", "functional_requirements",
                  "non_functional_requirements", "outsourced"]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, label in PRINCIPLES:
            name = f"principle_{key}"
            self.fields[name] = forms.CharField(
                label=_("Prinsip %(name)s") % {"name": label}, required=False,
                widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
                initial=self.instance.principles.get(key, ""),
            )  # fmt: skip

    def clean(self) -> dict:
        data = super().clean()
        self.instance.principles = {key: data.get(f"principle_{key}", "").strip() for key, _label in PRINCIPLES}
        return data
