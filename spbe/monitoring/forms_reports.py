"""Forms of the availability reports (O-4): the list's filters and items
5–6 of the Formulir Pemantauan dan Pemeliharaan."""

from __future__ import annotations

import re
from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from spbe.front.forms import StyledFormMixin
from spbe.monitoring.models import MonitoringReport
from spbe.org import access
from spbe.org.models import PerangkatDaerah, User

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
TEXT_LIMIT = 10_000


def parse_month(value: str) -> date | None:
    """ "2026-11" → 1 November 2026; anything else → None."""
    match = MONTH.match(value.strip())
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        return None
    return date(year, month, 1)


class MonthField(forms.CharField):
    """A month as YYYY-MM (the browser's month picker sends that), not
    after ``latest``."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "2026-11", "inputmode": "numeric"})

    def __init__(self, *args, latest: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.latest = latest

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        month = parse_month(value)
        if month is None:
            raise forms.ValidationError(_("Tulis bulan sebagai TTTT-BB, mis. 2026-11."), code="invalid")
        if self.latest is not None and month > self.latest:
            raise forms.ValidationError(_("Bulan ini belum dimulai."), code="future")
        return month


class AvailabilityFilterForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label=_("Cari"), required=False)
    pd = forms.ModelChoiceField(label=_("Perangkat Daerah"), queryset=PerangkatDaerah.objects.none(), required=False)
    bulan = MonthField(label=_("Bulan"), required=False)

    def __init__(self, *args, actor: User, latest: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pd"].queryset = access.visible_pds(actor)
        self.fields["pd"].empty_label = _("Semua PD")
        self.fields["pd"].error_messages["invalid_choice"] = _("Pilih PD dari daftar.")
        self.fields["bulan"].latest = latest


class MonitoringReportForm(StyledFormMixin, forms.ModelForm):
    """Items 5 and 6, both required: a saved formulir says something about
    the trend and the next steps."""

    class Meta:
        model = MonitoringReport
        fields = ["trend", "improvements"]
        widgets = {
            "trend": forms.Textarea(attrs={"rows": 10}),
            "improvements": forms.Textarea(attrs={"rows": 6}),
        }
        labels = {
            "trend": _("5. Tren ketersediaan dan penyebab tidak tercapainya target"),
            "improvements": _("6. Peluang peningkatan"),
        }
        help_texts = {
            "trend": _("Jelaskan tren beberapa bulan terakhir dan, bila target tidak tercapai, penyebabnya."),
            "improvements": _("Mis. rencana pemeliharaan, peningkatan kapasitas, perbaikan akar masalah."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        messages = {
            "trend": _("Isi tren ketersediaan (butir 5)."),
            "improvements": _("Isi peluang peningkatan (butir 6)."),
        }
        for name, message in messages.items():
            field = self.fields[name]
            field.required = True
            field.max_length = TEXT_LIMIT
            field.error_messages["required"] = message
            field.widget.attrs["maxlength"] = str(TEXT_LIMIT)

    def _clean_text(self, name: str) -> str:
        value = self.cleaned_data[name].strip()
        if len(value) > TEXT_LIMIT:
            raise forms.ValidationError(
                _("Paling banyak %(limit)d karakter (sekarang %(count)d).") % {"limit": TEXT_LIMIT, "count": len(value)}
            )
        return value

    def clean_trend(self) -> str:
        return self._clean_text("trend")

    def clean_improvements(self) -> str:
        return self._clean_text("improvements")
