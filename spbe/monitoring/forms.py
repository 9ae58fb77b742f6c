"""Forms of monitoring: a check with its target validated for its kind,
a maintenance window, and the list filters."""

from __future__ import annotations

from urllib.parse import urlsplit

from django import forms
from django.utils.translation import gettext_lazy as _

from spbe.catalog.models import Service
from spbe.cmdb.models import Application, Component
from spbe.front.forms import StyledFormMixin
from spbe.monitoring.choices import CheckKind, CheckStatus
from spbe.monitoring.models import Check, MaintenanceWindow
from spbe.monitoring.probes import accepted_statuses, split_dns_target, split_host_port
from spbe.org import access
from spbe.org.choices import Role

# Who may set up monitoring for a PD (besides the Koordinator SPBE of its Pemda).
MONITOR_ROLES = frozenset({Role.ADMIN_INFRA, Role.PJ_INFRA, Role.ADMIN_LAYANAN, Role.PJ_PENYEDIA})


class CheckForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Check
        fields = [
            "name", "kind", "service", "application", "component", "target", "expected_status", "keyword",
            "latency_threshold_ms", "follow_redirects", "dns_record", "dns_expected", "tls_warn_days",
            "interval_seconds", "timeout_seconds", "retries", "enabled",
        ]  # fmt: skip

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        pds = access.workable_pds(actor, MONITOR_ROLES)
        self.fields["service"].queryset = Service.objects.filter(pd__in=pds).select_related("pd")
        self.fields["application"].queryset = Application.objects.filter(pd__in=pds).select_related("pd")
        self.fields["component"].queryset = Component.objects.filter(pd__in=pds)
        for name in ("service", "application", "component"):
            self.fields[name].required = False
        self.fields["service"].help_text = _("Pilih tepat satu: layanan, aplikasi, atau komponen yang diperiksa.")

    def clean_expected_status(self):
        value = self.cleaned_data["expected_status"].strip()
        try:
            accepted_statuses(value)
        except ValueError:
            raise forms.ValidationError(_("Tulis kode status seperti 200-399 atau 200,204.")) from None
        return value

    def clean(self):
        data = super().clean()
        subjects = [data.get(name) for name in ("service", "application", "component") if data.get(name)]
        if len(subjects) != 1:
            self.add_error("service", _("Pilih tepat satu: layanan, aplikasi, atau komponen."))
        else:
            self.instance.pd = subjects[0].pd
            self.instance.pemda_id = subjects[0].pd.pemda_id
        kind, target = data.get("kind"), (data.get("target") or "").strip()
        message = target_error(kind, target)
        if message:
            self.add_error("target", message)
        data["target"] = target
        interval, timeout = data.get("interval_seconds"), data.get("timeout_seconds")
        if interval and timeout and timeout >= interval:
            self.add_error("timeout_seconds", _("Batas waktu harus lebih pendek dari selang pemeriksaan."))
        return data


def target_error(kind: str | None, target: str) -> str | None:
    """What is wrong with the target for this kind of check, if anything."""
    if kind == CheckKind.HTTP:
        parts = urlsplit(target)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return _("Tulis alamat lengkap, mis. https://layanan.example.go.id/")
    elif kind in (CheckKind.TCP, CheckKind.TLS):
        try:
            split_host_port(target)
        except ValueError:
            return _("Tulis host:port, mis. db.example.go.id:5432")
    elif kind == CheckKind.DNS:
        try:
            split_dns_target(target)
        except ValueError:
            return _("Tulis nama domain, bisa dengan server DNS: nama@10.0.0.53 atau nama@10.0.0.53:53")
    elif kind == CheckKind.HEARTBEAT and target:
        return _("Pemeriksaan detak tidak memakai sasaran: kosongkan.")
    return None


class CheckFilterForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label=_("Cari"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Semua")), *CheckStatus.choices])
    kind = forms.ChoiceField(label=_("Jenis"), required=False, choices=[("", _("Semua jenis")), *CheckKind.choices])


class MaintenanceForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = MaintenanceWindow
        fields = ["title", "description", "services", "starts_at", "ends_at"]
        widgets = {
            "starts_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "ends_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "services": forms.SelectMultiple(attrs={"size": 8}),
        }

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        pds = access.workable_pds(actor, MONITOR_ROLES)
        self.fields["services"].queryset = Service.objects.filter(pd__in=pds).select_related("pd")

    def clean(self):
        data = super().clean()
        services = data.get("services")
        if services:
            pemdas = {service.pd.pemda_id for service in services}
            if len(pemdas) > 1:
                self.add_error("services", _("Satu jadwal pemeliharaan untuk layanan satu Pemda saja."))
            else:
                self.instance.pemda_id = pemdas.pop()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("Waktu selesai harus setelah waktu mulai."))
        return data
