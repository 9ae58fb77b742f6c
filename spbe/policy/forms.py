"""Forms to amend a pack and to change a Pemda's calendar."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from spbe.front.forms import StyledFormMixin
from spbe.policy.amendable import amendable_fields, parse_value
from spbe.policy.models import HolidayChange, SpecialPeriod


class AmendForm(StyledFormMixin, forms.Form):
    """Change one value of the Pemda's pack; creates a new version."""

    path = forms.ChoiceField(label=_("Nilai yang diubah"))
    value = forms.CharField(
        label=_("Nilai baru"), help_text=_("Durasi: 15m, 1h30m, 48h. Jam: 07:30-12:00, 13:00-16:00. Prioritas: 1–6.")
    )
    reason = forms.CharField(label=_("Alasan perubahan"), widget=forms.Textarea(attrs={"rows": 2}))
    legal_basis = forms.CharField(
        label=_("Dasar hukum perubahan"), max_length=250, help_text=_("Mis. Peraturan Bupati Tegal No. 3 Tahun 2026.")
    )

    def __init__(self, *args, pack_data: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.kinds = {field.path: field.kind for field in amendable_fields(pack_data)}
        self.fields["path"].choices = [("", _("— pilih nilai —"))] + [
            (field.path, field.label) for field in amendable_fields(pack_data)
        ]

    def clean(self) -> dict:
        data = super().clean()
        path = data.get("path")
        if path and "value" in data:
            try:
                data["parsed"] = parse_value(self.kinds[path], data["value"])
            except ValueError as error:
                self.add_error("value", str(error))
        return data


class ConfirmForm(StyledFormMixin, forms.Form):
    path = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Alasan konfirmasi"), widget=forms.Textarea(attrs={"rows": 2}))
    legal_basis = forms.CharField(label=_("Dasar hukum"), max_length=250)


class HolidayChangeForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = HolidayChange
        fields = ["date", "action", "name", "reason"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, pemda, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.pemda = pemda

    def clean(self) -> dict:
        data = super().clean()
        if data.get("action") == "add" and not data.get("name"):
            self.add_error("name", _("Beri nama hari libur yang ditambahkan."))
        return data


class SpecialPeriodForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = SpecialPeriod
        fields = ["name", "date_from", "date_to", "note"]
        widgets = {
            "date_from": forms.DateInput(attrs={"type": "date"}),
            "date_to": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, pemda, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.pemda = pemda
        self.pemda = pemda

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end >= start:
            overlapping = SpecialPeriod.objects.filter(pemda=self.pemda, date_from__lte=end, date_to__gte=start)
            if overlapping.exists():
                self.add_error(
                    "date_from", _("Bertumpang tindih dengan periode %(other)s.") % {"other": overlapping[0]}
                )
        return data
