"""Forms of application projects (O-7): the project, its four SDLC phases
as a formset (one row per phase, in order), progress dates and the list
filters."""

from __future__ import annotations

from django import forms
from django.forms import BaseFormSet, formset_factory
from django.utils.translation import gettext_lazy as _

from spbe.approvals.models import ApprovalStatus
from spbe.change.models_projects import AppProject, Phase, SdlcMethod, Sourcing
from spbe.cmdb.models import Application, AppManagementTarget, AppNeedsAnalysis
from spbe.front.forms import StyledFormMixin
from spbe.org import access
from spbe.org.models import PerangkatDaerah

DATE = {"type": "date"}


class AppProjectForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = AppProject
        fields = ["application", "title", "method", "sourcing", "vendor", "contract_number", "needs_analysis",
                  "management_target", "goal", "scope"]  # fmt: skip
        widgets = {
            "goal": forms.Textarea(attrs={"rows": 3}),
            "scope": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        applications = Application.objects.filter(pd__in=access.workable_pds(actor)).select_related("pd")
        self.fields["application"].queryset = applications
        self.fields["needs_analysis"].queryset = AppNeedsAnalysis.objects.filter(
            application__in=applications).select_related("application")  # fmt: skip
        self.fields["management_target"].queryset = AppManagementTarget.objects.filter(
            application__in=applications).select_related("application")  # fmt: skip
        self.fields["vendor"].help_text = _("Wajib bila dikerjakan pihak ketiga.")
        self.fields["needs_analysis"].help_text = _("Analisis kebutuhan (P-11) aplikasi yang sama.")
        self.fields["management_target"].help_text = _("Target pengelolaan (P-10) aplikasi yang sama.")


class PhaseForm(StyledFormMixin, forms.Form):
    """One SDLC phase; an empty row is a phase not planned yet."""

    planned_start = forms.DateField(label=_("Rencana mulai"), required=False, widget=forms.DateInput(attrs=DATE))
    planned_end = forms.DateField(label=_("Rencana selesai"), required=False, widget=forms.DateInput(attrs=DATE))
    deliverables = forms.CharField(label=_("Keluaran"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    needs_gate_approval = forms.BooleanField(label=_("Perlu persetujuan Diskominfo"), required=False)

    def __init__(self, *args, phase: Phase, **kwargs):
        super().__init__(*args, **kwargs)
        self.phase = phase

    @property
    def filled(self) -> bool:
        return bool(self.cleaned_data) and any(self.cleaned_data.values())

    def clean(self) -> dict:
        data = super().clean()
        if any(data.values()):
            for name, message in (("planned_start", _("Isi rencana mulai.")),
                                  ("planned_end", _("Isi rencana selesai.")),
                                  ("deliverables", _("Tuliskan keluaran fase ini.")),):  # fmt: skip
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, message)
        return data


class BasePhaseFormSet(BaseFormSet):
    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "phase": Phase(Phase.values[index]) if index is not None else None}


PhaseFormSet = formset_factory(PhaseForm, formset=BasePhaseFormSet, extra=0, max_num=4, absolute_max=4,
                               validate_max=True)  # fmt: skip


def phase_initial(project: AppProject | None) -> list[dict]:
    """Four rows in phase order, filled from what the project planned."""
    planned = {p.phase: p for p in project.phases.all()} if project else {}
    rows = []
    for number in Phase.values:
        phase = planned.get(number)
        rows.append({name: getattr(phase, name) for name in ("planned_start", "planned_end", "deliverables",
                                                             "needs_gate_approval")} if phase else {})  # fmt: skip
    return rows


def filled_phases(formset) -> list[dict]:
    return [{"phase": form.phase, **form.cleaned_data} for form in formset.forms if form.filled]


class DayForm(StyledFormMixin, forms.Form):
    on = forms.DateField(label=_("Tanggal"), widget=forms.DateInput(attrs=DATE))


class ProjectFilterForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label=_("Cari"), required=False)
    pd = forms.ModelChoiceField(label=_("PD"), queryset=PerangkatDaerah.objects.none(), required=False)
    method = forms.ChoiceField(label=_("Metode"), required=False,
                               choices=[("", _("Semua metode")), *SdlcMethod.choices])  # fmt: skip
    sourcing = forms.ChoiceField(label=_("Pelaksana"), required=False,
                                 choices=[("", _("Semua pelaksana")), *Sourcing.choices])  # fmt: skip
    status = forms.ChoiceField(label=_("Persetujuan"), required=False,
                               choices=[("", _("Semua status")), *ApprovalStatus.choices])  # fmt: skip

    def __init__(self, *args, pds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pd"].queryset = pds
        self.fields["pd"].empty_label = _("Semua PD")
