"""Forms of recovery (O-5): the DRP with its contacts and procedure, opening
an activation or planning a drill, each of the seven steps, and the list
filters. Errors are said in Indonesian next to their field."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.forms import formset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from spbe.approvals.models import ApprovalStatus
from spbe.approvals.validators import validate_attachment
from spbe.catalog.choices import Classification
from spbe.catalog.models import Service
from spbe.cmdb.pickers import offer_items
from spbe.continuity import rules
from spbe.continuity.choices import RecoveryKind, RecoveryStatus, Step
from spbe.continuity.models import RecoveryPlan
from spbe.front.forms import StyledFormMixin
from spbe.monitoring.choices import CheckKind
from spbe.monitoring.models import Check
from spbe.org.models import PerangkatDaerah

DATETIME = {"type": "datetime-local"}


def _now_local() -> str:
    return timezone.localtime().strftime("%Y-%m-%dT%H:%M")


class PlanForm(StyledFormMixin, forms.ModelForm):
    """The DRP itself; its scope is picked from the catalog and the CMDB of
    the PDs the person works for."""

    class Meta:
        model = RecoveryPlan
        fields = [
            "pd", "title", "services", "applications", "components", "rpo_value", "rpo_unit", "rto_value",
            "rto_unit", "backup_method", "backup_frequency", "backup_check", "recovery_site", "recovery_site_detail",
            "disaster_conditions",
        ]  # fmt: skip
        widgets = {
            "disaster_conditions": forms.Textarea(attrs={"rows": 3}),
            "services": forms.SelectMultiple(attrs={"size": 5}),
            "applications": forms.SelectMultiple(attrs={"size": 5}),
            "components": forms.SelectMultiple(attrs={"size": 6}),
        }

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        pds = rules.operable_pds(actor)
        self.fields["pd"].queryset = pds
        self.fields["services"].queryset = Service.objects.filter(pd__in=pds).select_related("pd")
        linkable = offer_items(self, pds, "applications", "components")
        self.fields["backup_check"].queryset = Check.objects.filter(
            Q(pd__in=linkable) | Q(pk=self.instance.backup_check_id), kind=CheckKind.HEARTBEAT
        )
        self.fields["services"].help_text = _("Layanan milik PD pemilik; tahan Ctrl untuk memilih lebih dari satu.")
        if self.instance.previous_id:  # a revision stays with the PD of the DRP it revises
            self.fields["pd"].disabled = True


class ContactForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Nama"), max_length=150, required=False)
    role = forms.CharField(label=_("Peran dalam pemulihan"), max_length=150, required=False)
    phone = forms.CharField(label=_("Telepon"), max_length=30, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)

    def clean(self) -> dict:
        data = super().clean()
        if any(data.get(name) for name in ("name", "role", "phone", "email")):
            for name, message in (("name", _("Isi nama kontak.")), ("role", _("Isi peran kontak ini.")),
                                  ("phone", _("Isi nomor telepon kontak."))):  # fmt: skip
                if not data.get(name):
                    self.add_error(name, message)
        return data


class ProcedureStepForm(StyledFormMixin, forms.Form):
    action = forms.CharField(label=_("Langkah"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.CharField(label=_("Penanggung jawab"), max_length=150, required=False)
    expected_minutes = forms.IntegerField(label=_("Perkiraan durasi (menit)"), min_value=1, max_value=100_000,
                                          required=False)  # fmt: skip

    def clean(self) -> dict:
        data = super().clean()
        if data.get("action") or data.get("owner") or data.get("expected_minutes"):
            if not (data.get("action") or "").strip():
                self.add_error("action", _("Tuliskan langkahnya."))
            if not (data.get("owner") or "").strip():
                self.add_error("owner", _("Setiap langkah harus punya penanggung jawab."))
            if not data.get("expected_minutes"):
                self.add_error("expected_minutes", _("Isi perkiraan durasi dalam menit."))
        return data


ContactFormSet = formset_factory(ContactForm, extra=2)
ProcedureFormSet = formset_factory(ProcedureStepForm, extra=2)


def filled_rows(formset) -> list[dict]:
    """The rows someone typed into (empty extra rows are left out)."""
    return [form.cleaned_data for form in formset.forms if form.cleaned_data and any(form.cleaned_data.values())]


def current_plans(actor):
    plans = RecoveryPlan.objects.in_force()
    return plans.filter(pd__in=rules.operable_pds(actor)).select_related("pd")


class ActivationForm(StyledFormMixin, forms.Form):
    plan = forms.ModelChoiceField(label=_("DRP yang berlaku"), queryset=RecoveryPlan.objects.none())
    title = forms.CharField(label=_("Judul kejadian"), max_length=200,
                            help_text=_("Mis. Listrik pusat data padam, server basis data rusak."))  # fmt: skip

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = current_plans(actor)


class DrillForm(StyledFormMixin, forms.Form):
    plan = forms.ModelChoiceField(label=_("DRP yang diuji"), queryset=RecoveryPlan.objects.none())
    title = forms.CharField(label=_("Judul uji coba"), max_length=200)
    scheduled_for = forms.DateTimeField(label=_("Jadwal"), widget=forms.DateTimeInput(attrs=DATETIME))
    scenario = forms.CharField(
        label=_("Skenario"), widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Bencana yang disimulasikan, mis. server aplikasi utama terbakar."),
    )  # fmt: skip
    participants = forms.CharField(label=_("Peserta"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = current_plans(actor)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceField(forms.FileField):
    """Several evidence files at once, each checked by content (PDF, DOCX,
    XLSX, PNG, JPG; at most 10 MB)."""

    def __init__(self, **kwargs):
        super().__init__(widget=MultipleFileInput(), validators=[], **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else [data] if data else []
        cleaned = [super(EvidenceField, self).clean(item, initial) for item in files]
        for upload in cleaned:
            validate_attachment(upload)
        return cleaned


class StepForm(StyledFormMixin, forms.Form):
    """One of the seven steps; only the fields of that step are kept."""

    at = forms.DateTimeField(label=_("Waktu langkah"), widget=forms.DateTimeInput(attrs=DATETIME))
    notes = forms.CharField(label=_("Catatan"), widget=forms.Textarea(attrs={"rows": 3}))
    disaster = forms.TypedChoiceField(
        label=_("Hasil penetapan"), coerce=lambda v: v == "ya", initial="ya",
        choices=[("ya", _("Bencana: aktifkan DRP")), ("tidak", _("Bukan bencana: akhiri penilaian"))],
        widget=forms.RadioSelect,
    )  # fmt: skip
    disruption_started_at = forms.DateTimeField(
        label=_("Awal gangguan"), required=False, widget=forms.DateTimeInput(attrs=DATETIME),
        help_text=_("Saat layanan mulai terganggu: jam RTO dihitung dari sini."),
    )  # fmt: skip
    last_backup_at = forms.DateTimeField(
        label=_("Cadangan baik terakhir"), required=False, widget=forms.DateTimeInput(attrs=DATETIME),
        help_text=_("Kosongkan bila detak pemantauan cadangan mencatatnya; bila diisi, lampirkan buktinya."),
    )  # fmt: skip
    findings = forms.CharField(label=_("Temuan"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    follow_up = forms.CharField(label=_("Tindak lanjut"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    open_revision = forms.BooleanField(label=_("Buka revisi DRP dari evaluasi ini"), required=False)
    files = EvidenceField(label=_("Berkas bukti"), required=False,
                          help_text=_("PDF, DOCX, XLSX, PNG, atau JPG; maksimal 10 MB per berkas."))  # fmt: skip

    STEP_FIELDS = {
        Step.DEFINE: ("disaster", "disruption_started_at"),
        Step.NORMALISE: ("last_backup_at",),
        Step.EVALUATE: ("findings", "follow_up", "open_revision"),
    }

    @classmethod
    def fields_of(cls, number: int, kind: str) -> set[str]:
        """The fields one step of one kind records (the API keeps the same)."""
        keep = {"at", "notes", "files", *cls.STEP_FIELDS.get(number, ())}
        if kind == RecoveryKind.DRILL:
            keep.discard("disaster")
        else:
            keep -= {"findings", "follow_up"}
        return keep

    def __init__(self, *args, number: int, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        keep = self.fields_of(number, kind)
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        self.fields["at"].initial = _now_local()
        if number == Step.DEFINE and kind == RecoveryKind.ACTIVATION:
            self.fields["notes"].help_text = _("Dasar penetapan; bila bukan bencana, tuliskan alasannya di sini.")


class CancelForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("Alasan pembatalan"), widget=forms.Textarea(attrs={"rows": 2}))


class PlanFilterForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label=_("Cari"), required=False)
    pd = forms.ModelChoiceField(label=_("PD"), queryset=PerangkatDaerah.objects.none(), required=False)
    service = forms.ModelChoiceField(label=_("Layanan"), queryset=Service.objects.none(), required=False)
    classification = forms.ChoiceField(label=_("Klasifikasi"), required=False,
                                       choices=[("", _("Semua")), *Classification.choices])  # fmt: skip
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[
        ("", _("Semua versi")), ("current", _("Berlaku")), ("superseded", _("Digantikan")),
        *[(s, label) for s, label in ApprovalStatus.choices if s != ApprovalStatus.APPROVED],
    ])  # fmt: skip
    review_overdue = forms.BooleanField(label=_("Reviu terlambat"), required=False)
    never_drilled = forms.BooleanField(label=_("Belum pernah diuji coba"), required=False)

    def __init__(self, *args, pds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pd"].queryset = pds
        self.fields["pd"].empty_label = _("Semua PD")
        self.fields["service"].empty_label = _("Semua layanan")
        self.fields["service"].queryset = Service.objects.filter(pd__in=pds, recovery_plans__isnull=False).distinct()


class RecoveryFilterForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label=_("Cari"), required=False)
    pd = forms.ModelChoiceField(label=_("PD"), queryset=PerangkatDaerah.objects.none(), required=False)
    kind = forms.ChoiceField(label=_("Jenis"), required=False, choices=[("", _("Semua")), *RecoveryKind.choices])
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Semua")), *RecoveryStatus.choices])

    def __init__(self, *args, pds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pd"].queryset = pds
        self.fields["pd"].empty_label = _("Semua PD")
