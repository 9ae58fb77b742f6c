"""Chat channels (issue 15): a Telegram bot or a WhatsApp Business number of
a Pemda (or one of its PDs) through which citizens report. A message opens
or continues a ticket with reporting method *chat* (O-1/O-2 item 3); what
the desk tells the reporter goes back through the provider's send API.

The bot token, the webhook secret and the app secret are never stored here:
they come from the environment (``spbe.chat.credentials``), like the SSO
client secret."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from spbe.catalog.choices import Lifecycle
from spbe.chat.choices import OUTBOUND_DUE, ChatDirection, ChatMessageKind, ChatMessageStatus, ChatProvider
from spbe.desk.choices import Impact, TicketKind

CODE_VALIDATOR = RegexValidator(
    r"^[a-z0-9]+(-[a-z0-9]+)*$", _("Hanya huruf kecil, angka dan tanda hubung, mis. yogya-telegram.")
)


class ChatChannel(models.Model):
    """One bot or business number. Its ``code`` names it in the webhook URL
    and in the environment variables of its secrets; chats open tickets on
    its default service (the Administrator Layanan re-routes them by hand)."""

    pemda = models.ForeignKey("org.Pemda", on_delete=models.PROTECT, related_name="+", verbose_name=_("Pemda"))
    pd = models.ForeignKey(
        "org.PerangkatDaerah", on_delete=models.PROTECT, null=True, blank=True, related_name="chat_channels",
        verbose_name=_("PD pengelola"), help_text=_("Kosongkan untuk kanal seluruh Pemda (dikelola Diskominfo)."),
    )  # fmt: skip
    provider = models.CharField(_("penyedia"), max_length=10, choices=ChatProvider.choices)
    name = models.CharField(_("nama kanal"), max_length=100, help_text=_("Mis. Bot Aduan SPBE Kota Yogyakarta."))
    code = models.SlugField(
        _("kode"), max_length=40, unique=True, validators=[CODE_VALIDATOR],
        help_text=_("Dipakai di alamat webhook dan nama variabel lingkungan; tidak dapat diubah setelah dibuat."),
    )  # fmt: skip
    default_service = models.ForeignKey(
        "catalog.Service", on_delete=models.PROTECT, related_name="+", verbose_name=_("layanan bawaan"),
        help_text=_("Chat baru dicatat sebagai tiket layanan ini; Administrator Layanan dapat memindahkannya."),
    )  # fmt: skip
    default_kind = models.CharField(
        _("jenis tiket"), max_length=10, choices=TicketKind.choices, default=TicketKind.COMPLAINT
    )
    default_impact = models.CharField(
        _("dampak bawaan"), max_length=6, choices=Impact.choices, default=Impact.MINOR, blank=True,
        help_text=_("Untuk aduan: dampak awal sampai petugas menilainya."),
    )  # fmt: skip
    phone_number_id = models.CharField(
        _("Phone number ID (WhatsApp)"), max_length=40, blank=True,
        validators=[RegexValidator(r"^[0-9]+$", _("Phone number ID hanya berisi angka."))],
        help_text=_("Dari WhatsApp Manager › API Setup; wajib untuk WhatsApp."),
    )  # fmt: skip
    welcome = models.TextField(
        _("pesan sambutan"), blank=True, help_text=_("Jawaban untuk /start di Telegram; kosong = teks bawaan.")
    )
    is_active = models.BooleanField(_("aktif"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("dibuat oleh"))  # fmt: skip
    created = models.DateTimeField(_("dibuat"), auto_now_add=True)
    last_updated = models.DateTimeField(_("terakhir diubah"), auto_now=True)

    class Meta:
        verbose_name = _("kanal chat")
        verbose_name_plural = _("kanal chat")
        ordering = ["pemda__name", "name"]
        constraints = [
            # one number is one channel: its messages must land in one place
            models.UniqueConstraint(
                fields=["phone_number_id"], condition=~Q(phone_number_id=""), name="chat_channel_phone_once"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("chat:channel_detail", args=[self.pk])

    def clean(self) -> None:
        """A WhatsApp channel needs its number's id; the default service
        must be an active one of the channel's Pemda (and PD, if it has
        one); a complaint needs an impact for its priority (P-2)."""
        errors = {}
        if self.provider == ChatProvider.WHATSAPP and not self.phone_number_id:
            errors["phone_number_id"] = _("Isi Phone number ID nomor WhatsApp ini.")
        if self.pd_id and self.pemda_id and self.pd.pemda_id != self.pemda_id:
            errors["pd"] = _("PD ini bukan milik Pemda kanal.")
        service = self.default_service if self.default_service_id else None
        if service is not None:
            if service.lifecycle != Lifecycle.ACTIVE:
                errors["default_service"] = _("Pilih layanan yang aktif.")
            elif self.pd_id and service.pd_id != self.pd_id:
                errors["default_service"] = _("Pilih layanan milik PD pengelola kanal.")
            elif self.pemda_id and service.pd.pemda_id != self.pemda_id:
                errors["default_service"] = _("Pilih layanan milik Pemda kanal.")
        if self.default_kind == TicketKind.COMPLAINT and not self.default_impact:
            errors["default_impact"] = _("Aduan perlu dampak awal: Mayor atau Minor.")
        if errors:
            raise ValidationError(errors)

    @property
    def webhook_path(self) -> str:
        return reverse(f"chat_webhook:{self.provider}", args=[self.code])

    @property
    def webhook_url(self) -> str:
        return settings.SITE_URL + self.webhook_path


class ChatConversation(models.Model):
    """One person talking to one channel (a Telegram private chat, a
    WhatsApp number), with the ticket their messages currently continue."""

    channel = models.ForeignKey(ChatChannel, on_delete=models.CASCADE, related_name="conversations")
    external_id = models.CharField(_("ID chat"), max_length=64, help_text=_("chat_id Telegram atau wa_id WhatsApp."))
    display_name = models.CharField(_("nama"), max_length=150, blank=True)
    username = models.CharField(_("nama pengguna"), max_length=64, blank=True)
    phone = models.CharField(_("telepon"), max_length=30, blank=True)
    ticket = models.ForeignKey(
        "desk.Ticket", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("tiket berjalan"),
    )  # fmt: skip
    last_message_at = models.DateTimeField(_("pesan terakhir"), null=True, blank=True)
    created = models.DateTimeField(_("dibuat"), auto_now_add=True)

    class Meta:
        verbose_name = _("percakapan chat")
        verbose_name_plural = _("percakapan chat")
        ordering = ["-last_message_at"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "external_id"], name="chat_conversation_once"),
        ]

    def __str__(self) -> str:
        return self.display_name or self.external_id


class ChatMessage(models.Model):
    """A message in or out. Inbound messages are unique by the provider's
    message id per channel (a replayed webhook changes nothing); outbound
    ones by the desk's key (one reply per thing the reporter is told) and
    are delivered like the outbox: claimed, retried with back-off, failed
    after MAX_ATTEMPTS (``spbe.chat.delivery``)."""

    channel = models.ForeignKey(ChatChannel, on_delete=models.CASCADE, related_name="messages")
    conversation = models.ForeignKey(ChatConversation, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(_("arah"), max_length=3, choices=ChatDirection.choices)
    kind = models.CharField(_("jenis"), max_length=8, choices=ChatMessageKind.choices, default=ChatMessageKind.TEXT)
    provider_message_id = models.CharField(_("ID pesan penyedia"), max_length=128, blank=True)
    key = models.CharField(_("kunci"), max_length=120, blank=True, help_text=_("Sama = balasan yang sama."))
    text = models.TextField(_("isi"))
    ticket = models.ForeignKey(
        "desk.Ticket", on_delete=models.SET_NULL, null=True, blank=True, related_name="chat_messages",
        verbose_name=_("tiket"),
    )  # fmt: skip
    status = models.CharField(_("status"), max_length=10, choices=ChatMessageStatus.choices)
    attempts = models.PositiveSmallIntegerField(_("percobaan"), default=0)
    next_attempt_at = models.DateTimeField(_("coba lagi pada"), null=True, blank=True)
    last_error = models.TextField(_("galat terakhir"), blank=True)
    at = models.DateTimeField(_("waktu"), help_text=_("Waktu kirim menurut penyedia, atau waktu dibuat."))
    sent_at = models.DateTimeField(_("terkirim"), null=True, blank=True)
    created = models.DateTimeField(_("dicatat"), auto_now_add=True)

    class Meta:
        verbose_name = _("pesan chat")
        verbose_name_plural = _("pesan chat")
        ordering = ["-at", "-id"]
        constraints = [
            # idempotency of the webhook: the same update twice is one message
            models.UniqueConstraint(
                fields=["channel", "provider_message_id"],
                condition=Q(direction=ChatDirection.IN),
                name="chat_inbound_once",
            ),
            # one reply per thing the reporter is told
            models.UniqueConstraint(fields=["channel", "key"], condition=~Q(key=""), name="chat_outbound_once"),
        ]
        indexes = [
            # deliver_pending(): outbound messages whose time has come, pending or with an expired claim
            models.Index(fields=["next_attempt_at"], name="chat_due_idx", condition=Q(status__in=OUTBOUND_DUE)),
            # the channel page: its latest messages
            models.Index(fields=["channel", "-at"], name="chat_channel_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()}: {self.text[:60]}"
