"""SP4N-LAPOR! imports (Pedoman C: LAPOR! has no open API; reports come
as files). One ``LaporImport`` per uploaded file, kept with its rows'
outcomes for the history page; the tickets themselves are desk tickets with
``reporting_method=lapor`` and their ``lapor_tracking_id``."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from spbe.lapor.choices import FileFormat, ImportStatus, RowOutcome


class LaporImport(models.Model):
    """One file exported from LAPOR! and uploaded here: previewed first,
    confirmed (tickets opened) or cancelled."""

    pemda = models.ForeignKey("org.Pemda", on_delete=models.PROTECT, related_name="+", verbose_name=_("Pemda"))
    pd = models.ForeignKey(
        "org.PerangkatDaerah", on_delete=models.PROTECT, related_name="lapor_imports", verbose_name=_("PD")
    )
    default_service = models.ForeignKey(
        "catalog.Service", on_delete=models.PROTECT, related_name="+", verbose_name=_("layanan bawaan")
    )
    file = models.FileField(_("berkas"), upload_to="lapor/%Y/%m/")
    original_name = models.CharField(_("nama berkas"), max_length=200)
    file_format = models.CharField(_("format"), max_length=4, choices=FileFormat.choices)
    status = models.CharField(_("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.PREVIEW)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
        verbose_name=_("diunggah oleh"),
    )  # fmt: skip
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("dikonfirmasi oleh"),
    )  # fmt: skip
    confirmed_at = models.DateTimeField(_("dikonfirmasi"), null=True, blank=True)
    total_rows = models.PositiveIntegerField(_("jumlah baris"), default=0)
    created_count = models.PositiveIntegerField(_("tiket dibuat"), default=0)
    skipped_count = models.PositiveIntegerField(_("dilewati (sudah ada)"), default=0)
    error_count = models.PositiveIntegerField(_("baris galat"), default=0)
    created = models.DateTimeField(_("diunggah"), auto_now_add=True)
    last_updated = models.DateTimeField(_("terakhir diubah"), auto_now=True)

    class Meta:
        verbose_name = _("impor SP4N-LAPOR!")
        verbose_name_plural = _("impor SP4N-LAPOR!")
        ordering = ["-created", "-id"]
        indexes = [
            # the history page: a PD's imports, newest first
            models.Index(fields=["pd", "-created"], name="lapor_import_pd_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.created:%Y-%m-%d %H:%M})" if self.created else self.original_name

    def get_absolute_url(self) -> str:
        return reverse("lapor:import_detail", args=[self.pk])


class LaporImportRow(models.Model):
    """One row of an imported file: what was read (``data``, shown in the
    preview), its outcome and, per cell, the reasons it was refused."""

    lapor_import = models.ForeignKey(LaporImport, on_delete=models.CASCADE, related_name="rows")
    row_number = models.PositiveIntegerField(_("baris"))  # as the spreadsheet shows it; 1 is the header
    tracking_id = models.CharField(_("nomor pelacakan"), max_length=40, blank=True)
    outcome = models.CharField(_("hasil"), max_length=10, choices=RowOutcome.choices)
    errors = models.JSONField(_("galat"), default=list, blank=True)  # [{"column": …, "message": …}, …]
    data = models.JSONField(_("isi"), default=dict, blank=True)
    ticket = models.ForeignKey(
        "desk.Ticket", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("tiket")
    )

    class Meta:
        verbose_name = _("baris impor SP4N-LAPOR!")
        verbose_name_plural = _("baris impor SP4N-LAPOR!")
        ordering = ["lapor_import", "row_number"]

    def __str__(self) -> str:
        return f"{self.lapor_import_id}:{self.row_number} {self.tracking_id}"
