"""Forms of the configuration database (O-7, O-2 item 10). Choices are
limited by ``access``: a PD field offers only the PDs the user works in, and
a related component or service must be visible to the user and belong to the
same Pemda, so a crafted POST cannot reach another PD or Pemda."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from spbe.catalog.models import Service
from spbe.cmdb.choices import ComponentKind, Hosting, SdlcPhase
from spbe.cmdb.models import Application, Component, ComponentDependency, validate_dependency
from spbe.front.forms import StyledFormMixin
from spbe.org import access
from spbe.org.models import PerangkatDaerah, User

# --- Filters -------------------------------------------------------------------------


class ApplicationFilterForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label=_("Cari"), required=False)
    pd = forms.ModelChoiceField(label=_("Perangkat Daerah"), queryset=PerangkatDaerah.objects.none(), required=False)
    hosting = forms.ChoiceField(
        label=_("Hosting"), required=False, choices=[("", _("Semua hosting")), *Hosting.choices]
    )
    sdlc_phase = forms.ChoiceField(
        label=_("Fase SDLC"), required=False, choices=[("", _("Semua fase")), *SdlcPhase.choices]
    )

    def __init__(self, *args, actor: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pd"].queryset = access.visible_pds(actor)
        self.fields["pd"].empty_label = _("Semua PD")


class ComponentFilterForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label=_("Cari"), required=False)
    kind = forms.ChoiceField(label=_("Jenis"), required=False, choices=[("", _("Semua jenis")), *ComponentKind.choices])
    pd = forms.ModelChoiceField(label=_("Perangkat Daerah"), queryset=PerangkatDaerah.objects.none(), required=False)

    def __init__(self, *args, actor: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pd"].queryset = access.visible_pds(actor)
        self.fields["pd"].empty_label = _("Semua PD")


# --- Applications and components ---------------------------------------------------------


class _OwnedByPDForm(StyledFormMixin, forms.ModelForm):
    """The PD field offers the PDs the user works in; once saved, a record
    stays in its Pemda (its links to components would otherwise cross
    Pemda)."""

    def __init__(self, *args, actor: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        pds = access.workable_pds(actor)
        if self.instance.pk:
            pds = pds.filter(pemda_id=self.instance.pd.pemda_id)
        self.fields["pd"].queryset = pds
        self.fields["pd"].empty_label = _("— pilih Perangkat Daerah —")
        if not self.instance.pk and len(pds) == 1:
            self.fields["pd"].initial = pds[0]

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())


class ApplicationForm(_OwnedByPDForm):
    url = forms.URLField(label=_("Alamat"), required=False, assume_scheme="https")

    class Meta:
        model = Application
        fields = ["pd", "name", "description", "url", "technology", "hosting", "developer", "sdlc_phase", "version"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def clean(self) -> dict:
        data = super().clean()
        pd, name = data.get("pd"), data.get("name")
        if pd and name:
            taken = Application.objects.filter(pd=pd, name__iexact=name).exclude(pk=self.instance.pk)
            if taken.exists():
                self.add_error("name", _("PD ini sudah memiliki aplikasi dengan nama tersebut."))
        return data


class AttributesField(forms.CharField):
    """Free key/value attributes typed one per line as ``key: value``
    (``IP: 10.0.1.5``); stored as a JSON object."""

    widget = forms.Textarea(attrs={"rows": 5, "spellcheck": "false"})

    def prepare_value(self, value):
        if isinstance(value, dict):
            return "\n".join(f"{key}: {val}" for key, val in value.items())
        return value

    def to_python(self, value) -> dict[str, str]:
        text = super().to_python(value) or ""
        attributes: dict[str, str] = {}
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            key, sep, val = line.partition(":")
            key, val = key.strip(), val.strip()
            if not sep or not key:
                raise ValidationError(
                    _("Baris %(n)d: tulis dalam bentuk “nama: nilai”, mis. “IP: 10.0.1.5”."),
                    params={"n": number},
                    code="format",
                )
            if key.casefold() in {k.casefold() for k in attributes}:
                raise ValidationError(
                    _("Baris %(n)d: atribut “%(key)s” sudah ditulis di baris sebelumnya."),
                    params={"n": number, "key": key},
                    code="duplicate",
                )
            attributes[key[:100]] = val[:500]
        return attributes


class ComponentForm(_OwnedByPDForm):
    attributes = AttributesField(
        label=_("Atribut"),
        required=False,
        help_text=_("Satu atribut per baris: nama, titik dua, nilai. Mis. “IP: 10.0.1.5”, “OS: Debian 12”."),
    )

    class Meta:
        model = Component
        fields = ["pd", "name", "kind", "location", "attributes"]

    def clean(self) -> dict:
        data = super().clean()
        pd, name = data.get("pd"), data.get("name")
        if pd:
            # The component belongs to its managing PD's Pemda; set before the
            # model's own checks so the unique constraint sees it.
            self.instance.pemda_id = pd.pemda_id
        if pd and name:
            taken = Component.objects.filter(pemda_id=pd.pemda_id, name__iexact=name).exclude(pk=self.instance.pk)
            if taken.exists():
                self.add_error("name", _("Nama komponen ini sudah dipakai di Pemda ini."))
        return data


# --- Links on the detail pages ------------------------------------------------------------


class _PickForm(StyledFormMixin, forms.Form):
    """One choice among records of the same Pemda that the user may see."""

    field_name = ""
    invalid_message = ""

    def _limit(self, queryset, shown) -> None:
        field = self.fields[self.field_name]
        field.queryset = queryset
        field.error_messages["invalid_choice"] = self.invalid_message
        field.empty_label = _("— pilih —")
        # Offer only sensible choices; validation still accepts the wider
        # queryset so that a refused choice gets a clear reason.
        field.widget.choices = [("", field.empty_label), *((obj.pk, str(obj)) for obj in shown)]


class RunsOnForm(_PickForm):
    field_name = "component"
    invalid_message = _("Pilih komponen infrastruktur milik Pemda yang sama dengan aplikasi ini.")
    component = forms.ModelChoiceField(label=_("Komponen"), queryset=Component.objects.none())

    def __init__(self, *args, actor: User, application: Application, **kwargs):
        super().__init__(*args, **kwargs)
        self.application = application
        candidates = access.filter_by_pd(actor, Component.objects.filter(pemda_id=application.pd.pemda_id), "pd")
        linked = application.components.values("pk")
        self._limit(candidates, candidates.exclude(pk__in=linked).order_by("name"))

    def clean_component(self) -> Component:
        component = self.cleaned_data["component"]
        if self.application.components.filter(pk=component.pk).exists():
            raise ValidationError(_("Aplikasi ini sudah tercatat berjalan di %(name)s."), params={"name": component})
        return component


class ServiceLinkForm(_PickForm):
    field_name = "service"
    invalid_message = _("Pilih layanan milik Pemda yang sama dengan aplikasi ini.")
    service = forms.ModelChoiceField(label=_("Layanan"), queryset=Service.objects.none())

    def __init__(self, *args, actor: User, application: Application, linked_ids: set[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.linked_ids = linked_ids
        candidates = access.filter_by_pd(
            actor, Service.objects.filter(pd__pemda_id=application.pd.pemda_id).select_related("pd"), "pd"
        )
        self._limit(candidates, candidates.exclude(pk__in=linked_ids).order_by("name"))

    def clean_service(self) -> Service:
        service = self.cleaned_data["service"]
        if service.pk in self.linked_ids:
            raise ValidationError(_("Layanan %(name)s sudah tercatat memakai aplikasi ini."), params={"name": service})
        return service


class DependencyForm(_PickForm):
    """``component`` depends on the chosen one: self-dependency and loops
    are refused here, with the reason next to the field."""

    field_name = "depends_on"
    invalid_message = _("Pilih komponen infrastruktur milik Pemda yang sama.")
    depends_on = forms.ModelChoiceField(label=_("Bergantung pada"), queryset=Component.objects.none())

    def __init__(self, *args, actor: User, component: Component, **kwargs):
        super().__init__(*args, **kwargs)
        self.component = component
        candidates = access.filter_by_pd(actor, Component.objects.filter(pemda_id=component.pemda_id), "pd")
        existing = ComponentDependency.objects.filter(component=component).values("depends_on")
        self._limit(candidates, candidates.exclude(pk=component.pk).exclude(pk__in=existing).order_by("name"))

    def clean_depends_on(self) -> Component:
        target = self.cleaned_data["depends_on"]
        if target.pk == self.component.pk:
            raise ValidationError(_("Komponen tidak dapat bergantung pada dirinya sendiri."), code="self")
        if ComponentDependency.objects.filter(component=self.component, depends_on=target).exists():
            raise ValidationError(
                _("%(a)s sudah tercatat bergantung pada %(b)s."),
                params={"a": self.component.name, "b": target.name},
                code="duplicate",
            )
        validate_dependency(self.component, target)
        return target
