"""Forms of the knowledge base (issue 15): an article, the staff list's
filters, the reason to return an article, a category, and the readers'
feedback. Errors in Indonesian next to their field."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from spbe.catalog.models import Service
from spbe.front.forms import StyledFormMixin
from spbe.knowledge import rules
from spbe.knowledge.choices import ArticleStatus, Visibility
from spbe.knowledge.models import Article, Category
from spbe.org import access
from spbe.org.models import Pemda, PerangkatDaerah


class ArticleForm(StyledFormMixin, forms.ModelForm):
    """PD (empty: a general article of the Koordinator's Pemda), service,
    category and the text. Choices are limited to what the person writes for."""

    pemda = forms.ModelChoiceField(label=_("Pemda (artikel umum)"), queryset=Pemda.objects.none(), required=False)

    class Meta:
        model = Article
        fields = ["pd", "service", "category", "title", "summary", "body", "keywords", "visibility"]
        widgets = {"body": forms.Textarea(attrs={"rows": 12}), "summary": forms.Textarea(attrs={"rows": 2})}

    field_order = ["pd", "pemda", "service", "category", "title", "summary", "body", "keywords", "visibility"]

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        pds = rules.authorable_pds(actor)
        pemda_ids = set(pds.values_list("pemda_id", flat=True)) | set(rules.general_pemdas(actor))
        if self.instance.pk:
            pemda_ids = {self.instance.pemda_id}
            pds = pds.filter(pemda_id=self.instance.pemda_id)
        self.fields["pd"].queryset = pds
        self.fields["pd"].required = False
        self.fields["pd"].empty_label = _("— Artikel umum Pemda —")
        general = Pemda.objects.filter(pk__in=rules.general_pemdas(actor)).filter(pk__in=pemda_ids)
        if general.exists():
            self.fields["pemda"].queryset = general
            self.fields["pemda"].help_text = _("Hanya untuk artikel umum (tanpa PD).")
            if self.instance.pk:
                self.initial["pemda"] = self.instance.pemda_id
        else:
            del self.fields["pemda"]
        self.fields["service"].queryset = Service.objects.filter(pd__in=pds).select_related("pd").order_by("name")
        self.fields["category"].queryset = Category.objects.filter(pemda_id__in=pemda_ids)

    def clean(self) -> dict:
        data = super().clean()
        pd, pemda = data.get("pd"), data.get("pemda")
        if pd is None and pemda is None and not self.instance.pemda_id:
            self.add_error("pd", _("Pilih PD, atau Pemda untuk artikel umum."))
        if pd is not None:
            self.instance.pemda_id = pd.pemda_id
        elif pemda is not None:
            self.instance.pemda_id = pemda.pk
        service = data.get("service")
        if service is not None and (pd is None or service.pd_id != pd.pk):
            self.add_error("service", _("Layanan ini bukan milik PD yang dipilih."))
        category = data.get("category")
        if category is not None and self.instance.pemda_id and category.pemda_id != self.instance.pemda_id:
            self.add_error("category", _("Kategori ini bukan milik Pemda artikel."))
        return data


class ArticleFilterForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label=_("Cari"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Semua")), *ArticleStatus.choices])
    visibility = forms.ChoiceField(
        label=_("Keterlihatan"), required=False, choices=[("", _("Semua")), *Visibility.choices]
    )
    pd = forms.ModelChoiceField(label=_("PD"), queryset=PerangkatDaerah.objects.none(), required=False)
    service = forms.ModelChoiceField(label=_("Layanan"), queryset=Service.objects.none(), required=False)
    category = forms.ModelChoiceField(label=_("Kategori"), queryset=Category.objects.none(), required=False)
    general = forms.BooleanField(label=_("Hanya artikel umum"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        pemdas = access.visible_pemdas(user)
        self.fields["pd"].queryset = access.visible_pds(user).order_by("name")
        self.fields["pd"].empty_label = _("Semua PD")
        self.fields["service"].queryset = access.filter_by_pd(user, Service.objects.all()).order_by("name")
        self.fields["service"].empty_label = _("Semua layanan")
        self.fields["category"].queryset = Category.objects.filter(pemda__in=pemdas)
        self.fields["category"].empty_label = _("Semua kategori")


class ReturnForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Alasan dikembalikan ke draf"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class CategoryForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Category
        fields = ["pemda", "name"]

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        pemda_ids = set(rules.authorable_pds(actor).values_list("pemda_id", flat=True))
        self.fields["pemda"].queryset = Pemda.objects.filter(pk__in=pemda_ids)


class FeedbackForm(forms.Form):
    """A reader's answer: ``helpful`` ya/tidak; ``solved`` (the portal's
    "Ya, masalah saya selesai") means a deflection."""

    helpful = forms.ChoiceField(choices=[("ya", _("Ya")), ("tidak", _("Tidak"))])
    solved = forms.BooleanField(required=False)
    comment = forms.CharField(label=_("Komentar (opsional)"), required=False, max_length=2000)
    service = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
