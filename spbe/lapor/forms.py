"""Forms of the SP4N-LAPOR! pages (Pedoman C)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from spbe.catalog.models import Service
from spbe.desk.choices import TicketKind, TicketStatus
from spbe.front.forms import StyledFormMixin
from spbe.lapor import fileformat, rules
from spbe.org.models import PerangkatDaerah, User


class ServiceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, service) -> str:
        return f"{service.pd.abbreviation or service.pd.name} — {service.name}"


class ImportForm(StyledFormMixin, forms.Form):
    """Step 1 of an import: the file and the service its reports go to."""

    file = forms.FileField(
        label=_("Berkas ekspor LAPOR! (.csv atau .xlsx)"),
        help_text=_("Maksimal 5 MB dan %(rows)d laporan.") % {"rows": fileformat.MAX_ROWS},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
        error_messages={"required": _("Pilih berkas yang akan diimpor."), "empty": _("Berkas kosong.")},
    )
    service = ServiceChoiceField(
        label=_("Layanan bawaan"), queryset=Service.objects.none(),
        help_text=_("Laporan tanpa kolom Layanan dicatat pada layanan ini (dan PD-nya)."),
        error_messages={"required": _("Pilih layanan bawaan."),
                        "invalid_choice": _("Pilih layanan aktif yang boleh Anda impor.")},
    )  # fmt: skip

    def __init__(self, *args, actor: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = rules.importable_services(actor)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        fileformat.file_format_of(upload)
        return upload


DEADLINE_FILTERS = [
    ("", _("Semua tenggat")),
    ("verification_breached", _("Verifikasi terlambat")),
    ("verification_running", _("Verifikasi berjalan")),
    ("follow_up_breached", _("Tindak lanjut terlambat")),
    ("follow_up_running", _("Tindak lanjut berjalan")),
    ("all_met", _("Keduanya terpenuhi")),
]


class FilterForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label=_("Cari nomor tracking atau tiket"), required=False, max_length=100)
    pd = forms.ModelChoiceField(label=_("PD"), queryset=PerangkatDaerah.objects.none(), required=False,
                                empty_label=_("Semua PD"))  # fmt: skip
    kind = forms.ChoiceField(label=_("Jenis"), required=False, choices=[("", _("Semua jenis")), *TicketKind.choices])
    status = forms.ChoiceField(
        label=_("Status"), required=False,
        choices=[("", _("Semua status")), ("open", _("Semua terbuka")), *TicketStatus.choices],
    )  # fmt: skip
    deadline = forms.ChoiceField(label=_("Tenggat LAPOR!"), required=False, choices=DEADLINE_FILTERS)
    date_from = forms.DateField(label=_("Dilaporkan sejak"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))  # fmt: skip
    date_to = forms.DateField(label=_("Sampai"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, pds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pd"].queryset = pds
