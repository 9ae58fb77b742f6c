"""Versioned policy packs and per-Pemda calendar changes (P-1…P-3, E-3, C)."""

from __future__ import annotations

from functools import cached_property

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from spbe.policy.pack import Pack, validate

_PARSED: dict[str, Pack] = {}  # content hash -> parsed pack


class PolicyVersion(models.Model):
    """One immutable version of a pack. Loading a file or amending a value
    adds a version; a Pemda points at one; every clock records the version
    that computed its target, so history is never rewritten."""

    slug = models.SlugField(_("paket"), max_length=90)
    number = models.PositiveIntegerField(_("versi"))
    data = models.JSONField(_("isi paket"))
    legal_reference = models.CharField(_("dasar hukum paket"), max_length=200)
    reason = models.TextField(_("alasan perubahan"), blank=True)
    legal_basis = models.CharField(
        _("dasar hukum perubahan"), max_length=250, blank=True, help_text=_("Mis. Perbup No. 3 Tahun 2026.")
    )
    source_file = models.CharField(_("berkas sumber"), max_length=200, blank=True)
    content_hash = models.CharField(_("sidik isi"), max_length=64)
    previous = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("versi sebelumnya")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dibuat oleh"),
    )
    created = models.DateTimeField(_("dibuat"), auto_now_add=True)

    class Meta:
        verbose_name = _("versi paket kebijakan")
        verbose_name_plural = _("versi paket kebijakan")
        ordering = ["slug", "-number"]
        constraints = [models.UniqueConstraint(fields=["slug", "number"], name="policy_version_unique_number")]

    def __str__(self) -> str:
        return f"{self.legal_reference} (versi {self.number})"

    @cached_property
    def pack(self) -> Pack:
        """The parsed pack. Versions are immutable and named by their content's
        hash, so the parse is kept per hash: every request loads its own
        instance, and validating the pack again each time was a measurable
        part of recording a complaint (issue 5, Speed)."""
        if not self.content_hash:
            return validate(self.data, f"{self.slug} v{self.number}")
        parsed = _PARSED.get(self.content_hash)
        if parsed is None:
            parsed = _PARSED[self.content_hash] = validate(self.data, f"{self.slug} v{self.number}")
        return parsed


class HolidayAction(models.TextChoices):
    ADD = "add", _("Tambah hari libur")
    REMOVE = "remove", _("Hapus hari libur")


class HolidayChange(models.Model):
    """A Pemda's own change to the national holiday list (regional holiday,
    mid-year SKB revision), recorded with who and why (Pedoman C)."""

    pemda = models.ForeignKey("org.Pemda", on_delete=models.CASCADE, related_name="holiday_changes")
    date = models.DateField(_("tanggal"))
    action = models.CharField(_("perubahan"), max_length=10, choices=HolidayAction.choices)
    name = models.CharField(_("nama hari"), max_length=120, blank=True, help_text=_("Mis. HUT Kota Yogyakarta."))
    reason = models.CharField(_("alasan"), max_length=250, help_text=_("Mis. SKB 3 Menteri revisi Juni 2026."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("oleh")
    )
    created = models.DateTimeField(_("dicatat"), auto_now_add=True)

    class Meta:
        verbose_name = _("perubahan hari libur")
        verbose_name_plural = _("perubahan hari libur")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(
                fields=["pemda", "date"],
                name="policy_holiday_one_change_per_day",
                violation_error_message=_("Tanggal ini sudah memiliki perubahan; hapus dulu yang lama."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.date:%d-%m-%Y} {self.get_action_display()} {self.name}".strip()


class SpecialPeriod(models.Model):
    """Dates that follow the pack's Ramadan hours. Set per Pemda and year:
    the start of Ramadan follows moon sighting (Pedoman C)."""

    pemda = models.ForeignKey("org.Pemda", on_delete=models.CASCADE, related_name="special_periods")
    name = models.CharField(_("nama"), max_length=80, default="Ramadan")
    date_from = models.DateField(_("mulai"))
    date_to = models.DateField(_("sampai"))
    note = models.CharField(_("keterangan"), max_length=250, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("oleh")
    )
    created = models.DateTimeField(_("dicatat"), auto_now_add=True)

    class Meta:
        verbose_name = _("periode jam kerja khusus")
        verbose_name_plural = _("periode jam kerja khusus")
        ordering = ["date_from"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(date_to__gte=models.F("date_from")),
                name="policy_period_ends_after_start",
                violation_error_message=_("Tanggal selesai tidak boleh sebelum tanggal mulai."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.date_from:%d-%m-%Y} – {self.date_to:%d-%m-%Y}"
