"""The outbox: a message is saved in the same transaction as the change it
reports, and delivered afterwards by Celery. A crash between the two loses
neither; two workers never send one message. A worker killed while sending
leaves a claim that expires, and the message is sent again with the same
Message-ID (spbe.notify.outbox)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Menunggu dikirim")
    SENDING = "sending", _("Sedang dikirim")
    SENT = "sent", _("Terkirim")
    FAILED = "failed", _("Gagal")


class OutboxMessage(models.Model):
    key = models.CharField(
        _("kunci"), max_length=120, unique=True, help_text=_("Sama = pesan yang sama (sekali kirim).")
    )
    pemda = models.ForeignKey("org.Pemda", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    to = models.JSONField(_("penerima"))
    subject = models.CharField(_("subjek"), max_length=250)
    body = models.TextField(_("isi"))
    # issue 15: mail to a reporter goes out from the mailbox they wrote to,
    # with the threading headers, and names its ticket so a reply that
    # quotes only this Message-ID still finds it (spbe.mail)
    from_email = models.CharField(_("pengirim"), max_length=254, blank=True)
    headers = models.JSONField(_("kepala pesan tambahan"), default=dict, blank=True)
    thread = models.CharField(_("utas (nomor tiket)"), max_length=30, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("percobaan"), default=0)
    next_attempt_at = models.DateTimeField(_("coba lagi pada"))
    last_error = models.TextField(_("galat terakhir"), blank=True)
    sent_at = models.DateTimeField(_("terkirim"), null=True, blank=True)
    created = models.DateTimeField(_("dibuat"), auto_now_add=True)

    class Meta:
        verbose_name = _("pesan keluar")
        verbose_name_plural = _("kotak keluar")
        ordering = ["created"]
        indexes = [
            # deliver_pending(): messages whose time has come, pending or with an expired claim
            models.Index(
                fields=["next_attempt_at"], name="outbox_due_idx", condition=Q(status__in=["pending", "sending"])
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {', '.join(self.to)}"
