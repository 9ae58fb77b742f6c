"""Demo data of the e-mail channel (issue 15): per Pemda, the Diskominfo
help desk's Pemda-wide mailbox and Disdukcapil's own mailbox (whose mails
open tickets on its first active service), both pointed at a local IMAP
server (inactive until one is started, see docs/channels.md); the mails
behind the demo tickets reported by e-mail, one mail waiting for triage and
one auto-reply that was ignored."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from spbe.catalog.choices import Lifecycle
from spbe.catalog.models import Service
from spbe.desk.choices import ReportingMethod
from spbe.desk.models import Ticket
from spbe.mail.choices import IgnoreReason, InboundStatus
from spbe.mail.models import InboundMail, Mailbox
from spbe.org.models import PerangkatDaerah, RoleAssignment

DEMO_IMAP_PORT = 1143


def _domain(pemda) -> str:
    email = (
        RoleAssignment.objects.filter(pd__pemda=pemda, user__email__contains="@")
        .values_list("user__email", flat=True)
        .first()
    )
    return email.rpartition("@")[2] if email else f"{pemda.slug}.demo"


def _mailbox(pemda, code: str, name: str, address: str, **extra) -> Mailbox:
    return Mailbox.objects.get_or_create(
        code=f"{pemda.slug}-{code}",
        defaults=dict(
            pemda=pemda, name=name, address=address, host="127.0.0.1", port=DEMO_IMAP_PORT, security="none",
            username=address, is_active=False, **extra,
        ),
    )[0]  # fmt: skip


def _dukcapil_mailbox(pemda, domain: str) -> Mailbox | None:
    pd = PerangkatDaerah.objects.filter(pemda=pemda, abbreviation__icontains="dukcapil").first()
    service = Service.objects.filter(pd=pd, lifecycle=Lifecycle.ACTIVE).order_by("pk").first() if pd else None
    if service is None:
        return None
    return _mailbox(pemda, "dukcapil", f"Layanan {pd.abbreviation}", f"dukcapil@{domain}", pd=pd,
                    default_service=service)  # fmt: skip


def load_mail_demo(pemda) -> Mailbox:
    domain = _domain(pemda)
    mailbox = _mailbox(pemda, "layanan", f"Layanan {pemda.name}", f"layanan@{domain}")
    dukcapil = _dukcapil_mailbox(pemda, domain)
    now = timezone.now()
    by_mail = Ticket.objects.filter(pemda=pemda, reporting_method=ReportingMethod.EMAIL).exclude(reporter_email="")
    for ticket in by_mail.select_related("service").order_by("-reported_at")[:8]:
        into = dukcapil if dukcapil and ticket.pd_id == dukcapil.pd_id else mailbox
        InboundMail.objects.get_or_create(
            mailbox=into, message_id=f"<demo.{ticket.number.lower()}@{ticket.reporter_email.rpartition('@')[2]}>",
            defaults=dict(
                sender=ticket.reporter_email.lower(), sender_name=ticket.reporter_name, recipient=into.address,
                subject=ticket.subject, body=ticket.description, received_at=ticket.reported_at,
                status=InboundStatus.OPENED, service=ticket.service, ticket=ticket,
            ),
        )  # fmt: skip
    InboundMail.objects.get_or_create(
        mailbox=mailbox, message_id=f"<demo.pilah.{pemda.slug}@warga.demo>",
        defaults=dict(
            sender="rahmat.warga@warga.demo", sender_name="Rahmat Hidayat", recipient=mailbox.address,
            subject="Tanya syarat pindah domisili",
            body="Selamat pagi, saya mau pindah domisili dari luar kota. Apa saja berkas yang perlu dibawa, dan "
                 "apakah bisa diurus daring?\n\nTerima kasih,\nRahmat",
            received_at=now - timedelta(hours=3), status=InboundStatus.TRIAGE,
        ),
    )  # fmt: skip
    InboundMail.objects.get_or_create(
        mailbox=mailbox, message_id=f"<demo.otomatis.{pemda.slug}@sekolah.demo>",
        defaults=dict(
            sender="tata.usaha@sekolah.demo", sender_name="Tata Usaha", recipient=mailbox.address,
            subject="Balasan otomatis: Di luar kantor",
            body="Terima kasih atas surel Anda. Kami sedang cuti bersama dan akan membalas setelah kembali.",
            received_at=now - timedelta(days=1), status=InboundStatus.IGNORED, reason=IgnoreReason.AUTO_REPLY,
            note="Auto-Submitted: auto-replied",
        ),
    )  # fmt: skip
    return mailbox
