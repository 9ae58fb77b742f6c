"""The e-mail channel (O-1, O-2; issue 15): mailboxes of a Pemda or a PD
read over IMAP, and every message read from them, once.

A message becomes a request or complaint with reporting method *e-mail*,
a reply on its ticket's timeline, a mail waiting for triage (no service
known yet), or an ignored/rejected row that says why. The row is written
in the same transaction as the ticket change, and its Message-ID is unique
per mailbox: a message read twice (a worker died before marking it read)
changes nothing the second time.

Passwords are never stored: each mailbox names an environment variable
(``SPBE_MAILBOX_<CODE>_PASSWORD``), like the SSO client secrets."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from spbe.approvals.validators import validate_attachment
from spbe.desk.choices import Impact, TicketKind
from spbe.mail.choices import IgnoreReason, InboundStatus, MailSecurity

CODE_VALIDATOR = RegexValidator(
    r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$", _("Gunakan huruf kecil, angka, dan tanda hubung, mis. jogja-layanan.")
)


class Mailbox(models.Model):
    """One IMAP mailbox (folder) read by the system: Pemda-wide (the
    Diskominfo help desk) or one PD's. ``default_service`` (or a route by
    the address the mail was sent to) decides the service; without one the
    mail waits for triage."""

    pemda = models.ForeignKey("org.Pemda", on_delete=models.PROTECT, related_name="mailboxes", verbose_name=_("Pemda"))
    pd = models.ForeignKey(
        "org.PerangkatDaerah", on_delete=models.PROTECT, null=True, blank=True, related_name="mailboxes",
        verbose_name=_("PD"), help_text=_("Kosongkan untuk kotak surel seluruh Pemda (dikelola Koordinator SPBE)."),
    )  # fmt: skip
    name = models.CharField(_("nama"), max_length=120)
    code = models.CharField(
        _("kode"), max_length=40, unique=True, validators=[CODE_VALIDATOR],
        help_text=_("Menentukan nama variabel lingkungan sandi: SPBE_MAILBOX_<KODE>_PASSWORD."),
    )  # fmt: skip
    address = models.EmailField(_("alamat e-mail"), unique=True)
    host = models.CharField(_("server IMAP"), max_length=200)
    port = models.PositiveIntegerField(
        _("port"), default=993, validators=[MinValueValidator(1), MaxValueValidator(65535)]
    )
    security = models.CharField(_("keamanan"), max_length=10, choices=MailSecurity.choices, default=MailSecurity.SSL)
    username = models.CharField(_("nama pengguna IMAP"), max_length=200)
    folder = models.CharField(_("folder"), max_length=200, default="INBOX")
    default_service = models.ForeignKey(
        "catalog.Service", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("layanan bawaan"),
        help_text=_("Kosongkan bila surel perlu dipilah dulu oleh Administrator Layanan."),
    )  # fmt: skip
    default_kind = models.CharField(
        _("jenis tiket bawaan"), max_length=10, choices=TicketKind.choices, default=TicketKind.COMPLAINT
    )
    default_impact = models.CharField(
        _("dampak bawaan (pengaduan)"), max_length=10, choices=Impact.choices, default=Impact.MINOR
    )
    send_as = models.BooleanField(
        _("kirim atas nama alamat ini"), default=True,
        help_text=_("Surel kepada pelapor memakai alamat ini sebagai pengirim. Matikan bila server SMTP tidak "
                    "boleh mengirim atas nama alamat ini; balasan tetap diarahkan ke sini (Reply-To)."),
    )  # fmt: skip
    is_active = models.BooleanField(_("aktif"), default=True)
    last_polled_at = models.DateTimeField(_("terakhir diperiksa"), null=True, blank=True)
    last_error = models.TextField(_("galat terakhir"), blank=True)
    uidvalidity = models.BigIntegerField(_("UIDVALIDITY"), null=True, blank=True, editable=False)
    last_uid = models.BigIntegerField(_("UID terakhir"), default=0, editable=False)
    # A poll claims the mailbox until this time (a conditional UPDATE): two
    # workers never read one mailbox at once; a worker that died frees it
    # when the claim expires.
    claimed_until = models.DateTimeField(null=True, blank=True, editable=False)
    created = models.DateTimeField(_("dibuat"), auto_now_add=True)
    last_updated = models.DateTimeField(_("diubah"), auto_now=True)

    class Meta:
        verbose_name = _("kotak surel")
        verbose_name_plural = _("kotak surel")
        ordering = ["pemda__name", "name"]

    def __str__(self) -> str:
        return f"{self.name} <{self.address}>"

    def get_absolute_url(self) -> str:
        return reverse("mail:mailbox_detail", args=[self.pk])

    @property
    def password_variable(self) -> str:
        return "SPBE_MAILBOX_" + self.code.upper().replace("-", "_") + "_PASSWORD"

    def password(self) -> str:
        return os.environ.get(self.password_variable, "")


class MailboxRoute(models.Model):
    """An alias of the mailbox for one service: mail sent to
    ``ktp@…`` opens a ticket of the KTP service even if it lands in the
    Pemda's shared mailbox."""

    mailbox = models.ForeignKey(Mailbox, on_delete=models.CASCADE, related_name="routes", verbose_name=_("kotak surel"))
    address = models.EmailField(_("alamat tujuan"))
    service = models.ForeignKey(
        "catalog.Service", on_delete=models.CASCADE, related_name="+", verbose_name=_("layanan")
    )

    class Meta:
        verbose_name = _("rute alamat")
        verbose_name_plural = _("rute alamat")
        ordering = ["address"]
        constraints = [models.UniqueConstraint(fields=["mailbox", "address"], name="mail_route_address_once")]

    def __str__(self) -> str:
        return f"{self.address} → {self.service}"


class InboundMail(models.Model):
    """One message read from a mailbox, and what became of it. Never
    deleted: the list of ignored mails is how an operator sees a loop or a
    misdirected bounce."""

    mailbox = models.ForeignKey(Mailbox, on_delete=models.PROTECT, related_name="mails", verbose_name=_("kotak surel"))
    message_id = models.CharField(_("Message-ID"), max_length=255)
    uid = models.BigIntegerField(_("UID IMAP"), null=True, blank=True)
    sender = models.CharField(_("pengirim"), max_length=254, blank=True)
    sender_name = models.CharField(_("nama pengirim"), max_length=150, blank=True)
    recipient = models.CharField(_("dikirim ke"), max_length=254, blank=True)
    subject = models.CharField(_("subjek"), max_length=250, blank=True)
    body = models.TextField(_("isi"), blank=True)
    in_reply_to = models.CharField(_("In-Reply-To"), max_length=255, blank=True)
    references = models.TextField(_("References"), blank=True)
    received_at = models.DateTimeField(_("diterima"))
    processed_at = models.DateTimeField(_("diproses"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=10, choices=InboundStatus.choices)
    reason = models.CharField(_("alasan"), max_length=15, choices=IgnoreReason.choices, blank=True)
    note = models.TextField(_("catatan"), blank=True)
    service = models.ForeignKey(
        "catalog.Service", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("layanan")
    )
    ticket = models.ForeignKey(
        "desk.Ticket", on_delete=models.SET_NULL, null=True, blank=True, related_name="mails", verbose_name=_("tiket")
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("dipilah oleh"),
    )  # fmt: skip
    handled_at = models.DateTimeField(_("dipilah pada"), null=True, blank=True)

    class Meta:
        verbose_name = _("surel masuk")
        verbose_name_plural = _("surel masuk")
        ordering = ["-received_at", "-pk"]
        constraints = [
            # exactly once: a message read again (worker died before \Seen) is skipped
            models.UniqueConstraint(fields=["mailbox", "message_id"], name="mail_inbound_once"),
        ]
        indexes = [
            # the mailbox page and the triage list: one mailbox's mails of a status, newest first
            models.Index(fields=["mailbox", "status", "-received_at"], name="mail_inbound_status_idx"),
            # the loop guard: how many mails one sender sent this mailbox lately
            models.Index(fields=["mailbox", "sender", "processed_at"], name="mail_inbound_sender_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.subject or '(tanpa subjek)'} ← {self.sender}"

    def get_absolute_url(self) -> str:
        return reverse("mail:inbound_detail", args=[self.pk])


class InboundAttachment(models.Model):
    """An attachment of a mail waiting for triage, checked like a portal
    upload; it moves to the ticket when the mail is opened as one."""

    mail = models.ForeignKey(InboundMail, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("berkas"), upload_to="surel/%Y/%m/", validators=[validate_attachment])
    name = models.CharField(_("nama berkas"), max_length=200)
    size = models.PositiveIntegerField(_("ukuran"))

    class Meta:
        verbose_name = _("lampiran surel")
        verbose_name_plural = _("lampiran surel")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name
