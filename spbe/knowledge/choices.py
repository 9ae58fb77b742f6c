"""States and kinds of the knowledge base (issue 15, O-2, O-3), with
Indonesian labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ArticleStatus(models.TextChoices):
    """draft → in review → published → archived; a returned article goes back to draft."""

    DRAFT = "draft", _("Draf")
    REVIEW = "review", _("Menunggu reviu")
    PUBLISHED = "published", _("Terbit")
    ARCHIVED = "archived", _("Diarsipkan")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Publik (warga)")
    INTERNAL = "internal", _("Internal (petugas Pemda)")


class FeedbackSource(models.TextChoices):
    ARTICLE = "article", _("Halaman artikel")
    PORTAL = "portal", _("Formulir lapor di portal")
    API = "api", _("API")
