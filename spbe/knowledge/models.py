"""The knowledge base (issue 15): categories, articles per service or for
the whole Pemda, and the feedback of their readers, including the reports
an article made unnecessary (deflections, counted in the evaluation, E-2)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from spbe.knowledge.choices import ArticleStatus, FeedbackSource, Visibility


class Category(models.Model):
    """A heading of a Pemda's knowledge base (e.g. "Akun dan kata sandi")."""

    pemda = models.ForeignKey("org.Pemda", on_delete=models.CASCADE, related_name="+", verbose_name=_("Pemda"))
    name = models.CharField(_("nama kategori"), max_length=80)
    created = models.DateTimeField(_("dibuat"), auto_now_add=True)

    class Meta:
        verbose_name = _("kategori artikel")
        verbose_name_plural = _("kategori artikel")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["pemda", "name"],
                name="knowledge_category_name",
                violation_error_message=_("Kategori dengan nama ini sudah ada."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class Article(models.Model):
    """One help article or known error (O-3). ``pd`` empty: a general article
    of the Pemda (written by the Koordinator SPBE); ``service`` empty: about
    no single service. The body is plain text shown with its paragraphs,
    never as HTML. Counters are kept by ``actions``."""

    pemda = models.ForeignKey("org.Pemda", on_delete=models.PROTECT, related_name="+", verbose_name=_("Pemda"))
    pd = models.ForeignKey("org.PerangkatDaerah", on_delete=models.PROTECT, null=True, blank=True,
                           related_name="articles", verbose_name=_("PD"),
                           help_text=_("Kosongkan untuk artikel umum Pemda."))  # fmt: skip
    service = models.ForeignKey("catalog.Service", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="articles", verbose_name=_("layanan"))  # fmt: skip
    category = models.ForeignKey(Category, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="articles", verbose_name=_("kategori"))  # fmt: skip
    title = models.CharField(_("judul"), max_length=200)
    summary = models.CharField(
        _("ringkasan"), max_length=300, blank=True,
        help_text=_("Satu atau dua kalimat yang tampil di daftar dan saran portal."),
    )  # fmt: skip
    body = models.TextField(_("isi"), help_text=_("Teks biasa; pisahkan paragraf dengan baris kosong."))
    keywords = models.CharField(
        _("kata kunci"), max_length=300, blank=True,
        help_text=_("Kata yang dipakai warga, dipisah koma, mis. lupa password, reset."),
    )  # fmt: skip
    visibility = models.CharField(_("keterlihatan"), max_length=10, choices=Visibility.choices,
                                  default=Visibility.PUBLIC)  # fmt: skip
    status = models.CharField(_("status"), max_length=10, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT)
    source_problem = models.ForeignKey("desk.Problem", on_delete=models.SET_NULL, null=True, blank=True,
                                       related_name="articles", verbose_name=_("dari masalah (O-3)"))  # fmt: skip
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+", verbose_name=_("penulis"))  # fmt: skip
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("diajukan oleh"))  # fmt: skip
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+", verbose_name=_("pereviu"))  # fmt: skip
    return_reason = models.TextField(_("alasan dikembalikan"), blank=True)
    published_at = models.DateTimeField(_("terbit"), null=True, blank=True)
    helpful_count = models.PositiveIntegerField(_("membantu"), default=0)
    unhelpful_count = models.PositiveIntegerField(_("tidak membantu"), default=0)
    view_count = models.PositiveIntegerField(_("dibaca"), default=0)
    deflection_count = models.PositiveIntegerField(_("laporan tercegah"), default=0)
    created = models.DateTimeField(_("dibuat"), auto_now_add=True)
    last_updated = models.DateTimeField(_("terakhir diubah"), auto_now=True)

    class Meta:
        verbose_name = _("artikel")
        verbose_name_plural = _("artikel")
        ordering = ["title"]
        indexes = [
            # the portal's suggestions and the public list: published articles of one Pemda
            models.Index(fields=["pemda", "status", "visibility"], name="knowledge_article_public_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("knowledge:detail", args=[self.pk])

    @property
    def is_public(self) -> bool:
        return self.status == ArticleStatus.PUBLISHED and self.visibility == Visibility.PUBLIC

    @property
    def helpful_percent(self) -> int | None:
        votes = self.helpful_count + self.unhelpful_count
        return round(100 * self.helpful_count / votes) if votes else None


class Feedback(models.Model):
    """ "Was this helpful?" from one visitor, once per article and day (a
    second answer the same day replaces the first). ``deflected``: on the
    portal's report form the visitor said the article solved the problem and
    sent no report. ``pd`` is the PD of the service reported on (or of the
    article), so the evaluation counts it per PD."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="feedback")
    pemda = models.ForeignKey("org.Pemda", on_delete=models.CASCADE, related_name="+")
    pd = models.ForeignKey("org.PerangkatDaerah", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    service = models.ForeignKey("catalog.Service", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+", verbose_name=_("layanan"))  # fmt: skip
    helpful = models.BooleanField(_("membantu"))
    deflected = models.BooleanField(_("masalah selesai tanpa laporan"), default=False)
    comment = models.TextField(_("komentar"), blank=True)
    source = models.CharField(_("asal"), max_length=10, choices=FeedbackSource.choices)
    client_key = models.CharField(max_length=64)  # a hash of the visitor's address and browser: no address kept
    day = models.DateField()
    created = models.DateTimeField(_("waktu"), auto_now_add=True)

    class Meta:
        verbose_name = _("umpan balik artikel")
        verbose_name_plural = _("umpan balik artikel")
        ordering = ["-created"]
        constraints = [
            models.UniqueConstraint(fields=["article", "client_key", "day"], name="knowledge_feedback_once_a_day")
        ]
        indexes = [
            # the evaluation's count of deflections per PD and period
            models.Index(fields=["pd", "created"], name="knowledge_feedback_pd_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.article_id} {'+' if self.helpful else '-'}{' deflected' if self.deflected else ''}"
