"""Forms of the chat channels: the channel itself and the filters of its
lists. Errors are said in Indonesian next to their field."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from spbe.catalog.choices import Lifecycle
from spbe.catalog.models import Service
from spbe.chat import rules
from spbe.chat.choices import ChatDirection, ChatMessageStatus, ChatProvider
from spbe.chat.models import ChatChannel
from spbe.front.forms import StyledFormMixin
from spbe.org.models import Pemda, PerangkatDaerah


class ChannelForm(StyledFormMixin, forms.ModelForm):
    """A Pemda channel (PD left empty) needs the Koordinator SPBE; a PD's
    channel may also be set up by the PD's Pimpinan or PJ Penyedia Layanan."""

    class Meta:
        model = ChatChannel
        fields = ["pemda", "pd", "provider", "name", "code", "phone_number_id", "default_service", "default_kind",
                  "default_impact", "welcome", "is_active"]  # fmt: skip
        widgets = {"welcome": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        pemdas = rules.manageable_pemdas(actor)
        pds = rules.manageable_pds(actor)
        self.fields["pemda"].queryset = pemdas
        self.fields["pd"].queryset = pds
        self.fields["pd"].empty_label = _("— seluruh Pemda (Diskominfo) —")
        self.fields["default_service"].queryset = Service.objects.filter(
            lifecycle=Lifecycle.ACTIVE, pd__pemda__in=pemdas
        ).select_related("pd")
        if not self.instance.pk and len(pemdas) == 1:
            self.fields["pemda"].initial = pemdas[0].pk
        if self.instance.pk:  # the code is in the webhook URL registered at the provider and in the env names
            for name in ("pemda", "provider", "code"):
                self.fields[name].disabled = True

    def clean(self) -> dict:
        data = super().clean()
        pemda, pd = data.get("pemda"), data.get("pd")
        if pemda is not None and not rules.can_manage(self.actor, pemda, pd):
            self.add_error("pd", _("Kanal seluruh Pemda hanya dapat diatur Koordinator SPBE; pilih PD Anda."))
        return data


class ChannelFilterForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label=_("Cari"), required=False)
    pemda = forms.ModelChoiceField(label=_("Pemda"), queryset=Pemda.objects.none(), required=False)
    pd = forms.ModelChoiceField(label=_("PD"), queryset=PerangkatDaerah.objects.none(), required=False)
    provider = forms.ChoiceField(label=_("Penyedia"), required=False, choices=[("", _("Semua")), *ChatProvider.choices])
    active = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Semua")), ("1", _("Aktif")), ("0", _("Nonaktif"))])  # fmt: skip

    def __init__(self, *args, channels, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pemda"].queryset = Pemda.objects.filter(pk__in=channels.values("pemda"))
        self.fields["pemda"].empty_label = _("Semua Pemda")
        self.fields["pd"].queryset = PerangkatDaerah.objects.filter(pk__in=channels.values("pd"))
        self.fields["pd"].empty_label = _("Semua PD")
        if len(self.fields["pemda"].queryset) < 2:
            del self.fields["pemda"]


class MessageFilterForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label=_("Cari"), required=False)
    direction = forms.ChoiceField(label=_("Arah"), required=False,
                                  choices=[("", _("Semua")), *ChatDirection.choices])  # fmt: skip
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Semua")), *ChatMessageStatus.choices])  # fmt: skip
    percakapan = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1, max_value=2**63 - 1)
