"""Forms of the service transition plan (P-9) and its list filters."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from spbe.approvals.models import ApprovalStatus
from spbe.catalog.models import Service
from spbe.change.choices import ChangeKind, Level, ReleaseStage
from spbe.change.models import ChangePlan, Release
from spbe.cmdb.models import Application, ServiceApplication
from spbe.cmdb.pickers import offer_items
from spbe.continuity import rules  # the infrastructure roles' PDs: they draft releases as they draft DRPs
from spbe.desk.choices import TicketKind
from spbe.desk.models import Ticket
from spbe.front.forms import StyledFormMixin
from spbe.org import access
from spbe.org.models import PerangkatDaerah

DATETIME = {"type": "datetime-local"}


class ChangePlanForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = ChangePlan
        fields = [
            "pd", "title", "kind", "origin", "request", "reason", "services", "applications", "components",
            "transfer_to", "technology_review", "process_review", "policy_review", "business_impact",
            "satisfaction_impact", "quality_control", "success_measure", "planned_start", "planned_end",
            "user_notice",
        ]  # fmt: skip
        widgets = {
            "planned_start": forms.DateTimeInput(attrs=DATETIME),
            "planned_end": forms.DateTimeInput(attrs=DATETIME),
            **{name: forms.Textarea(attrs={"rows": 2}) for name in (
                "reason", "technology_review", "process_review", "policy_review", "business_impact",
                "satisfaction_impact", "quality_control", "success_measure", "user_notice")},
            "services": forms.SelectMultiple(attrs={"size": 5}),
            "applications": forms.SelectMultiple(attrs={"size": 5}),
            "components": forms.SelectMultiple(attrs={"size": 5}),
        }  # fmt: skip

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        pds = access.workable_pds(actor)
        pemdas = pds.values("pemda_id")
        self.fields["pd"].queryset = pds
        self.fields["services"].queryset = Service.objects.filter(pd__in=pds).select_related("pd")
        offer_items(self, pds, "applications", "components")
        self.fields["transfer_to"].queryset = PerangkatDaerah.objects.filter(pemda__in=pemdas, is_active=True)
        requests = Ticket.objects.filter(kind=TicketKind.REQUEST, pd__in=pds).order_by("-reported_at")
        self.fields["request"].queryset = requests.select_related("service")
        self.fields["services"].help_text = _("Kosongkan untuk layanan baru yang belum ada di katalog.")


class RiskForm(StyledFormMixin, forms.Form):
    description = forms.CharField(label=_("Risiko"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    likelihood = forms.TypedChoiceField(label=_("Kemungkinan"), coerce=int, required=False,
                                        choices=[("", "—"), *Level.choices])  # fmt: skip
    impact = forms.TypedChoiceField(label=_("Dampak"), coerce=int, required=False, choices=[("", "—"), *Level.choices])
    mitigation = forms.CharField(label=_("Penanganan"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self) -> dict:
        data = super().clean()
        if any(data.get(name) for name in ("description", "likelihood", "impact", "mitigation")):
            for name, message in (("description", _("Tuliskan risikonya.")),
                                  ("likelihood", _("Pilih kemungkinan 1 sampai 5.")),
                                  ("impact", _("Pilih dampak 1 sampai 5.")),
                                  ("mitigation", _("Tuliskan penanganannya."))):  # fmt: skip
                if not data.get(name):
                    self.add_error(name, message)
        return data


RiskFormSet = formset_factory(RiskForm, extra=2)


def filled_risks(formset) -> list[dict]:
    return [form.cleaned_data for form in formset.forms if form.cleaned_data and any(form.cleaned_data.values())]


class ChangeFilterForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label=_("Cari"), required=False)
    pd = forms.ModelChoiceField(label=_("PD"), queryset=PerangkatDaerah.objects.none(), required=False)
    kind = forms.ChoiceField(label=_("Jenis"), required=False, choices=[("", _("Semua jenis")), *ChangeKind.choices])
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Semua status")), *ApprovalStatus.choices])  # fmt: skip

    def __init__(self, *args, pds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pd"].queryset = pds
        self.fields["pd"].empty_label = _("Semua PD")


class ReleaseForm(StyledFormMixin, forms.ModelForm):
    """The release plan (O-6), drafted by the infrastructure and application manager."""

    class Meta:
        model = Release
        fields = ["pd", "title", "basis", "change_plan", "application", "version", "services", "description", "steps",
                  "rollback_plan", "test_plan", "window_start", "window_end", "verification_minutes",
                  "announcement"]  # fmt: skip
        widgets = {
            "window_start": forms.DateTimeInput(attrs=DATETIME),
            "window_end": forms.DateTimeInput(attrs=DATETIME),
            "services": forms.SelectMultiple(attrs={"size": 5}),
            **{name: forms.Textarea(attrs={"rows": 3}) for name in (
                "description", "steps", "rollback_plan", "test_plan", "announcement")},
        }  # fmt: skip

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        pds = rules.operable_pds(actor)
        self.fields["pd"].queryset = pds
        self.fields["services"].queryset = Service.objects.filter(pd__in=pds).select_related("pd")
        # the PD's own, Diskominfo's, or one its services use (``_application_of``); never another PD's (issue 14)
        self.fields["application"].queryset = Application.objects.filter(
            Q(pd__in=access.linkable_pds(pds))
            | Q(pk__in=ServiceApplication.objects.filter(service__pd__in=pds).values("application_id"))
            | Q(pk=self.instance.application_id)
        )
        self.fields["change_plan"].queryset = ChangePlan.objects.filter(pd__in=pds, status=ApprovalStatus.APPROVED)


class TextForm(StyledFormMixin, forms.Form):
    text = forms.CharField(label=_("Isi"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, label, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].label = label


class ProblemForm(StyledFormMixin, forms.Form):
    description = forms.CharField(label=_("Masalah yang ditemui"), widget=forms.Textarea(attrs={"rows": 2}))
    open_complaint = forms.BooleanField(label=_("Buka aduan untuk masalah ini"), required=False)


class ManualVerificationForm(StyledFormMixin, forms.Form):
    passed = forms.TypedChoiceField(label=_("Hasil"), coerce=lambda v: v == "ya", widget=forms.RadioSelect,
                                    choices=[("ya", _("Berhasil")), ("tidak", _("Gagal"))])  # fmt: skip
    note = forms.CharField(label=_("Hasil verifikasi"), widget=forms.Textarea(attrs={"rows": 2}))


class ReleaseFilterForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label=_("Cari"), required=False)
    pd = forms.ModelChoiceField(label=_("PD"), queryset=PerangkatDaerah.objects.none(), required=False)
    stage = forms.ChoiceField(label=_("Tahap"), required=False, choices=[("", _("Semua tahap")), *ReleaseStage.choices])
    status = forms.ChoiceField(label=_("Persetujuan"), required=False,
                               choices=[("", _("Semua status")), *ApprovalStatus.choices])  # fmt: skip

    def __init__(self, *args, pds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pd"].queryset = pds
        self.fields["pd"].empty_label = _("Semua PD")
