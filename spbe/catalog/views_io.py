"""Catalog files (P-4): the Excel template and the Excel import page. The
export itself is the catalog list's ``?export=xlsx`` / ``?export=pdf``."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from spbe.catalog import io
from spbe.front.forms import StyledFormMixin
from spbe.org import access
from spbe.org.models import Pemda, User
from spbe.org.views import staff_required


class ImportForm(StyledFormMixin, forms.Form):
    file = forms.FileField(
        label=_("Berkas Excel (.xlsx)"),
        help_text=_("Gunakan templat atau hasil ekspor katalog; maksimal 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": f".xlsx,{io.XLSX_TYPE}"}),
    )
    pemda = forms.ModelChoiceField(
        label=_("Pemda"), queryset=Pemda.objects.none(), help_text=_("Singkatan PD dalam berkas dicari di Pemda ini.")
    )

    def __init__(self, *args, actor: User, **kwargs):
        super().__init__(*args, **kwargs)
        pemdas = Pemda.objects.filter(pk__in=access.workable_pds(actor).values("pemda")).order_by("name")
        if len(pemdas) > 1:  # only an Administrator Sistem or a person with roles in two Pemda
            self.fields["pemda"].queryset = pemdas
        else:
            del self.fields["pemda"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        io.check_xlsx(upload)
        return upload


@staff_required
def template_download(request: HttpRequest) -> HttpResponse:
    """The empty catalog sheet with an example row, the "Petunjuk" sheet and
    dropdowns for every choice column."""
    return io.template_xlsx(request.user)


@staff_required
def catalog_import(request: HttpRequest) -> HttpResponse:
    """P-4: create or update services from an Excel sheet, all rows or none."""
    if not access.workable_pds(request.user).exists():
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None, actor=request.user)
    result, status = None, 200
    if request.method == "POST":
        if form.is_valid():
            result = io.import_catalog(form.cleaned_data["file"], request.user, form.cleaned_data.get("pemda"))
            status = 400 if result.errors else 200
        else:
            status = 400
    context = {"form": form, "result": result, "columns": io.column_guide(), "max_rows": io.MAX_IMPORT_ROWS}
    return render(request, "catalog/import.html", context, status=status)
