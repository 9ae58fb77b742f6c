"""Forms of the e-mail channel: a mailbox with its address routes, the
list filters, and triage. Errors in Indonesian next to their field."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from spbe.catalog.models import Service
from spbe.desk.choices import Impact, TicketKind
from spbe.front.forms import StyledFormMixin
from spbe.mail import rules
from spbe.mail.choices import InboundStatus
from spbe.mail.models import Mailbox
from spbe.org.models import Pemda, PerangkatDaerah


class MailboxForm(StyledFormMixin, forms.ModelForm):
    """A Pemda-wide mailbox (Koordinator SPBE) or a PD's (its
    Administrator Layanan or Pimpinan PD). The password is not here: it is
    set on the server as an environment variable."""

    class Meta:
        model = Mailbox
        fields = ["pemda", "pd", "name", "code", "address", "host", "port", "security", "username", "folder",
                  "default_service", "default_kind", "default_impact", "send_as", "is_active"]  # fmt: skip

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        pemdas = rules.creatable_pemdas(actor)
        pds = rules.creatable_pds(actor)
        self.fields["pemda"].queryset = Pemda.objects.filter(
            Q(pk__in=pemdas.values("pk")) | Q(pk__in=pds.values("pemda_id"))
        )
        self.fields["pd"].queryset = pds
        self.fields["pd"].empty_label = _("— seluruh Pemda —")
        self.fields["default_service"].queryset = Service.objects.filter(
            Q(pd__in=pds) | Q(pd__pemda__in=pemdas), lifecycle="active"
        ).select_related("pd")
        self.fields["default_service"].empty_label = _("— dipilah dulu —")
        self.managed_pemdas = set(pemdas.values_list("pk", flat=True))
        if self.instance.pk:
            self.fields["code"].disabled = True  # the password's variable name depends on it
            self.fields["code"].help_text = _("Variabel sandi: %(var)s (kode tidak dapat diubah).") % {
                "var": self.instance.password_variable}  # fmt: skip

    def clean(self):
        data = super().clean()
        pemda, pd = data.get("pemda"), data.get("pd")
        if pemda and pd and pd.pemda_id != pemda.pk:
            self.add_error("pd", _("PD harus termasuk Pemda yang dipilih."))
        elif pemda and pd is None and pemda.pk not in self.managed_pemdas:
            self.add_error("pd", _("Pilih PD Anda: kotak surel seluruh Pemda dikelola Koordinator SPBE."))
        return data


class RouteForm(StyledFormMixin, forms.Form):
    address = forms.EmailField(label=_("Alamat tujuan"), required=False)
    service = forms.ModelChoiceField(label=_("Layanan"), queryset=Service.objects.none(), required=False)

    def __init__(self, *args, services=None, **kwargs):
        super().__init__(*args, **kwargs)
        if services is not None:
            self.fields["service"].queryset = services

    def clean(self):
        data = super().clean()
        if bool(data.get("address")) != bool(data.get("service")):
            raise forms.ValidationError(_("Isi alamat dan layanannya, atau kosongkan keduanya."))
        return data


RouteFormSet = formset_factory(RouteForm, extra=2, max_num=50, absolute_max=60)


class MailboxFilterForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label=_("Cari"), required=False)
    pemda = forms.ModelChoiceField(label=_("Pemda"), queryset=Pemda.objects.none(), required=False)
    pd = forms.ModelChoiceField(label=_("PD"), queryset=PerangkatDaerah.objects.none(), required=False)
    active = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Semua")), ("1", _("Aktif")), ("0", _("Nonaktif"))])  # fmt: skip

    def __init__(self, *args, mailboxes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pemda"].queryset = Pemda.objects.filter(pk__in=mailboxes.values("pemda"))
        self.fields["pemda"].empty_label = _("Semua Pemda")
        self.fields["pd"].queryset = PerangkatDaerah.objects.filter(pk__in=mailboxes.values("pd"))
        self.fields["pd"].empty_label = _("Semua PD")


class InboundFilterForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label=_("Cari"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Semua")), *InboundStatus.choices])


class TriageForm(StyledFormMixin, forms.Form):
    service = forms.ModelChoiceField(label=_("Layanan"), queryset=Service.objects.none())
    kind = forms.ChoiceField(label=_("Jenis"), choices=TicketKind.choices, initial=TicketKind.COMPLAINT)
    impact = forms.ChoiceField(label=_("Dampak (pengaduan)"), choices=[("", "—"), *Impact.choices], required=False)

    def __init__(self, *args, mailbox, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = rules.services_for(mailbox)
        self.fields["kind"].initial = mailbox.default_kind
        self.fields["impact"].initial = mailbox.default_impact

    def clean(self):
        data = super().clean()
        if data.get("kind") == TicketKind.COMPLAINT and not data.get("impact"):
            self.add_error("impact", _("Pilih dampak: Mayor atau Minor."))
        return data


class DismissForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("Alasan"), max_length=500,
                             help_text=_("Mis. promosi, salah alamat, ucapan terima kasih."))  # fmt: skip
