"""Kinds and states of the chat channels (issue 15, O-1/O-2 item 3: a
report may arrive by chat), with Indonesian labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ChatProvider(models.TextChoices):
    TELEGRAM = "telegram", _("Telegram")
    WHATSAPP = "whatsapp", _("WhatsApp Business (Cloud API)")


class ChatDirection(models.TextChoices):
    IN = "in", _("Masuk")
    OUT = "out", _("Keluar")


class ChatMessageKind(models.TextChoices):
    TEXT = "text", _("Teks")
    COMMAND = "command", _("Perintah")
    MEDIA = "media", _("Media (tidak didukung)")


class ChatMessageStatus(models.TextChoices):
    RECEIVED = "received", _("Diterima")
    PENDING = "pending", _("Menunggu dikirim")
    SENDING = "sending", _("Sedang dikirim")
    SENT = "sent", _("Terkirim")
    FAILED = "failed", _("Gagal")


OUTBOUND_DUE = ("pending", "sending")  # plain strings: used in an index condition
