"""Forms of the evaluation stage (E-2, E-4): opening a report for a period,
its texts, a chapter's analysis, follow-up actions and their completion,
and the list filters. Errors are said in Indonesian next to their field."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from spbe.approvals.validators import validate_attachment
from spbe.catalog.models import Service
from spbe.continuity.models import RecoveryPlan
from spbe.evaluation.actions import period_errors
from spbe.evaluation.choices import ActionStatus, ActionTarget, Chapter, PeriodKind, ReportScope
from spbe.evaluation.models import EvaluationReport, FollowUpAction
from spbe.front.forms import StyledFormMixin
from spbe.org.choices import STRUCTURAL_ROLES
from spbe.org.models import PerangkatDaerah, RoleAssignment, User

DATE = {"type": "date"}


class SemesterChoices:
    FIRST = "1"
    SECOND = "2"
    CHOICES = [("1", _("Semester I (Januari–Juni)")), ("2", _("Semester II (Juli–Desember)"))]


def last_semester(today: date) -> tuple[int, str]:
    """The last completed half-year: what an evaluation is usually about."""
    return (today.year, "1") if today.month > 6 else (today.year - 1, "2")


class ReportForm(StyledFormMixin, forms.Form):
    """A new report: whose (a PD, or the Pemda), and which period (a
    semester, a year, or any range)."""

    pd = forms.ModelChoiceField(label=_("Perangkat Daerah"), queryset=PerangkatDaerah.objects.none())
    scope = forms.ChoiceField(label=_("Cakupan"), choices=ReportScope.choices, initial=ReportScope.PD)
    period_kind = forms.ChoiceField(label=_("Jenis periode"), choices=PeriodKind.choices, initial=PeriodKind.SEMESTER)
    year = forms.IntegerField(label=_("Tahun"), min_value=2000, max_value=2100, required=False)
    semester = forms.ChoiceField(label=_("Semester"), choices=SemesterChoices.CHOICES, required=False)
    period_start = forms.DateField(
        label=_("Periode mulai"),
        required=False,
        widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
        help_text=_("Untuk rentang tanggal."),
    )
    period_end = forms.DateField(
        label=_("Periode sampai"), required=False, widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d")
    )
    title = forms.CharField(
        label=_("Judul"), max_length=200, required=False, help_text=_("Kosongkan untuk judul baku.")
    )

    def __init__(self, *args, pds, coordinator: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pd"].queryset = pds
        if not coordinator:
            self.fields["scope"].choices = [(ReportScope.PD, ReportScope.PD.label)]
        year, semester = last_semester(timezone.localdate())
        self.fields["year"].initial, self.fields["semester"].initial = year, semester

    def clean(self):
        data = super().clean()
        kind, year = data.get("period_kind"), data.get("year")
        if kind in (PeriodKind.SEMESTER, PeriodKind.YEAR):
            if year is None:
                self.add_error("year", _("Isi tahun periode."))
                return data
            if kind == PeriodKind.YEAR:
                data["period_start"], data["period_end"] = date(year, 1, 1), date(year, 12, 31)
            elif data.get("semester") == SemesterChoices.SECOND:
                data["period_start"], data["period_end"] = date(year, 7, 1), date(year, 12, 31)
            else:
                data["period_start"], data["period_end"] = date(year, 1, 1), date(year, 6, 30)
        elif kind == PeriodKind.CUSTOM:
            for name in ("period_start", "period_end"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, _("Isi tanggal ini."))
        if data.get("period_start") and data.get("period_end"):
            for name, message in period_errors(data["period_start"], data["period_end"]).items():
                self.add_error(name, message)
        return data


class ReportTextForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = EvaluationReport
        fields = ["title", "introduction", "conclusion"]
        widgets = {"introduction": forms.Textarea(attrs={"rows": 5}), "conclusion": forms.Textarea(attrs={"rows": 4})}


class AnalysisForm(StyledFormMixin, forms.Form):
    """E-2 point 6: the obstacles that made targets fail, and the chances to improve."""

    obstacles = forms.CharField(
        label=_("Analisis hambatan"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("Mengapa target tidak tercapai: penyebab pelanggaran, masalah berulang, gangguan terlama."),
    )
    improvements = forms.CharField(
        label=_("Peluang perbaikan"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


def staff_of(pd: PerangkatDaerah):
    """Who may own an action: anyone holding a structural role in the PD
    (or, for the Pemda's report, in any PD of the Pemda)."""
    pds = [pd] if not pd.is_spbe_coordinator else list(pd.pemda.pds.all())
    holders = RoleAssignment.objects.filter(pd__in=pds, role__in=STRUCTURAL_ROLES | {"koordinator_spbe"})
    return User.objects.filter(pk__in=holders.values("user_id"), is_active=True).order_by("full_name")


class ActionForm(StyledFormMixin, forms.ModelForm):
    """A follow-up action: who, by when, and what it improves."""

    class Meta:
        model = FollowUpAction
        fields = [
            "chapter",
            "title",
            "description",
            "owner",
            "due_date",
            "target_kind",
            "service",
            "drp",
            "procedure",
            "before_version",
        ]
        widgets = {
            "due_date": forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"before_version": _("Kosongkan untuk DRP dan paket kebijakan: versinya dicatat otomatis.")}

    def __init__(self, *args, report: EvaluationReport, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = staff_of(report.pd)
        self.fields["owner"].error_messages["required"] = _("Pilih penanggung jawab tindak lanjut.")
        self.fields["due_date"].error_messages["required"] = _("Isi tenggat tindak lanjut.")
        if report.is_pemda_wide:
            services = Service.objects.filter(pd__pemda=report.pemda)
            drps = RecoveryPlan.objects.in_force().filter(pd__pemda=report.pemda)
        else:
            services = Service.objects.filter(pd=report.pd)
            drps = RecoveryPlan.objects.in_force().filter(pd=report.pd)
        self.fields["service"].queryset = services.order_by("name")
        self.fields["drp"].queryset = drps.order_by("title")
        self.fields["target_kind"].initial = ActionTarget.PROCEDURE


class CompleteForm(StyledFormMixin, forms.Form):
    evidence_note = forms.CharField(
        label=_("Bukti penyelesaian"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Apa yang sudah diperbaiki dan di mana buktinya (nomor dokumen, tautan, berita acara)."),
    )
    evidence_file = forms.FileField(
        label=_("Berkas bukti"),
        required=False,
        validators=[validate_attachment],
        help_text=_("PDF, DOCX, XLSX, PNG atau JPG, paling besar 10 MB."),
    )
    after_version = forms.CharField(
        label=_("Versi sesudah"),
        max_length=200,
        required=False,
        help_text=_("Kosongkan untuk DRP dan paket kebijakan."),
    )


class StatusForm(StyledFormMixin, forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(s.value, s.label) for s in (ActionStatus.OPEN, ActionStatus.IN_PROGRESS, ActionStatus.CANCELLED)],
    )
    reason = forms.CharField(label=_("Alasan pembatalan"), max_length=500, required=False,
                             help_text=_("Wajib bila dibatalkan."))  # fmt: skip


class ReportFilterForm(StyledFormMixin, forms.Form):
    pd = forms.ModelChoiceField(label=_("PD"), queryset=PerangkatDaerah.objects.none(), required=False)
    scope = forms.ChoiceField(label=_("Cakupan"), choices=[("", _("Semua")), *ReportScope.choices], required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("Semua")),
            ("draft", _("Draf")),
            ("submitted", _("Menunggu persetujuan")),
            ("approved", _("Disetujui")),
            ("rejected", _("Ditolak")),
        ],
    )
    year = forms.IntegerField(label=_("Tahun"), min_value=2000, max_value=2100, required=False)

    def __init__(self, *args, pds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pd"].queryset = pds
        self.fields["pd"].empty_label = _("Semua PD")


class ActionFilterForm(StyledFormMixin, forms.Form):
    pd = forms.ModelChoiceField(label=_("PD"), queryset=PerangkatDaerah.objects.none(), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Semua")), ("open_any", _("Belum selesai")), *ActionStatus.choices],
        required=False,
    )
    chapter = forms.ChoiceField(label=_("Bab"), choices=[("", _("Semua")), *Chapter.choices], required=False)
    overdue = forms.BooleanField(label=_("Lewat tenggat"), required=False)
    mine = forms.BooleanField(label=_("Tugas saya"), required=False)

    def __init__(self, *args, pds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pd"].queryset = pds
        self.fields["pd"].empty_label = _("Semua PD")


class MaturityForm(StyledFormMixin, forms.Form):
    pd = forms.ModelChoiceField(
        label=_("Perangkat Daerah"),
        queryset=PerangkatDaerah.objects.none(),
        required=False,
        empty_label=_("Seluruh Pemda"),
    )
    start = forms.DateField(
        label=_("Periode mulai"), required=False, widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d")
    )
    end = forms.DateField(
        label=_("Periode sampai"), required=False, widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d")
    )

    def __init__(self, *args, pds, pemda_wide: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pd"].queryset = pds
        self.fields["pd"].required = not pemda_wide
        if not pemda_wide:
            self.fields["pd"].empty_label = None

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            for name, message in period_errors(start, end, end_field="end").items():
                self.add_error(name, message)
        return data
