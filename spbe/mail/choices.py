"""Kinds and states of the e-mail channel (O-1, O-2: reporting method
*e-mail*), with Indonesian labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MailSecurity(models.TextChoices):
    SSL = "ssl", _("SSL/TLS (port 993)")
    STARTTLS = "starttls", _("STARTTLS (port 143)")
    NONE = "none", _("Tanpa enkripsi (hanya server lokal)")


class InboundStatus(models.TextChoices):
    OPENED = "opened", _("Tiket dibuka")
    ADDED = "added", _("Ditambahkan ke tiket")
    TRIAGE = "triage", _("Menunggu dipilah")
    IGNORED = "ignored", _("Diabaikan")
    REJECTED = "rejected", _("Ditolak")
    DISMISSED = "dismissed", _("Ditutup saat pemilahan")


class IgnoreReason(models.TextChoices):
    """Why a message did not become (part of) a ticket."""

    AUTO_REPLY = "auto_reply", _("Balasan otomatis")
    BOUNCE = "bounce", _("Pesan gagal kirim (bounce)")
    OWN_ADDRESS = "own_address", _("Dari alamat sistem sendiri")
    LOOP = "loop", _("Terlalu banyak pesan dari pengirim yang sama")
    NO_SENDER = "no_sender", _("Tanpa alamat pengirim")
    TOO_LARGE = "too_large", _("Pesan terlalu besar")
    UNREADABLE = "unreadable", _("Pesan tidak dapat dibaca")
