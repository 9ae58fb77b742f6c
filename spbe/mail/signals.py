"""E-mail to the reporter of a ticket that came by e-mail goes out from
the mailbox they wrote to, as a reply in their thread (issue 15): the desk
asks ``reporter_mail`` before queueing it."""

from __future__ import annotations

from email.utils import formataddr

from django.dispatch import receiver

from spbe.desk.hooks import reporter_mail
from spbe.mail.choices import InboundStatus
from spbe.mail.models import InboundMail

THREAD_DEPTH = 10  # References kept: enough for every mail client to thread


@receiver(reporter_mail, dispatch_uid="spbe.mail.reporter_mail")
def shape_reporter_mail(sender, ticket, opening=False, **kwargs) -> dict | None:
    """From and Reply-To: the mailbox; In-Reply-To: the reporter's last
    mail; References: the thread's Message-IDs, oldest first (RFC 5322 3.6.4)."""
    from spbe.mail.actions import receiving

    current = receiving.get()
    if opening and current is None:
        return None  # opened by another channel: no thread yet, and no query for it
    mails = list(
        InboundMail.objects.filter(ticket=ticket, status__in=[InboundStatus.OPENED, InboundStatus.ADDED])
        .select_related("mailbox")
        .order_by("received_at", "pk")
    )
    if current is not None and current.pk not in {mail.pk for mail in mails}:
        mails.append(current)
    if not mails:
        return None
    last = mails[-1]
    mailbox = last.mailbox
    references = [mail.message_id for mail in mails]
    headers = {"Reply-To": mailbox.address, "In-Reply-To": last.message_id,
               "References": " ".join(references[-THREAD_DEPTH:])}  # fmt: skip
    return {"from_email": formataddr((mailbox.name, mailbox.address)) if mailbox.send_as else "", "headers": headers}
