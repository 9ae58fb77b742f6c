"""Forms for alert sources and utilisation targets (O-4). Choices are
limited by ``access``: a crafted POST cannot reach another Pemda's
services or a component outside the user's PDs."""

from __future__ import annotations

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from spbe.catalog.models import Service
from spbe.cmdb.models import Component
from spbe.front.forms import StyledFormMixin
from spbe.monitoring.choices import AlertSourceKind
from spbe.monitoring.models import AlertSource, UtilisationTarget
from spbe.org.models import Pemda


class ServiceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Service) -> str:
        return f"{obj.code} — {obj.name} ({obj.pd.abbreviation})"


class AlertSourceForm(StyledFormMixin, forms.ModelForm):
    default_service = ServiceChoiceField(
        label=_("Layanan bawaan"), queryset=Service.objects.none(), required=False,
        help_text=_("Dipakai bila peringatan tidak menyebut kode layanan (label service)."),
    )  # fmt: skip

    class Meta:
        model = AlertSource
        fields = ["pemda", "name", "kind", "default_service"]

    def __init__(self, *args, pemdas: QuerySet[Pemda], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pemda"].queryset = pemdas
        self.only_pemda = pemdas[0] if len(pemdas) == 1 else None
        if self.only_pemda is not None:  # nothing to choose: not shown
            del self.fields["pemda"]
        self.fields["name"].help_text = _("Mis. Alertmanager Pusat Data, Zabbix Diskominfo.")
        self.fields["kind"].choices = AlertSourceKind.choices
        self.fields["default_service"].queryset = (
            Service.objects.filter(pd__pemda__in=pemdas).select_related("pd").order_by("code", "name")
        )
        self.fields["default_service"].empty_label = _("— tidak ada —")

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())

    def clean(self) -> dict:
        data = super().clean()
        if self.only_pemda is not None:
            data["pemda"] = self.only_pemda
        pemda, service = data.get("pemda"), data.get("default_service")
        if pemda and service and service.pd.pemda_id != pemda.pk:
            self.add_error("default_service", _("Pilih layanan dari Pemda sumber ini."))
        return data


class AlertSourceFilterForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label=_("Cari"), required=False)
    kind = forms.ChoiceField(
        label=_("Jenis"), required=False, choices=[("", _("Semua jenis")), *AlertSourceKind.choices]
    )


PERCENT = [MinValueValidator(1), MaxValueValidator(100)]


class UtilisationTargetForm(StyledFormMixin, forms.ModelForm):
    url = forms.CharField(
        label=_("Alamat node_exporter"), max_length=200, validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("Mis. http://10.1.2.3:9100/metrics"),
    )  # fmt: skip
    cpu_threshold = forms.IntegerField(label=_("Batas CPU (%)"), initial=85, validators=PERCENT)
    memory_threshold = forms.IntegerField(label=_("Batas RAM (%)"), initial=90, validators=PERCENT)
    disk_threshold = forms.IntegerField(label=_("Batas penyimpanan (%)"), initial=85, validators=PERCENT)

    class Meta:
        model = UtilisationTarget
        fields = ["component", "url", "cpu_threshold", "memory_threshold", "disk_threshold", "enabled"]

    def __init__(self, *args, components: QuerySet[Component], **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # a target stays with its component
            self.fields["component"].queryset = Component.objects.filter(pk=self.instance.component_id)
            self.fields["component"].disabled = True
        else:
            self.fields["component"].queryset = components.filter(utilisation__isnull=True).order_by("name")
            self.fields["component"].empty_label = _("— pilih komponen —")

    def clean_url(self) -> str:
        url = self.cleaned_data["url"].strip()
        if self.instance.pk and url != self.instance.url:
            self.instance.last_counters = {}  # another machine: its counters are not comparable
        return url
